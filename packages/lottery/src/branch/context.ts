import * as fs from 'node:fs';
import {
  buildModel,
  loadModelState,
  Mask,
  Step,
  type DatasetHparams,
  type Model,
  type Output,
  type Platform,
  type TrainingHparams,
} from '@lth/kernel';
import { standardTrain, type TrainResult } from '@lth/training';
import { applyMask } from '../apply-mask';
import type { LotteryDesc } from '../desc';
import { buildLotteryModel, levelModelFile, levelRoot, modelBuildOptions } from '../levels';
import type { BranchDesc } from './branch-desc';

/**
 * A point of the trunk's training where a branch can take weights from: `init` (step 0, before
 * any training or pretraining), `rewind` (the rewind step every level starts from: step 0
 * without rewinding or pretraining) and `end` (the end of training).
 */
export type TrunkPoint = 'init' | 'rewind' | 'end';

/** What `BranchContext.train` trains. */
export interface BranchTrainOptions {
  /** The network to train; its pruned weights are zeroed before training starts. */
  readonly model: Model;
  /** The mask kept through training; saved to the branch directory. */
  readonly mask: Mask;
  /** Where training starts (default: the trunk's rewind step). */
  readonly startStep?: Step;
  /** The dataset and training hyperparameters (default: the trunk's). */
  readonly dataset?: DatasetHparams;
  readonly training?: TrainingHparams;
}

/** What a `BranchContext` is made from. */
export interface BranchContextOptions {
  readonly branchDesc: BranchDesc;
  readonly level: number;
  readonly replicate: number;
  readonly platform: Platform;
  readonly out: Output;
  readonly verbose: boolean;
  readonly evaluateEveryEpoch: boolean;
}

/**
 * Everything a branch's `run` gets besides its arguments, for one trunk level: where the trunk
 * and the branch live, the trunk's desc and steps, and helpers that load the level's mask, the
 * trunk's weights at a step, a freshly initialised network, and train in the branch directory
 * with a mask.
 */
export class BranchContext {
  constructor(private readonly options: BranchContextOptions) {}

  /** The trunk's lottery desc. */
  get desc(): LotteryDesc {
    return this.options.branchDesc.lottery_desc;
  }

  get branchDesc(): BranchDesc {
    return this.options.branchDesc;
  }

  get branchName(): string {
    return this.options.branchDesc.branchName;
  }

  get level(): number {
    return this.options.level;
  }

  get replicate(): number {
    return this.options.replicate;
  }

  get platform(): Platform {
    return this.options.platform;
  }

  get out(): Output {
    return this.options.out;
  }

  get verbose(): boolean {
    return this.options.verbose;
  }

  get evaluateEveryEpoch(): boolean {
    return this.options.evaluateEveryEpoch;
  }

  /** The results root. */
  get root(): string {
    return this.options.platform.root;
  }

  /** The trunk level's directory, `level_<L>/main`. */
  get levelRoot(): string {
    return levelRoot(this.desc, this.root, this.replicate, this.level);
  }

  /** This branch's directory for this level, `level_<L>/lottery_branch_<name>_<md5>`. */
  get branchRoot(): string {
    return this.options.branchDesc.runPath(this.root, this.replicate, this.level);
  }

  /** Step 0 on the trunk's main dataset. */
  get stepZero(): Step {
    return Step.zero(this.desc.iterationsPerEpoch());
  }

  /** The rewind step every trunk level starts training from. */
  get trainStartStep(): Step {
    return this.desc.trainStartStep;
  }

  /** The end of every trunk level's training. */
  get trainEndStep(): Step {
    return this.desc.trainEndStep;
  }

  /** The step of a trunk point on the main dataset: 0, the rewind step, or the end step. */
  trunkStep(at: TrunkPoint): Step {
    return at === 'init' ? this.stepZero : at === 'rewind' ? this.trainStartStep : this.trainEndStep;
  }

  /**
   * The file the trunk's unpruned weights at `at` come from: level 0 (the dense network) at that
   * step, or for `init` with pretraining or rewinding, the pretraining run's step-0 weights,
   * the network's true initialisation (level 0 only has weights from the rewind step on).
   */
  trunkWeightsFile(at: TrunkPoint): string {
    if (at === 'init' && this.desc.pretrain) {
      return levelModelFile(this.desc, this.root, this.replicate, 'pretrain', Step.zero(this.desc.iterationsPerEpoch(true)));
    }
    return levelModelFile(this.desc, this.root, this.replicate, 0, this.trunkStep(at));
  }

  /**
   * The trunk's unpruned weights at `at` (see `trunkWeightsFile`), in a new network of the main
   * task. They are level 0's, never a pruned level's, so every weight a branch's mask keeps has
   * its trained (or initial) value, not the zero IMP gave it (OpenLTH quirk 30, fixed). With
   * pretraining on a task with a different number of classes, the output layer of `init` is
   * the main network's own initialisation, as level 0's is.
   */
  trunkWeights(at: TrunkPoint): Model {
    const model = buildLotteryModel(this.desc, this.replicate);
    try {
      const file = this.trunkWeightsFile(at);
      if (at === 'init' && this.desc.pretrain) copyMatching(model, this.loadPretrainingInit(file));
      else loadModelState(model, file);
    } catch (e) {
      model.dispose();
      throw e;
    }
    return model;
  }

  private loadPretrainingInit(file: string): Model {
    const pre = buildLotteryModel(this.desc, this.replicate, true);
    try {
      loadModelState(pre, file);
    } catch (e) {
      pre.dispose();
      throw e;
    }
    return pre;
  }

  /** The file of the trunk level's own weights at `step` (its start and end, saved IMP-masked). */
  levelWeightsFile(step: Step): string {
    return levelModelFile(this.desc, this.root, this.replicate, this.level, step);
  }

  /** The trunk level's own weights at `step`, as the level trained them (pruned weights are zero). */
  levelWeights(step: Step): Model {
    const model = buildLotteryModel(this.desc, this.replicate);
    try {
      loadModelState(model, this.levelWeightsFile(step));
    } catch (e) {
      model.dispose();
      throw e;
    }
    return model;
  }

  /** The trunk level's mask, for `model`'s weights (by default a throwaway network of the trunk's). */
  levelMask(model?: Model): Mask {
    if (model) return Mask.load(this.levelRoot, model);
    const throwaway = buildLotteryModel(this.desc, this.replicate);
    try {
      return Mask.load(this.levelRoot, throwaway);
    } finally {
      throwaway.dispose();
    }
  }

  /**
   * A freshly initialised network of the trunk's model, initialiser and task, drawn from `seed`
   * (any string or number; the same seed gives the same weights). Without a seed it is the
   * trunk's own initialisation (`model_seed`, or the replicate).
   */
  buildModel(seed?: number | string): Model {
    const options = modelBuildOptions(this.desc, this.replicate);
    return buildModel(this.desc.model_hparams, seed === undefined ? options : { ...options, seed });
  }

  /** Whether a file exists (for `validate`: the weights a run will need). */
  exists(file: string): boolean {
    return fs.existsSync(file);
  }

  /** Prints a line when the branch is verbose (and this is the primary process). */
  log(line: string): void {
    if (this.verbose && this.platform.isPrimary) this.out.line(line);
  }

  /**
   * Trains `model` in the branch directory, OpenLTH's `standard_train` with a mask: zeroes the
   * pruned weights, saves the mask (`mask.safetensors`, `sparsity_report.json`), then trains
   * from `startStep` (default the rewind step) to the end of `training` with the mask enforced
   * after every step. Finished training is skipped and interrupted training resumes from its
   * checkpoint.
   */
  async train(o: BranchTrainOptions): Promise<TrainResult> {
    applyMask(o.model, o.mask);
    if (this.platform.isPrimary) o.mask.save(this.branchRoot);
    await this.platform.barrier();
    return standardTrain({
      model: o.model,
      outputLocation: this.branchRoot,
      dataset: o.dataset ?? this.desc.dataset_hparams,
      training: o.training ?? this.desc.training_hparams,
      platform: this.platform,
      out: this.out,
      startStep: o.startStep ?? this.trainStartStep,
      verbose: this.verbose,
      evaluateEveryEpoch: this.evaluateEveryEpoch,
      mask: o.mask,
      progressLabel: `${this.branchName} level ${this.level}`,
    });
  }
}

/** Copies every tensor of `from` into `to` whose name and shape match; disposes `from`. */
function copyMatching(to: Model, from: Model): void {
  try {
    const byName = new Map(from.state.map((e) => [e.name, e]));
    for (const e of to.state) {
      const src = byName.get(e.name);
      if (src && String(src.variable.shape) === String(e.variable.shape)) e.variable.assign(src.variable);
    }
  } finally {
    from.dispose();
  }
}
