import * as fs from 'node:fs';
import {
  Mask,
  Step,
  type BranchContext as BranchContextContract,
  type BranchTrainOptions,
  type Model,
  type Output,
  type Platform,
  type Registry,
  type TrunkPoint,
} from '@lth/kernel';
import { buildModel } from '@lth/nn';
import type { ExperimentRun, TrainResult } from '@lth/training';
import { applyMask } from '../apply-mask';
import type { LotteryDesc } from '../desc';
import { buildLotteryModel, levelModelFile, levelRoot, loadLevelMask, loadLevelWeights, loadPretrainedInto, modelBuildOptions } from '../levels';
import type { BranchDesc } from './branch-desc';

export type { BranchTrainOptions, TrunkPoint } from '@lth/kernel';

/** What a `BranchContext` is made from. */
export interface BranchContextOptions {
  readonly branchDesc: BranchDesc;
  readonly level: number;
  readonly replicate: number;
  /** The job: its platform, output, verbosity and evaluation schedule, how it prints and trains. */
  readonly run: ExperimentRun;
}

/**
 * The lottery's `BranchContext` (the kernel's contract, documented there), for one trunk level
 * of a `LotteryDesc` trunk, made by the branch runner.
 */
export class BranchContext implements BranchContextContract {
  constructor(private readonly options: BranchContextOptions) {}

  /** The trunk's lottery desc. */
  get desc(): LotteryDesc {
    return this.options.branchDesc.lottery_desc;
  }

  /** The session's registry (the trunk's desc is bound to it). */
  get registry(): Registry {
    return this.desc.registry;
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
    return this.options.run.platform;
  }

  get out(): Output {
    return this.options.run.out;
  }

  get verbose(): boolean {
    return this.options.run.verbose;
  }

  get evaluateEveryEpoch(): boolean {
    return this.options.run.evaluateEveryEpoch;
  }

  get root(): string {
    return this.platform.root;
  }

  get levelRoot(): string {
    return levelRoot(this.desc, this.root, this.replicate, this.level);
  }

  get branchRoot(): string {
    return this.options.branchDesc.runPath(this.root, this.replicate, this.level);
  }

  get stepZero(): Step {
    return Step.zero(this.desc.iterationsPerEpoch());
  }

  get trainStartStep(): Step {
    return this.desc.trainStartStep;
  }

  get trainEndStep(): Step {
    return this.desc.trainEndStep;
  }

  trunkStep(at: TrunkPoint): Step {
    return at === 'init' ? this.stepZero : at === 'rewind' ? this.trainStartStep : this.trainEndStep;
  }

  trunkWeightsFile(at: TrunkPoint): string {
    if (at === 'init' && this.desc.pretrain) {
      return levelModelFile(this.desc, this.root, this.replicate, 'pretrain', Step.zero(this.desc.iterationsPerEpoch(true)));
    }
    return levelModelFile(this.desc, this.root, this.replicate, 0, this.trunkStep(at));
  }

  trunkWeights(at: TrunkPoint): Model {
    if (!(at === 'init' && this.desc.pretrain)) return loadLevelWeights(this.desc, this.root, this.replicate, 0, this.trunkStep(at));
    const model = buildLotteryModel(this.desc, this.replicate);
    try {
      loadPretrainedInto(model, this.desc, this.root, this.replicate, Step.zero(this.desc.iterationsPerEpoch(true)));
    } catch (e) {
      model.dispose();
      throw e;
    }
    return model;
  }

  levelWeightsFile(step: Step): string {
    return levelModelFile(this.desc, this.root, this.replicate, this.level, step);
  }

  levelWeights(step: Step): Model {
    return loadLevelWeights(this.desc, this.root, this.replicate, this.level, step);
  }

  levelMask(model?: Model): Mask {
    if (model) return loadLevelMask(this.desc, this.root, this.replicate, this.level, model);
    const throwaway = buildLotteryModel(this.desc, this.replicate);
    try {
      return loadLevelMask(this.desc, this.root, this.replicate, this.level, throwaway);
    } finally {
      throwaway.dispose();
    }
  }

  buildModel(seed?: number | string): Model {
    const options = modelBuildOptions(this.desc, this.replicate);
    return buildModel(this.desc.model_hparams, seed === undefined ? options : { ...options, seed });
  }

  exists(file: string): boolean {
    return fs.existsSync(file);
  }

  log(line: string): void {
    this.options.run.log(line);
  }

  async train(o: BranchTrainOptions): Promise<TrainResult> {
    const dir = o.outputLocation ?? this.branchRoot;
    applyMask(o.model, o.mask);
    if (this.platform.isPrimary) o.mask.save(dir);
    await this.platform.barrier();
    return this.options.run.train({
      model: o.model,
      registry: this.desc.registry,
      outputLocation: dir,
      dataset: o.dataset ?? this.desc.dataset_hparams,
      training: o.training ?? this.desc.training_hparams,
      startStep: o.startStep ?? this.trainStartStep,
      mask: o.mask,
      progressLabel: `${this.branchName} level ${this.level}`,
    });
  }
}
