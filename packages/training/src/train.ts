import { randomInt } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import { Step, ensureDir, removeStaleTempFiles, type Mask, type Model, type Output, type TrainingHparams } from '@lth/kernel';
import { ensureGradients } from '@lth/nn';
import { checkpointBeyondEnd, readCheckpoint, restoreCheckpoint } from './checkpoint';
import { LrSchedule } from './lr-schedule';
import { TrainingSeries } from './loss-series';
import { MetricLogger } from './metric-logger';
import { createOptimizer, validateOptimizerHparams, type Optimizer, type OptimizerParam } from './optimizers';

/** One mini-batch as the training loop consumes it (the kernel's `Batch` fits). */
export interface TrainingBatch {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly size: number;
  readonly shape: readonly [number, number, number, number];
}

/**
 * Where batches come from (the kernel's `DataLoader` fits): `epoch(seed, skip)` yields one
 * epoch in the order `seed` selects (`null`: sequential) from batch `skip` on, and the batches
 * after a skip are those an unskipped epoch yields.
 */
export interface TrainingLoader {
  readonly iterationsPerEpoch: number;
  epoch(orderSeed: number | string | null, skip?: number): AsyncIterable<TrainingBatch>;
}

/** What a callback sees: OpenLTH's `(output_location, step, model, optimizer, logger)`, plus the data order seed. */
export interface TrainingContext {
  readonly outputLocation: string;
  readonly step: Step;
  readonly model: Model;
  readonly optimizer: Optimizer;
  readonly logger: MetricLogger;
  /** Base of the per-epoch data order seeds (`data_order_seed + ep`); saved in checkpoints. */
  readonly dataOrderSeed: number;
  /** The training loss and learning rate of the steps since the series was last taken (see `trainingSeriesCallback`). */
  readonly series?: TrainingSeries;
}

/** Runs before the optimizer step at every step, and once more at the end step. */
export type TrainingCallback = (ctx: TrainingContext) => void | Promise<void>;

/** The distributed primitives the loop uses (a `Platform` fits). */
export interface TrainingPlatform {
  readonly isPrimary: boolean;
  barrier(): Promise<void>;
}

/** Arguments of `train` (OpenLTH's `train(training_hparams, model, train_loader, output_location, callbacks, start_step, end_step)`). */
export interface TrainOptions {
  readonly training: TrainingHparams;
  readonly model: Model;
  readonly loader: TrainingLoader;
  readonly outputLocation: string;
  readonly callbacks?: readonly TrainingCallback[];
  /** Where training starts when there is no checkpoint (default step 0). */
  readonly startStep?: Step | null;
  /** Where it ends (default `training_steps`). */
  readonly endStep?: Step | null;
  /**
   * Pruning mask: its weights are multiplied by it before training and after every optimizer
   * step; their gradients, weight decay and optimizer state are masked, so pruned weights stay
   * exactly zero.
   */
  readonly mask?: Mask | null;
  readonly platform?: TrainingPlatform | null;
  /** Shows a progress bar within each epoch (the Output decides whether it is visible). */
  readonly out?: Output | null;
  /** Put before the epoch on the progress bar (`level 2/5`, `randomly_prune level 3`). */
  readonly progressLabel?: string | null;
}

/** What `train` did. */
export interface TrainOutcome {
  readonly logger: MetricLogger;
  /** Where this call started: the checkpoint's step when it resumed, else the start step. */
  readonly startStep: Step;
  readonly endStep: Step;
  /** The checkpoint step it resumed from, or null. */
  readonly resumedFrom: Step | null;
  /** Optimizer steps taken by this call. */
  readonly stepsTaken: number;
  readonly dataOrderSeed: number;
}

/**
 * OpenLTH's training loop (spec §5.3). Resumes from `checkpoint.safetensors` when the output
 * location has one (its step wins over `startStep`; a corrupt one is `CORRUPT_CHECKPOINT`).
 * For every epoch `ep` from the start epoch through the end epoch it shuffles with seed
 * `dataOrderSeed + ep` (`data_order_seed`, or a random base drawn once and kept in
 * checkpoints) and, at every step, first runs all callbacks, then returns if the step is the
 * end step, else takes one optimizer step at the scheduled learning rate. Training from 0 to
 * N thus takes N optimizer steps and runs N + 1 rounds of callbacks. A run resumed from a
 * checkpoint runs the callbacks at the checkpoint's step again, also when it is the end step
 * (OpenLTH returned at once), so files a finished run lost (its end model, its logger) are
 * written again. Frozen parameters
 * (`trainable === false`) are neither updated nor decayed. Every process reaches the final
 * barrier, also when stopping at the end step (OpenLTH returned before it, quirk 16).
 * Temporary files that killed runs left in the output location are removed. The loop gives
 * the event loop a turn about every second (timers: the experiment lock's refresh; signals).
 */
export async function train(o: TrainOptions): Promise<TrainOutcome> {
  const { model, loader, training, outputLocation } = o;
  const ipe = loader.iterationsPerEpoch;
  validateOptimizerHparams(training);
  await ensureGradients();
  const schedule = new LrSchedule(training, ipe);
  const masks = maskTensors(model, o.mask ?? null);
  let optimizer: Optimizer | null = null;
  try {
    const params: OptimizerParam[] = model.state
      .filter((e) => e.role !== 'buffer' && e.variable.trainable)
      .map((e) => ({ name: e.name, variable: e.variable, layout: e.layout, mask: masks.get(e.name) ?? null }));
    const opt = (optimizer = createOptimizer(training, params));
    const ckpt = readCheckpoint(outputLocation, ipe);
    if (ckpt) restoreCheckpoint(ckpt, model, opt);
    if (ckpt?.backend && ckpt.backend !== tf.getBackend()) {
      o.out?.line(`Resuming ${outputLocation} at ep ${ckpt.step.ep} it ${ckpt.step.it} on the ${tf.getBackend()} backend; its checkpoint was written on ${ckpt.backend}, so the numbers may differ from an uninterrupted run in the last digits.`);
    }
    if (o.platform?.isPrimary ?? true) {
      ensureDir(outputLocation);
      removeStaleTempFiles(outputLocation);
    }
    applyMasks(model, masks);

    const logger = ckpt ? ckpt.logger : new MetricLogger();
    const start = ckpt ? ckpt.step : o.startStep ? Step.fromIteration(o.startStep.iteration, ipe) : Step.zero(ipe);
    const end = o.endStep ? Step.fromIteration(o.endStep.iteration, ipe) : Step.fromStr(training.training_steps, ipe);
    const dataOrderSeed = ckpt ? ckpt.dataOrderSeed : training.data_order_seed ?? randomInt(0, 2 ** 31 - 1);
    const outcome = (stepsTaken: number): TrainOutcome => ({ logger, startStep: start, endStep: end, resumedFrom: ckpt?.step ?? null, stepsTaken, dataOrderSeed });
    if (ckpt && ckpt.step.gt(end)) throw checkpointBeyondEnd(ckpt.file, ckpt.step, end);
    if (end.lt(start) || (end.equals(start) && !ckpt)) return outcome(0);

    const trainable = params.map((p) => p.variable);
    const series = new TrainingSeries();
    const t0 = performance.now();
    let stepsTaken = 0;
    let turned = Date.now();
    epochs: for (let ep = start.ep; ep <= end.ep; ep++) {
      const first = ep === start.ep ? start.it : 0;
      let it = first;
      let bar: ReturnType<Output['progress']> | null = null;
      try {
        for await (const batch of loader.epoch(dataOrderSeed + ep, first)) {
          const step = Step.fromEpoch(ep, it, ipe);
          const ctx: TrainingContext = { outputLocation, step, model, optimizer: opt, logger, dataOrderSeed, series };
          for (const cb of o.callbacks ?? []) await cb(ctx);
          if (step.equals(end)) break epochs;
          if (!bar && o.out) bar = o.out.progress(ipe, `${o.progressLabel ? `${o.progressLabel} ` : ''}ep ${ep}`);
          const lr = schedule.lr(step.iteration);
          const lossTensor = trainStepLoss(model, trainable, opt, batch, lr);
          const loss = bar && o.out?.isTTY && !o.out.quiet ? lossTensor.dataSync()[0] : null;
          series.add(lossTensor, lr);
          stepsTaken++;
          it++;
          if (bar) bar.update(it, progressInfo(loss, stepsTaken, performance.now() - t0, end.iteration - step.iteration - 1));
          if (Date.now() - turned > 1000) {
            await new Promise((resolve) => setImmediate(resolve));
            turned = Date.now();
          }
        }
      } finally {
        bar?.stop();
      }
    }
    series.dispose();
    await o.platform?.barrier();
    return outcome(stepsTaken);
  } finally {
    optimizer?.dispose();
    for (const m of masks.values()) m.dispose();
  }
}

/** The progress bar's info: the step's loss, steps per second so far, and the time left to the end of training. */
function progressInfo(loss: number | null, steps: number, elapsedMs: number, remaining: number): string {
  const rate = steps / Math.max(elapsedMs / 1000, 1e-9);
  const eta = Math.round(remaining / rate);
  const clock = eta >= 3600 ? `${Math.floor(eta / 3600)}h${String(Math.floor(eta / 60) % 60).padStart(2, '0')}m` : `${Math.floor(eta / 60)}m${String(eta % 60).padStart(2, '0')}s`;
  return `${loss === null ? '' : `loss ${loss.toFixed(3)}  `}${rate.toFixed(1)} it/s  ETA ${clock}`;
}

/**
 * One optimizer step on `batch`: cross-entropy in training mode (batch-norm statistics
 * update), gradients of the trainable variables, the optimizer's update. Returns the loss
 * when `readLoss` (a device sync), else null. Leaves no tensors behind.
 */
export function trainStep(model: Model, trainable: readonly tf.Variable[], optimizer: Optimizer, batch: TrainingBatch, lr: number, readLoss = false): number | null {
  const loss = trainStepLoss(model, trainable, optimizer, batch, lr);
  const value = readLoss ? loss.dataSync()[0] : null;
  loss.dispose();
  return value;
}

/** `trainStep`, returning the loss as a scalar tensor (the caller disposes it) without a device sync. */
export function trainStepLoss(model: Model, trainable: readonly tf.Variable[], optimizer: Optimizer, batch: TrainingBatch, lr: number): tf.Scalar {
  return tf.tidy(() => {
    const x = tf.tensor4d(batch.images, batch.shape as [number, number, number, number], 'float32');
    const y = tf.tensor1d(batch.labels, 'int32');
    if (trainable.length === 0) return model.loss(model.forward(x, true), y) as tf.Scalar;
    const { value, grads } = tf.variableGrads(() => model.loss(model.forward(x, true), y), trainable as tf.Variable[]);
    optimizer.step(grads, lr);
    return value;
  });
}

function maskTensors(model: Model, mask: Mask | null): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  if (!mask) return out;
  for (const [name, entry] of mask.entries) {
    const e = model.state.find((s) => s.name === name);
    if (!e) throw new Error(`The mask has ${name}, which ${model.name} does not have`);
    if (String(e.variable.shape) !== String(entry.shape)) throw new Error(`The mask of ${name} has shape [${entry.shape}], the weight [${e.variable.shape}]`);
    out.set(name, tf.tensor(entry.data, [...entry.shape], 'float32'));
  }
  return out;
}

/** Multiplies each masked weight by its mask. */
function applyMasks(model: Model, masks: ReadonlyMap<string, tf.Tensor>): void {
  for (const e of model.state) {
    const m = masks.get(e.name);
    if (m) tf.tidy(() => e.variable.assign(tf.mul(e.variable, m)));
  }
}
