import * as fs from 'node:fs';
import { Step, type DatasetContext, type DatasetHparams, type Mask, type Model, type Output, type Platform, type TrainingHparams, type Registry } from '@lth/kernel';
import { modelExists, saveModel } from '@lth/nn';
import { DataLoader, iterationsPerEpoch, loadSplit } from '@lth/data';
import { standardCallbacks } from './callbacks';
import { checkpointPath } from './checkpoint';
import { MetricLogger } from './metric-logger';
import { summarizeLogger, type TrainingSummary } from './summary';
import { train } from './train';

/** Arguments of `standardTrain` (OpenLTH's `standard_train`, plus the mask and the output). */
export interface StandardTrainOptions {
  readonly model: Model;
  readonly outputLocation: string;
  readonly dataset: DatasetHparams;
  readonly training: TrainingHparams;
  readonly platform: Platform;
  readonly out: Output;
  /** The session's registry (the dataset family). */
  readonly registry: Registry;
  /** Where training starts (default step 0), e.g. the rewinding step of a lottery level. */
  readonly startStep?: Step | null;
  /** Evaluate on the test set at every epoch boundary (default); false: at start and end only. */
  readonly evaluateEveryEpoch?: boolean;
  /** Print evaluation lines and progress (default true; never when `out.quiet`). */
  readonly verbose?: boolean;
  /** A pruning mask kept exactly through training (see `train`). */
  readonly mask?: Mask | null;
  /** Put before the epoch on the progress bar (`level 2/5`). */
  readonly progressLabel?: string | null;
}

/** The outcome of `standardTrain`, finished now or earlier. */
export interface TrainResult extends TrainingSummary {
  readonly outputLocation: string;
  readonly endStep: Step;
  /** True when the run had already finished (end model and logger on disk) and nothing ran. */
  readonly alreadyComplete: boolean;
  /** The checkpoint step this call resumed from, or null. */
  readonly resumedFrom: Step | null;
  /** Seconds this call took. */
  readonly wallTimeSeconds: number;
  readonly logger: MetricLogger;
}

/** Whether a training run in `location` is finished: its end model and its logger are on disk. */
export function trainingComplete(location: string, endStep: Step): boolean {
  return modelExists(location, endStep) && MetricLogger.exists(location);
}

/** The platform's dataset locations as a `DatasetContext` that logs through `out`. */
export function datasetContext(platform: Platform, out: Output): DatasetContext {
  return {
    datasetRoot: platform.datasetRoot,
    setting: (key) => platform.setting(key),
    numWorkers: platform.numWorkers,
    onCorruptImage: platform.onCorruptImage,
    log: (l) => out.line(l),
  };
}

/**
 * OpenLTH's `standard_train` (spec §5.5): returns at once when the start and end models and
 * the logger already exist; otherwise (files of a finished run that were deleted are written
 * again: the start model from `model`, which is in its start state, the end model and the
 * logger from the checkpoint) loads the training split (augmented unless `do_not_augment`) and
 * the test split with the same dataset hyperparameters and batch size, builds the standard
 * callbacks and trains, resuming from a checkpoint when there is one.
 */
export async function standardTrain(o: StandardTrainOptions): Promise<TrainResult> {
  const t0 = performance.now();
  const verbose = (o.verbose ?? true) && !o.out.quiet;
  const info = o.registry.dataset(o.dataset.dataset_name).instance.info(o.dataset.dataset_name);
  const endStep = Step.fromStr(o.training.training_steps, iterationsPerEpoch(o.dataset, info));
  const done = (logger: MetricLogger, alreadyComplete: boolean, resumedFrom: Step | null, end: Step): TrainResult => ({
    ...summarizeLogger(logger),
    outputLocation: o.outputLocation,
    endStep: end,
    alreadyComplete,
    resumedFrom,
    wallTimeSeconds: (performance.now() - t0) / 1000,
    logger,
  });
  const startStep = o.startStep ? Step.fromIteration(o.startStep.iteration, endStep.iterationsPerEpoch) : Step.zero(endStep.iterationsPerEpoch);
  const hasStart = modelExists(o.outputLocation, startStep);
  if (hasStart && trainingComplete(o.outputLocation, endStep)) {
    if (verbose) o.out.line(`Already complete: ${o.outputLocation} holds the final model and logger, so nothing was trained.`);
    return done(MetricLogger.createFromFile(o.outputLocation), true, null, endStep);
  }
  if (!hasStart && o.platform.isPrimary && fs.existsSync(checkpointPath(o.outputLocation))) saveModel(o.model, o.outputLocation, startStep);
  const ctx = datasetContext(o.platform, o.out);
  const trainSource = await loadSplit(o.dataset, 'train', ctx, o.registry);
  const testSource = await loadSplit(o.dataset, 'test', ctx, o.registry);
  try {
    const trainLoader = new DataLoader(trainSource, o.dataset.batch_size, { augment: !o.dataset.do_not_augment });
    const testLoader = new DataLoader(testSource, o.dataset.batch_size);
    const ipe = trainLoader.iterationsPerEpoch;
    const start = o.startStep ? Step.fromIteration(o.startStep.iteration, ipe) : Step.zero(ipe);
    const end = Step.fromStr(o.training.training_steps, ipe);
    const callbacks = standardCallbacks({
      testLoader,
      startStep: start,
      endStep: end,
      verbose,
      out: o.out,
      evaluateEveryEpoch: o.evaluateEveryEpoch ?? true,
      platform: o.platform,
    });
    const outcome = await train({
      training: o.training,
      model: o.model,
      loader: trainLoader,
      outputLocation: o.outputLocation,
      callbacks,
      startStep: start,
      mask: o.mask ?? null,
      platform: o.platform,
      out: verbose ? o.out : null,
      progressLabel: o.progressLabel ?? null,
    });
    return done(outcome.logger, false, outcome.resumedFrom, end);
  } finally {
    await trainSource.close?.();
    if (testSource !== trainSource) await testSource.close?.();
  }
}
