import * as path from 'node:path';
import { DatasetHparams, Desc, LthError, ModelHparams, Step, TrainingHparams, type DatasetInfo, type Hparams, type Registry } from '@lth/kernel';
import { iterationsPerEpoch } from '@lth/data';

/**
 * What defines a training run (OpenLTH's `TrainingDesc`): the dataset, model and training
 * hyperparameters. Its `hashname` (`train_<md5>`) names the run's directory, byte-for-byte as
 * OpenLTH names it for the same hyperparameters.
 */
export class TrainingDesc extends Desc {
  constructor(
    readonly model_hparams: ModelHparams,
    readonly dataset_hparams: DatasetHparams,
    readonly training_hparams: TrainingHparams,
  ) {
    super();
  }

  /** Builds a desc from the `dataset`, `model` and `training` groups of a parsed job, bound to `registry`. */
  static fromGroups(groups: Readonly<Record<string, Hparams>>, registry: Registry): TrainingDesc {
    const want = (key: string, cls: abstract new () => Hparams) => {
      const g = groups[key];
      if (!(g instanceof cls)) throw new Error(`The train workflow needs a ${cls.name} group under '${key}'`);
      return g;
    };
    return new TrainingDesc(
      want('model', ModelHparams) as ModelHparams,
      want('dataset', DatasetHparams) as DatasetHparams,
      want('training', TrainingHparams) as TrainingHparams,
    ).bind(registry);
  }

  get namePrefix(): string {
    return 'train';
  }

  groups(): Record<string, Hparams> {
    return { model_hparams: this.model_hparams, dataset_hparams: this.dataset_hparams, training_hparams: this.training_hparams };
  }

  override displayOrder(): string[] {
    return ['dataset_hparams', 'model_hparams', 'training_hparams'];
  }

  /** `<root>/<hashname>/replicate_<replicate>/<experiment>`; the replicate must be a positive integer. */
  runPath(root: string, replicate: number, experiment = 'main'): string {
    if (!Number.isInteger(replicate) || replicate <= 0) {
      throw new LthError('BAD_REPLICATE', `The replicate must be a positive integer (got ${replicate}).`);
    }
    return path.join(root, this.hashname, `replicate_${replicate}`, experiment);
  }

  /** The registered dataset's sizes (an `UNKNOWN_DATASET` error names the known ones). */
  datasetInfo(): DatasetInfo {
    const name = this.dataset_hparams.dataset_name;
    return this.registry.dataset(name).instance.info(name);
  }

  /** Iterations in one epoch of the training set, after subsampling. */
  get iterationsPerEpoch(): number {
    return iterationsPerEpoch(this.dataset_hparams, this.datasetInfo());
  }

  /** The end of training: `training_steps` read against the dataset's epoch length. */
  get endStep(): Step {
    return Step.fromStr(this.training_hparams.training_steps, this.iterationsPerEpoch);
  }
}
