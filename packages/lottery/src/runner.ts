import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  assertWritable,
  LthError,
  Mask,
  writeFileAtomic,
  type Model,
  readTextFileBounded,
  type Output,
  type Platform,
  type PruningStrategy,
} from '@lth/kernel';
import { modelExists, saveModel } from '@lth/nn';
import { checkRunInputs, ExperimentRun, trainingComplete, validateModelHparams, validateTrainingHparams } from '@lth/training';
import { applyMask } from './apply-mask';
import { formatExperimentTable, summarizeExperiment } from './branch/branch-summary';
import { trunkReplicateDir } from './branch/trunk-levels';
import type { LotteryDesc } from './desc';
import { buildLotteryModel, levelRoot, loadLevelWeights, loadPretrainedInto } from './levels';
import { lotteryPruningContext } from './pruning-context';
import { summarizeLevel, type LevelSummary } from './summary';

/** The file in `level_0/main` that records the job arguments OpenLTH never wrote down (quirk 10). */
export const LOTTERY_RUN_FILE = 'lottery_run.json';

/** What one `lth lottery` job needs. */
export interface LotteryRunOptions {
  readonly desc: LotteryDesc;
  /** Levels of pruning after the dense level 0 (`--levels`). */
  readonly levels: number;
  /**
   * Run this level alone (with the pretraining and the initial weights first at level 0): one
   * job of a chain that a batch scheduler runs level after level. Level `onlyLevel - 1` must be
   * trained. The closing table shows levels 0..onlyLevel.
   */
  readonly onlyLevel?: number;
  readonly replicate: number;
  readonly platform: Platform;
  readonly out: Output;
  /** Print banners and training progress (default: unless the output is quiet). */
  readonly verbose?: boolean;
  /** Evaluate on the test set at every epoch (default) or only at each level's start and end. */
  readonly evaluateEveryEpoch?: boolean;
}

/**
 * OpenLTH's `LotteryRunner` (spec §9): iterative magnitude pruning with rewinding.
 *
 * 1. Pretrain (with `--rewinding_steps` or `--pretrain`) in `level_pretrain/main`.
 * 2. Establish the initial weights in `level_0/main` at `trainStartStep`: a seeded fresh
 *    network, or the pretrained one (with a fresh output layer when the pretraining task has
 *    a different number of classes).
 * 3. For each level L in 0..levels: make its mask (all ones at level 0; at L ≥ 1 the strategy
 *    prunes level L-1's trained weights), then train from the rewind point: the level-0
 *    weights at `trainStartStep`, masked, saved as the level's start weights, trained with the
 *    mask enforced after every step.
 *
 * Every step is skipped when its result is on disk (the pretrained model, the initial
 * weights, a level's mask, a level's end model and logger), and training resumes from its
 * checkpoint, so a killed run started again finishes the same experiment without training a
 * finished level twice. All input is checked by `validate()` before anything is written; then
 * the replicate directory is locked (`lockExperiment`) until the run ends.
 */
export class LotteryRunner {
  private readonly job: ExperimentRun;

  constructor(private readonly options: LotteryRunOptions) {
    this.job = new ExperimentRun(options);
  }

  get desc(): LotteryDesc {
    return this.options.desc;
  }

  private get root(): string {
    return this.options.platform.root;
  }

  private get replicate(): number {
    return this.options.replicate;
  }

  /** Where the experiment's results are: level 0's directory (`--display_output_location`). */
  outputLocations(): string[] {
    return [this.levelRoot(0)];
  }

  /** `level_<L>/main` of this replicate. */
  levelRoot(level: number | 'pretrain'): string {
    return levelRoot(this.desc, this.root, this.replicate, level);
  }

  /** The strategy named by the pruning hparams, with a check that the hparams are its class. */
  strategy(): PruningStrategy {
    const hp = this.desc.pruning_hparams;
    const name = hp.pruning_strategy;
    const c = this.desc.registry.strategy(name);
    if (!(hp instanceof c.meta.hparams)) {
      throw new LthError('BAD_HPARAM', `The pruning hyperparameters are not those of strategy '${name}'; build them with ${c.meta.hparams.name}.`);
    }
    return c.instance;
  }

  /**
   * Checks everything a user can get wrong, before anything is written: levels, replicate,
   * the datasets, model and strategy names, the strategy's hparams against the model (e.g.
   * ignored layers that are not prunable weights), the pretraining network against the main
   * one, the rewind point against the end of training, and the results root.
   */
  validate(): void {
    const { levels } = this.options;
    if (!Number.isInteger(levels) || levels < 0) throw new LthError('BAD_HPARAM', `--levels=${levels} is invalid: must be a non-negative integer.`);
    this.levelRoot(0);
    const desc = this.desc;
    validateModelHparams(desc.model_hparams, desc.registry);
    validateTrainingHparams(desc.training_hparams, desc.iterationsPerEpoch());
    if (desc.pretrain) validateTrainingHparams(desc.pretrain_training_hparams!, desc.iterationsPerEpoch(true));
    const end = desc.trainEndStep;
    const start = desc.trainStartStep;
    if (start.ge(end)) {
      const what = desc.pretrain_training_hparams?.training_steps;
      if (what === undefined) {
        throw new LthError('BAD_STEP', `--training_steps=${desc.training_hparams.training_steps} trains for no iterations: give each level at least one step.`);
      }
      throw new LthError(
        'BAD_STEP',
        `The rewind point ${what} (${start.iteration} iterations) is not before the end of training, --training_steps=${desc.training_hparams.training_steps} (${end.iteration} iterations). Choose fewer --rewinding_steps (or --pretrain_training_steps).`,
      );
    }
    const strategy = this.strategy();
    const model = buildLotteryModel(desc, this.replicate);
    try {
      Mask.onesLike(model);
      strategy.validate?.(desc.pruning_hparams, model, { levels, numTrainExamples: desc.numTrainExamples(), batchSize: desc.dataset_hparams.batch_size });
      if (desc.pretrain) this.checkPretrainCompatible(model);
    } finally {
      model.dispose();
    }
    const only = this.options.onlyLevel;
    if (only !== undefined) {
      if (!Number.isInteger(only) || only < 0 || only > levels) throw new LthError('BAD_HPARAM', `--level_only=${only} is invalid: must be a level from 0 to --levels=${levels}.`);
      if (only > 0 && !this.levelDone(only - 1)) {
        throw new LthError('LEVEL_NOT_READY', `Level ${only - 1} is not trained yet (${this.levelRoot(only - 1)}): run level ${only} after it.`);
      }
    }
    assertWritable(this.root);
  }

  /** Whether level L is trained: its end model and its logger are on disk. */
  levelDone(level: number): boolean {
    return trainingComplete(this.levelRoot(level), this.desc.trainEndStep);
  }

  /**
   * Before the banner: the datasets (main and pretraining) are there and intact (unless every
   * level is trained already), `--blur_factor` fits their images, and the network takes them
   * (`checkRunInputs`).
   */
  private async checkInputs(): Promise<void> {
    const { platform, out, levels } = this.options;
    const complete = Array.from({ length: levels + 1 }, (_, l) => l).every((l) => this.levelDone(l));
    const phases = this.desc.pretrain ? [false, true] : [false];
    for (const pretrain of phases) {
      const model = buildLotteryModel(this.desc, this.replicate, pretrain);
      try {
        const dataset = pretrain ? this.desc.pretrain_dataset_hparams! : this.desc.dataset_hparams;
        await checkRunInputs({ dataset, model, platform, registry: this.desc.registry, out, loadData: !complete });
      } finally {
        model.dispose();
      }
    }
  }

  private checkPretrainCompatible(model: Model): void {
    const pre = buildLotteryModel(this.desc, this.replicate, true);
    try {
      const outputs = new Set(model.outputLayerNames);
      const preShapes = new Map(pre.state.map((e) => [e.name, String(e.variable.shape)]));
      for (const e of model.state) {
        if (outputs.has(e.name)) continue;
        if (preShapes.get(e.name) !== String(e.variable.shape)) {
          throw new LthError(
            'BAD_PRETRAIN',
            `Pretraining on ${this.desc.pretrain_dataset_hparams!.dataset_name} gives ${model.name} a ${e.name} of shape [${preShapes.get(e.name) ?? 'none'}], but training on ${this.desc.dataset_hparams.dataset_name} needs [${e.variable.shape}]. Pretrain on a dataset with the same input shape.`,
          );
        }
      }
    } finally {
      pre.dispose();
    }
  }

  /** Runs (or finishes) the experiment and returns the closing table's rows. */
  async run(): Promise<LevelSummary[]> {
    this.validate();
    await this.checkInputs();
    return this.job.locked([trunkReplicateDir(this.desc, this.root, this.replicate)], () => this.runLocked());
  }

  private async runLocked(): Promise<LevelSummary[]> {
    const t0 = performance.now();
    const { platform, levels } = this.options;
    const run = this.job;
    const desc = this.desc;
    run.banner(`Lottery Ticket Experiment (Replicate ${this.replicate})`, desc.display(), this.levelRoot(0));
    run.saveDesc(desc, this.levelRoot(0));
    if (run.primary) this.recordRun();
    const only = this.options.onlyLevel;
    const first = only ?? 0;
    const last = only ?? levels;
    if (first === 0) {
      if (desc.pretrain) await this.pretrain();
      if (platform.isPrimary) this.establishInitialWeights();
      await platform.barrier();
    }
    for (let level = first; level <= last; level++) {
      if (platform.isPrimary) await this.pruneLevel(level);
      await platform.barrier();
      await this.trainLevel(level);
    }
    const rows = this.summaries(last);
    if (run.primary) run.print(this.closingTable(rows, last));
    run.finish(trunkReplicateDir(desc, this.root, this.replicate), t0);
    return rows;
  }

  /** The closing table's rows for levels 0..upTo (default `levels`; all must be trained). */
  summaries(upTo: number = this.options.levels): LevelSummary[] {
    const rows: LevelSummary[] = [];
    for (let level = 0; level <= upTo; level++) rows.push(summarizeLevel(level, this.levelRoot(level)));
    return rows;
  }

  /**
   * The closing table: the levels' rows, with a column per branch found under levels
   * 0..levels (`lth lottery_branch` results) beside the trunk's accuracies; with no branch,
   * the trunk's table alone.
   */
  private closingTable(rows: readonly LevelSummary[], upTo: number): string {
    const { branches } = summarizeExperiment(trunkReplicateDir(this.desc, this.root, this.replicate));
    const under = branches.filter((b) => b.level <= upTo);
    return formatExperimentTable({ trunk: rows, branches: under }, this.replicate, { trunkBest: true });
  }

  /** Writes `lottery_run.json`: the replicate and the most levels any run of it asked for. */
  private recordRun(): void {
    const file = path.join(this.levelRoot(0), LOTTERY_RUN_FILE);
    let previous = 0;
    try {
      previous = Number(JSON.parse(readTextFileBounded(file)).levels) || 0;
    } catch {
      previous = 0;
    }
    const record = { hashname: this.desc.hashname, replicate: this.replicate, levels: Math.max(previous, this.options.levels) };
    writeFileAtomic(file, JSON.stringify(record, null, 2) + '\n');
  }

  private async pretrain(): Promise<void> {
    const desc = this.desc;
    const loc = this.levelRoot('pretrain');
    this.job.section('Pretraining');
    if (modelExists(loc, desc.pretrainEndStep)) {
      this.job.log(`Pretraining is already done: ${loc}`);
      return;
    }
    const model = buildLotteryModel(desc, this.replicate, true);
    try {
      await this.job.train({
        model,
        registry: desc.registry,
        outputLocation: loc,
        dataset: desc.pretrain_dataset_hparams!,
        training: desc.pretrain_training_hparams!,
        progressLabel: 'pretraining',
      });
    } finally {
      model.dispose();
    }
  }

  private establishInitialWeights(): void {
    const desc = this.desc;
    const loc = this.levelRoot(0);
    const start = desc.trainStartStep;
    if (modelExists(loc, start)) return;
    const model = buildLotteryModel(desc, this.replicate);
    try {
      if (desc.pretrain) loadPretrainedInto(model, desc, this.root, this.replicate, desc.pretrainEndStep);
      saveModel(model, loc, start);
    } finally {
      model.dispose();
    }
  }

  private async pruneLevel(level: number): Promise<void> {
    const loc = this.levelRoot(level);
    if (Mask.reportMissing(loc)) {
      const model = buildLotteryModel(this.desc, this.replicate);
      try {
        Mask.load(loc, model).saveReport(loc);
      } finally {
        model.dispose();
      }
    }
    if (Mask.exists(loc)) return;
    if (level === 0) {
      const model = buildLotteryModel(this.desc, this.replicate);
      try {
        Mask.onesLike(model).save(loc);
      } finally {
        model.dispose();
      }
      return;
    }
    const prev = this.levelRoot(level - 1);
    const model = loadLevelWeights(this.desc, this.root, this.replicate, level - 1, this.desc.trainEndStep);
    try {
      const context = lotteryPruningContext({ desc: this.desc, root: this.root, replicate: this.replicate, level, platform: this.options.platform, out: this.options.out });
      const mask = await this.strategy().prune(this.desc.pruning_hparams, model, Mask.load(prev, model), context);
      mask.save(loc);
    } finally {
      model.dispose();
    }
  }

  private async trainLevel(level: number): Promise<void> {
    const desc = this.desc;
    const loc = this.levelRoot(level);
    this.job.section(`Pruning Level ${level}`);
    if (this.levelDone(level)) {
      this.job.log(`Level ${level} is already trained: ${loc}`);
      return;
    }
    const model = loadLevelWeights(desc, this.root, this.replicate, 0, desc.trainStartStep);
    try {
      const mask = Mask.load(loc, model);
      applyMask(model, mask);
      if (this.job.primary) saveModel(model, loc, desc.trainStartStep);
      await this.job.train({
        model,
        registry: desc.registry,
        outputLocation: loc,
        dataset: desc.dataset_hparams,
        training: desc.training_hparams,
        startStep: desc.trainStartStep,
        mask,
        progressLabel: `level ${level}/${this.options.levels}`,
      });
    } finally {
      model.dispose();
    }
  }
}
