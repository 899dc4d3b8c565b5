import { Step, type Model, type Output } from '@lth/kernel';
import { saveModel } from '@lth/nn';
import { saveCheckpoint } from './checkpoint';
import { evaluate } from './evaluate';
import { pyFixed, seconds } from './format';
import type { TrainingCallback, TrainingContext, TrainingLoader, TrainingPlatform } from './train';

/** Runs `cb` only at `step`. */
export function atStep(step: Step, cb: TrainingCallback): TrainingCallback {
  return (ctx) => (ctx.step.equals(step) ? cb(ctx) : undefined);
}

/** Runs `cb` at every epoch boundary (`step.it === 0`). */
export function everyEpoch(cb: TrainingCallback): TrainingCallback {
  return (ctx) => (ctx.step.it === 0 ? cb(ctx) : undefined);
}

function primaryOnly(platform: TrainingPlatform | null | undefined, cb: TrainingCallback): TrainingCallback {
  return (ctx) => (platform?.isPrimary ?? true ? cb(ctx) : undefined);
}

/** The per-evaluation console line, exactly OpenLTH's: `test\tep 000\tit 000\tloss 2.302\tacc 9.74%\tex 10000\ttime 0.52s`. */
export function evaluationLine(name: string, step: Step, loss: number, accuracy: number, examples: number, elapsedMs: number): string {
  const d3 = (n: number) => String(n).padStart(3, '0');
  return `${name}\tep ${d3(step.ep)}\tit ${d3(step.it)}\tloss ${pyFixed(loss, 3)}\tacc ${pyFixed(100 * accuracy, 2)}%\tex ${Math.trunc(examples)}\ttime ${seconds(elapsedMs)}s`;
}

/**
 * OpenLTH's `create_eval_callback`: evaluates on `loader` and logs `<name>_loss`,
 * `<name>_accuracy` and `<name>_examples` at `step.iteration`; with `out`, prints the
 * evaluation line, whose time is since this callback's previous call (0.00s the first time).
 */
export function evaluationCallback(name: string, loader: TrainingLoader, out: Output | null): TrainingCallback {
  let lastCall: number | null = null;
  return async (ctx: TrainingContext) => {
    const r = await evaluate(ctx.model, loader);
    ctx.logger.add(`${name}_loss`, ctx.step.iteration, r.loss);
    ctx.logger.add(`${name}_accuracy`, ctx.step.iteration, r.accuracy);
    ctx.logger.add(`${name}_examples`, ctx.step.iteration, r.examples);
    if (out) {
      const now = performance.now();
      out.line(evaluationLine(name, ctx.step, r.loss, r.accuracy, r.examples, lastCall === null ? 0 : now - lastCall));
      lastCall = performance.now();
    }
  };
}

/** Saves `model_ep{E}_it{I}.safetensors`. */
export const saveModelCallback: TrainingCallback = (ctx) => void saveModel(ctx.model as Model, ctx.outputLocation, ctx.step);

/** Runs `cb` at every epoch boundary and at `end` (which may fall within an epoch). */
export function everyEpochAndAt(end: Step, cb: TrainingCallback): TrainingCallback {
  return (ctx) => (ctx.step.it === 0 || ctx.step.equals(end) ? cb(ctx) : undefined);
}

/**
 * Logs `train_loss` (the mean training loss of the steps since the previous call) and `lr` (the
 * learning rate of the last of them) at the current iteration, when steps were taken since.
 * The names are not OpenLTH's `test_*` ones, so OpenLTH's readers of the logger see the same
 * test metrics.
 */
export const trainingSeriesCallback: TrainingCallback = (ctx) => {
  const point = ctx.series?.take();
  if (!point) return;
  ctx.logger.add('train_loss', ctx.step.iteration, point.loss);
  ctx.logger.add('lr', ctx.step.iteration, point.lr);
};

/** Saves `logger`. */
export const saveLoggerCallback: TrainingCallback = (ctx) => ctx.logger.save(ctx.outputLocation);

/** Saves `checkpoint.safetensors`. */
export const saveCheckpointCallback: TrainingCallback = (ctx) =>
  saveCheckpoint(ctx.outputLocation, ctx.model, ctx.optimizer, ctx.step, ctx.logger, ctx.dataOrderSeed);

/** OpenLTH's timekeeper: `Ep {ep}\tIt {it}\tTime Elapsed {t:.2f}`, the time since its previous call. */
export function timekeeperCallback(out: Output): TrainingCallback {
  let lastCall: number | null = null;
  return (ctx) => {
    const now = performance.now();
    out.line(`Ep ${ctx.step.ep}\tIt ${ctx.step.it}\tTime Elapsed ${seconds(lastCall === null ? 0 : now - lastCall)}`);
    lastCall = now;
  };
}

/** Arguments of `standardCallbacks`. */
export interface StandardCallbackOptions {
  readonly testLoader: TrainingLoader;
  /** Where training starts (default step 0) and ends, in the training loader's epochs. */
  readonly startStep?: Step | null;
  readonly endStep: Step;
  /** Also evaluate on the training set (`train_*` metrics); OpenLTH's `eval_on_train`. */
  readonly trainEvalLoader?: TrainingLoader | null;
  /** Print evaluation lines (and the timekeeper) through `out`. */
  readonly verbose?: boolean;
  readonly out?: Output | null;
  /** Evaluate at every epoch boundary (default); false: only at the start and end steps. */
  readonly evaluateEveryEpoch?: boolean;
  readonly platform?: TrainingPlatform | null;
}

/**
 * OpenLTH's `standard_callbacks` (spec §5.4): test evaluation at the end step, at the start
 * step (each when it is not an epoch boundary or when evaluating only at the ends) and at every
 * epoch boundary; the `train_loss`/`lr` series; save the checkpoint at every epoch boundary;
 * save the model at the start; save the logger at every epoch boundary and at the end (OpenLTH:
 * at the end only), so that a long run can be watched; save the model at the end, after the
 * logger, so that an end model on disk means the logger is final; the timekeeper when
 * evaluating only at the ends. Train-set evaluation callbacks, when asked for, come first.
 * Unlike OpenLTH the checkpoint is saved before the models and the logger of its step: they
 * derive from it, so a run killed between these writes rewrites them when it is resumed.
 */
export function standardCallbacks(o: StandardCallbackOptions): TrainingCallback[] {
  const end = o.endStep;
  const start = o.startStep ?? Step.zero(end.iterationsPerEpoch);
  const everyEp = o.evaluateEveryEpoch ?? true;
  const verbose = (o.verbose ?? true) && !!o.out && !o.out.quiet;
  const printer = verbose ? o.out! : null;
  const evalCallbacks = (cb: TrainingCallback): TrainingCallback[] => {
    const list: TrainingCallback[] = [];
    if (end.it !== 0 || !everyEp) list.push(atStep(end, cb));
    if (start.it !== 0 || !everyEp) list.push(atStep(start, cb));
    if (everyEp) list.push(everyEpoch(cb));
    return list;
  };
  const callbacks: TrainingCallback[] = [
    ...evalCallbacks(evaluationCallback('test', o.testLoader, printer)),
    everyEpochAndAt(end, trainingSeriesCallback),
    everyEpoch(primaryOnly(o.platform, saveCheckpointCallback)),
    atStep(start, primaryOnly(o.platform, saveModelCallback)),
    everyEpochAndAt(end, primaryOnly(o.platform, saveLoggerCallback)),
    atStep(end, primaryOnly(o.platform, saveModelCallback)),
  ];
  if (!everyEp && printer) callbacks.push(everyEpoch(timekeeperCallback(printer)));
  if (o.trainEvalLoader) callbacks.unshift(...evalCallbacks(evaluationCallback('train', o.trainEvalLoader, printer)));
  return callbacks;
}
