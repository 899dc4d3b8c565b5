import * as path from 'node:path';
import {
  DatasetHparams,
  Desc,
  Hparams,
  LthError,
  ModelHparams,
  parseStepString,
  PruningHparams,
  Step,
  TrainingHparams,
  type DatasetInfo,
  type Registry,
} from '@lth/kernel';
import { iterationsPerEpoch } from '@lth/data';
import { RewindingArgs } from './args';

/** A trunk level: `0..levels`, or `'pretrain'` for the pretraining (rewinding) phase. */
export type Level = number | 'pretrain';

/** What `LotteryDesc.create` needs: the four main groups and how pretraining is asked for. */
export interface LotteryDescParts {
  readonly model: ModelHparams;
  readonly dataset: DatasetHparams;
  readonly training: TrainingHparams;
  readonly pruning: PruningHparams;
  /** `--pretrain`: pretrain with the `--pretrain_*` groups below (dropped when their steps are zero). */
  readonly pretrain?: boolean;
  readonly pretrainDataset?: DatasetHparams | null;
  readonly pretrainTraining?: TrainingHparams | null;
  /** `--rewinding_steps`: pretrain with copies of the main groups for this many steps (zero: none). */
  readonly rewindingSteps?: string | null;
  /** The session's registry to bind the desc to (see `Desc.bind`); needed for steps and dataset sizes. */
  readonly registry?: Registry;
}

/**
 * What defines a lottery ticket experiment (OpenLTH's `LotteryDesc`, spec §2.3): the model,
 * dataset, training and pruning hyperparameters, and, when the network is pretrained or
 * rewound, the pretraining dataset and training hyperparameters.
 *
 * `hashname` is `lottery_<md5>` of the groups' canonical strings in alphabetical order of
 * these field names (dataset, model, pretrain_dataset, pretrain_training, pruning, training),
 * byte-for-byte OpenLTH's. Rewinding to step K is pretraining for K steps with the main
 * hyperparameters, so `--rewinding_steps=K` and `--pretrain --pretrain_training_steps=K` name
 * the same experiment (quirk 3, kept), and zero steps (`0ep`, `0it`, `0ep0it`) add nothing.
 *
 * Steps are read against the registered dataset's epoch length, so the step getters need
 * the dataset plugins loaded.
 */
export class LotteryDesc extends Desc {
  constructor(
    readonly model_hparams: ModelHparams,
    readonly dataset_hparams: DatasetHparams,
    readonly training_hparams: TrainingHparams,
    readonly pruning_hparams: PruningHparams,
    readonly pretrain_dataset_hparams: DatasetHparams | null = null,
    readonly pretrain_training_hparams: TrainingHparams | null = null,
  ) {
    super();
    if ((pretrain_dataset_hparams === null) !== (pretrain_training_hparams === null)) {
      throw new Error('LotteryDesc needs both pretraining groups or neither');
    }
  }

  /**
   * OpenLTH's `create_from_args`: with `pretrain` and nonzero pretraining steps the pretraining
   * groups are used as given; otherwise with nonzero `rewindingSteps` they are copies of the
   * main dataset and training groups, the latter with `training_steps` set to the rewinding
   * steps. Either way their display titles gain the prefix `Pretraining `. Asking for both is
   * a `BAD_ARGS` error; a malformed rewinding step a `BAD_STEP` error naming the flag.
   */
  static create(parts: LotteryDescParts): LotteryDesc {
    const desc = LotteryDesc.unbound(parts);
    return parts.registry ? desc.bind(parts.registry) : desc;
  }

  private static unbound(parts: LotteryDescParts): LotteryDesc {
    const { model, dataset, training, pruning } = parts;
    const rewinding = parts.rewindingSteps ?? null;
    if (parts.pretrain && rewinding !== null) {
      throw new LthError('BAD_ARGS', 'Cannot set both --rewinding_steps and --pretrain: rewinding pretrains with the main hyperparameters; use --pretrain with --pretrain_* flags for anything else.');
    }
    if (parts.pretrain) {
      const pd = parts.pretrainDataset;
      const pt = parts.pretrainTraining;
      if (!pd || !pt) throw new Error('LotteryDesc.create: --pretrain needs the pretraining dataset and training groups');
      if (Step.strIsZero(pt.training_steps)) return new LotteryDesc(model, dataset, training, pruning);
      return new LotteryDesc(model, dataset, training, pruning, renamed(pd), renamed(pt));
    }
    if (rewinding !== null && rewinding !== '' && !Step.strIsZero(rewinding)) {
      checkRewindingString(rewinding);
      return new LotteryDesc(model, dataset, training, pruning, renamed(dataset), renamed(training.with({ training_steps: rewinding })));
    }
    return new LotteryDesc(model, dataset, training, pruning);
  }

  /**
   * Builds the desc from a parsed job's groups: `model`, `dataset`, `training`, `pruning`, the
   * `rewinding` arguments (`RewindingArgs`) and, with `--pretrain`, `pretrain_dataset` and
   * `pretrain_training`.
   */
  static fromGroups(groups: Readonly<Record<string, Hparams | undefined>>, registry: Registry): LotteryDesc {
    const want = <T extends Hparams>(key: string, cls: abstract new () => T): T => {
      const g = groups[key];
      if (!(g instanceof cls)) throw new Error(`The lottery workflow needs a ${cls.name} group under '${key}'`);
      return g;
    };
    const rewinding = groups.rewinding instanceof RewindingArgs ? groups.rewinding : null;
    const pretrain = rewinding?.pretrain ?? false;
    return LotteryDesc.create({
      model: want('model', ModelHparams),
      dataset: want('dataset', DatasetHparams),
      training: want('training', TrainingHparams),
      pruning: want('pruning', PruningHparams),
      pretrain,
      pretrainDataset: pretrain ? want('pretrain_dataset', DatasetHparams) : null,
      pretrainTraining: pretrain ? want('pretrain_training', TrainingHparams) : null,
      rewindingSteps: rewinding?.rewinding_steps ?? null,
      registry,
    });
  }

  get namePrefix(): string {
    return 'lottery';
  }

  groups(): Record<string, Hparams | null> {
    return {
      model_hparams: this.model_hparams,
      dataset_hparams: this.dataset_hparams,
      training_hparams: this.training_hparams,
      pruning_hparams: this.pruning_hparams,
      pretrain_dataset_hparams: this.pretrain_dataset_hparams,
      pretrain_training_hparams: this.pretrain_training_hparams,
    };
  }

  override displayOrder(): string[] {
    return ['dataset_hparams', 'model_hparams', 'training_hparams', 'pruning_hparams', 'pretrain_dataset_hparams', 'pretrain_training_hparams'];
  }

  /** Whether the experiment has a pretraining (or rewinding) phase. */
  get pretrain(): boolean {
    return this.pretrain_training_hparams !== null;
  }

  /**
   * `<root>/<hashname>/replicate_<replicate>/level_<level>/<experiment>`. The replicate must be
   * a positive integer and the level a non-negative integer or `'pretrain'`.
   */
  runPath(root: string, replicate: number, level: Level, experiment = 'main'): string {
    if (!Number.isInteger(replicate) || replicate <= 0) {
      throw new LthError('BAD_REPLICATE', `The replicate must be a positive integer (got ${replicate}).`);
    }
    if (level !== 'pretrain' && !(Number.isInteger(level) && level >= 0)) {
      throw new LthError('BAD_LEVEL', `A level must be a non-negative integer or 'pretrain' (got ${String(level)}).`);
    }
    return path.join(root, this.hashname, `replicate_${replicate}`, `level_${level}`, experiment);
  }

  /** The registered sizes of the main (or pretraining) dataset; `UNKNOWN_DATASET` names the known ones. */
  datasetInfo(pretrain = false): DatasetInfo {
    const hp = this.datasetFor(pretrain);
    return this.registry.dataset(hp.dataset_name).instance.info(hp.dataset_name);
  }

  /** Examples in the main training split as loaded: `ceil(N × --subsample_fraction)`. */
  numTrainExamples(): number {
    return Math.ceil(this.datasetInfo().numTrainExamples * (this.dataset_hparams.subsample_fraction || 1));
  }

  /** Iterations in one epoch of the main (or pretraining) training set. */
  iterationsPerEpoch(pretrain = false): number {
    return iterationsPerEpoch(this.datasetFor(pretrain), this.datasetInfo(pretrain));
  }

  /** A step string read against the main (or pretraining) dataset's epoch length. */
  strToStep(s: string, pretrain = false): Step {
    return Step.fromStr(s, this.iterationsPerEpoch(pretrain));
  }

  /** The end of pretraining, on the pretraining dataset (only with pretraining). */
  get pretrainEndStep(): Step {
    if (!this.pretrain_training_hparams) throw new Error('This lottery experiment has no pretraining phase');
    return this.strToStep(this.pretrain_training_hparams.training_steps, true);
  }

  /**
   * Where every level starts training (the rewind point): the pretraining steps read against
   * the **main** dataset's epoch length, as OpenLTH does, or step 0 without pretraining.
   */
  get trainStartStep(): Step {
    if (!this.pretrain_training_hparams) return Step.zero(this.iterationsPerEpoch());
    return this.strToStep(this.pretrain_training_hparams.training_steps);
  }

  /** The end of each level's training: `training_steps` on the main dataset. */
  get trainEndStep(): Step {
    return this.strToStep(this.training_hparams.training_steps);
  }

  private datasetFor(pretrain: boolean): DatasetHparams {
    if (!pretrain) return this.dataset_hparams;
    if (!this.pretrain_dataset_hparams) throw new Error('This lottery experiment has no pretraining phase');
    return this.pretrain_dataset_hparams;
  }
}

/** A copy whose display title is `Pretraining <title>` (OpenLTH renames deep copies the same way). */
function renamed<T extends Hparams>(h: T): T {
  const copy = h.with({});
  copy._name = `Pretraining ${h.displayName}`;
  return copy;
}

function checkRewindingString(s: string): void {
  try {
    parseStepString(s);
  } catch (e) {
    throw new LthError('BAD_STEP', `--rewinding_steps=${s}: ${(e as Error).message}`);
  }
}
