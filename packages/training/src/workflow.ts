import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DatasetHparams,
  LthError,
  ModelHparams,
  Step,
  TrainingHparams,
  assertWritable,
  inject,
  injectable,
  TOKENS,
  workflow,
  type FlagGroup,
  type Job,
  type Model,
  type Registry,
  type SelectorSpecs,
  type Selectors,
  type Workflow,
} from '@lth/kernel';
import { buildModel, modelSeed } from '@lth/nn';
import { numClasses } from '@lth/data';
import { TrainingDesc } from './desc';
import { pyFixed } from './format';
import { checkRunInputs } from './preflight';
import { ExperimentRun } from './run/experiment-run';
import { trainingComplete, type TrainResult } from './standard-train';
import { validateModelHparams, validateTrainingHparams } from './validate';

/**
 * The dataset, model and training flag groups (keys `dataset`, `model`, `training`), with
 * defaults from `--default_hparams=<model name>` when given (an unknown name is the
 * registry's `UNKNOWN_MODEL` error); the model family is looked up in `registry`.
 */
export function trainingFlagGroups(registry: Registry, selectors: TrainingSelectors): FlagGroup[] {
  const defaults = selectors.default_hparams
    ? registry.modelFamilyFor(selectors.default_hparams).instance.defaultHparams(selectors.default_hparams)
    : null;
  return [
    { key: 'dataset', hparams: DatasetHparams, defaults: defaults?.dataset },
    { key: 'model', hparams: ModelHparams, defaults: defaults?.model },
    { key: 'training', hparams: TrainingHparams, defaults: defaults?.training },
  ];
}

/** The selector of `lth train`: `--default_hparams` (a field of `JobArgs`) fills in a model family's defaults. */
export const TRAINING_SELECTORS = { default_hparams: 'str' } as const satisfies SelectorSpecs;

/** The selectors `trainingFlagGroups` reads. */
export type TrainingSelectors = Selectors & { readonly default_hparams?: string };

/** Whether `hparams.log` and `desc.json` are already there (a resumed or finished run: leave them be). */
function descSaved(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'hparams.log')) && fs.existsSync(path.join(dir, 'desc.json'));
}

/** The lines `lth train` prints after training: final and best test accuracy, where, how long. */
export function summaryLines(r: TrainResult): string[] {
  const pct = (a: number) => `${pyFixed(100 * a, 2)}%`;
  const ipe = r.endStep.iterationsPerEpoch;
  const at = (it: number) => `iteration ${it} (ep ${Math.floor(it / ipe)} it ${it % ipe})`;
  const lines: string[] = [];
  if (r.finalAccuracy !== null) {
    lines.push(`Final test accuracy: ${pct(r.finalAccuracy)}${r.finalLoss !== null ? ` (loss ${pyFixed(r.finalLoss, 3)})` : ''} at ${at(r.finalIteration!)}`);
    lines.push(`Best test accuracy:  ${pct(r.bestAccuracy!)} at ${at(r.bestIteration!)}`);
  } else {
    lines.push('No test evaluations were logged.');
  }
  lines.push(`Results: ${r.outputLocation}`);
  lines.push(r.alreadyComplete ? 'Wall time: 0.00s (already complete)' : `Wall time: ${pyFixed(r.wallTimeSeconds, 2)}s${r.resumedFrom ? ` (resumed at ep ${r.resumedFrom.ep} it ${r.resumedFrom.it})` : ''}`);
  return lines;
}

/**
 * `lth train`: trains one model (OpenLTH's `TrainingRunner`). Everything is validated before
 * anything is written, so bad flags leave the results root untouched. Then it prints the
 * banner, saves `hparams.log` and `desc.json`, builds the model from its seed (`--model_seed`,
 * else the replicate) with one output per class of the dataset (4 with rotation labels),
 * trains it with the standard callbacks, and prints a summary. The replicate directory is
 * locked (`lockExperiment`) from the banner on: a second process on it stops with `LOCKED`.
 */
@injectable()
@workflow({ name: 'train', description: 'Train a model.' })
export class TrainWorkflow implements Workflow {
  readonly selectors = TRAINING_SELECTORS;

  constructor(@inject(TOKENS.Registry) private readonly registry: Registry) {}

  flagGroups(selectors: TrainingSelectors): FlagGroup[] {
    return trainingFlagGroups(this.registry, selectors);
  }

  outputLocations(job: Job): string[] {
    return [TrainingDesc.fromGroups(job.groups, job.registry).runPath(job.platform.root, job.args.replicate)];
  }

  async run(job: Job): Promise<void> {
    const { platform, args } = job;
    const desc = TrainingDesc.fromGroups(job.groups, job.registry);
    const location = desc.runPath(platform.root, args.replicate);
    desc.datasetInfo();
    validateModelHparams(desc.model_hparams, job.registry);
    validateTrainingHparams(desc.training_hparams, desc.iterationsPerEpoch);
    const endStep = Step.fromStr(desc.training_hparams.training_steps, desc.iterationsPerEpoch);
    if (endStep.iteration === 0) {
      throw new LthError('BAD_STEP', `--training_steps=${desc.training_hparams.training_steps} trains for no iterations: give it at least one step ('1it').`);
    }
    assertWritable(platform.root);
    const info = desc.datasetInfo();
    const model = buildModel(desc.model_hparams, {
      outputs: numClasses(desc.dataset_hparams, info),
      inputShape: info.imageShape,
      seed: modelSeed(desc.model_hparams, args.replicate),
      registry: job.registry,
    });
    const run = new ExperimentRun({ platform, out: job.out, verbose: !args.quiet && !job.out.quiet, evaluateEveryEpoch: !args.evaluate_only_at_end });
    try {
      await checkRunInputs({ dataset: desc.dataset_hparams, model, platform, registry: job.registry, out: job.out, loadData: !trainingComplete(location, endStep) });
      await run.locked([path.dirname(location)], () => this.train(run, desc, location, model, args.replicate));
    } finally {
      model.dispose();
    }
  }

  private async train(run: ExperimentRun, desc: TrainingDesc, location: string, model: Model, replicate: number): Promise<void> {
    run.banner(`Training a Model (Replicate ${replicate})`, desc.display(), location);
    if (!descSaved(location)) run.saveDesc(desc, location);
    const result = await run.train({ model, outputLocation: location, dataset: desc.dataset_hparams, training: desc.training_hparams, registry: desc.registry });
    if (run.talking) run.print(['', ...summaryLines(result)].join('\n'));
  }
}
