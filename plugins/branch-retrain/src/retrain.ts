import { DatasetHparams, LthError, Step, TrainingHparams, type DatasetInfo, type Registry } from '@lth/kernel';
import { iterationsPerEpoch, numClasses } from '@lth/data';
import { arg, Branch, branch, modelBuildOptions, type BranchContext } from '@lth/lottery';
import { checkBlurFactor, checkDatasetLoads, validateTrainingHparams } from '@lth/training';

function datasetInfo(registry: Registry, d: DatasetHparams): DatasetInfo {
  return registry.dataset(d.dataset_name).instance.info(d.dataset_name);
}

/** Where retraining starts: the rewind step's iteration (or 0), on the retraining dataset's epoch length (OpenLTH). */
export function retrainStartStep(context: BranchContext, dataset: DatasetHparams, startAtStepZero: boolean): Step {
  return Step.fromIteration(startAtStepZero ? 0 : context.trainStartStep.iteration, iterationsPerEpoch(dataset, datasetInfo(context.registry, dataset)));
}

/**
 * `retrain` (OpenLTH spec §10.4): takes a trunk level's sparse network at the rewind step (its
 * weights and mask) and trains it with other dataset and training hyperparameters, from the
 * rewind step's iteration (re-expressed in the new dataset's epochs) or from step 0 with
 * `--start_at_step_zero`.
 *
 * `--retrain_d_*` and `--retrain_t_*` are whole dataset and training groups. Each defaults to
 * the trunk's group, field by field, where OpenLTH required five of the flags and left the rest
 * at their defaults (quirk 33): `--retrain_t_lr=0.01` alone retrains with the trunk's training
 * hyperparameters at another learning rate. The merged groups are hashed as OpenLTH hashes
 * them, so the same values give OpenLTH's name. The mask is saved with the results (OpenLTH did
 * not, quirk 10).
 */
@branch({ name: 'retrain', description: 'Retrain the model with different hyperparameters.' })
export class RetrainBranch extends Branch {
  override validate(context: BranchContext, dataset: DatasetHparams, training: TrainingHparams, startAtStepZero: boolean): void {
    const info = datasetInfo(context.registry, dataset);
    const trunk = modelBuildOptions(context.desc, context.replicate);
    const classes = numClasses(dataset, info);
    if (String(info.imageShape) !== String(trunk.inputShape) || classes !== trunk.outputs) {
      throw new LthError(
        'BAD_HPARAM',
        `--retrain_d_dataset_name=${dataset.dataset_name} has ${classes} classes of ${info.imageShape.join('x')} images, but the trunk's network takes ${trunk.inputShape.join('x')} images into ${trunk.outputs} classes. Retrain on a dataset of the same shape.`,
      );
    }
    checkBlurFactor(dataset, info.imageShape, '--retrain_d_blur_factor');
    const ipe = iterationsPerEpoch(dataset, info);
    validateTrainingHparams(training, ipe);
    const start = retrainStartStep(context, dataset, startAtStepZero);
    const end = Step.fromStr(training.training_steps, ipe);
    if (start.ge(end)) {
      throw new LthError('BAD_STEP', `Retraining would start at iteration ${start.iteration} (the rewind step), at or after its end, --retrain_t_training_steps=${training.training_steps} (${end.iteration} iterations). Train for longer or pass --start_at_step_zero.`);
    }
    const file = context.levelWeightsFile(context.trainStartStep);
    if (!context.exists(file)) {
      throw new LthError('MISSING_FILE', `retrain starts from the trunk level's rewind weights in ${file}, which is not there. Let lth lottery train level ${context.level} first.`);
    }
  }

  /** Another dataset than the trunk's is loaded before anything is written (missing or corrupt: one error). */
  override async preflight(context: BranchContext, dataset: DatasetHparams): Promise<void> {
    if (String(dataset) !== String(context.desc.dataset_hparams)) await checkDatasetLoads(context.registry, dataset, context.platform, context.out);
  }

  async run(
    context: BranchContext,
    @arg.group('retrain_d', DatasetHparams, { trunk: 'dataset', help: 'The dataset to retrain on.' })
    dataset: DatasetHparams,
    @arg.group('retrain_t', TrainingHparams, { trunk: 'training', help: 'How to retrain.' })
    training: TrainingHparams,
    @arg.bool('start_at_step_zero', { help: 'Retrain from step 0 instead of the rewind step.' })
    startAtStepZero: boolean,
  ): Promise<void> {
    const model = context.levelWeights(context.trainStartStep);
    try {
      const mask = context.levelMask(model);
      await context.train({ model, mask, startStep: retrainStartStep(context, dataset, startAtStepZero), dataset, training });
    } finally {
      model.dispose();
    }
  }
}
