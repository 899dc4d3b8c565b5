import { Step, type ModelHparams, type Registry, type TrainingHparams } from '@lth/kernel';
import { LrSchedule } from './lr-schedule';
import { validateOptimizerHparams } from './optimizers';

/**
 * Checks training hyperparameters against an epoch length without touching anything: the
 * optimizer (`UNKNOWN_OPTIMIZER`, `CONFLICTING_HPARAMS`, `UNSUPPORTED_HPARAM`), the step strings
 * (`BAD_STEP`) and the schedule (`BAD_HPARAM` for gamma without milestones or the reverse).
 */
export function validateTrainingHparams(hp: TrainingHparams, iterationsPerEpoch: number): void {
  validateOptimizerHparams(hp);
  Step.fromStr(hp.training_steps, iterationsPerEpoch);
  new LrSchedule(hp, iterationsPerEpoch);
}

/**
 * Checks that the model name, initializer and batch-norm initializer are registered in `registry`
 * (`UNKNOWN_MODEL`, `UNKNOWN_INITIALIZER`, `UNKNOWN_BATCHNORM_INITIALIZER`).
 */
export function validateModelHparams(hp: ModelHparams, registry: Registry): void {
  registry.modelFamilyFor(hp.model_name);
  registry.initializer(hp.model_init);
  registry.batchnormInitializer(hp.batchnorm_init);
}
