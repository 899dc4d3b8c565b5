import { assertWritable, type Hparams, type Output, type Platform } from '@lth/kernel';
import { ExperimentRun, validateModelHparams, validateTrainingHparams } from '@lth/training';
import type { LotteryDesc } from '../desc';
import { BranchDesc } from './branch-desc';
import { formatExperimentTable, summarizeExperiment, type ExperimentSummary } from './branch-summary';
import { resolveBranchArgs } from './branch-hparams';
import { BranchContext } from './context';
import { registeredBranch, type RegisteredBranch } from './register';
import { checkTrunkLevels, trunkReplicateDir } from './trunk-levels';

/** What one `lth lottery_branch <name>` job needs. */
export interface BranchRunOptions {
  /** The registered branch name. */
  readonly branch: string;
  /**
   * The branch's arguments: its parsed flags (an instance of the branch's flags class) or plain
   * values by argument name (group arguments as hparams or records; those that default to a
   * trunk group may be left out or given in part).
   */
  readonly args: Hparams | Record<string, unknown>;
  /** The trunk. */
  readonly desc: LotteryDesc;
  /** Trunk levels to run the branch at (`parseLevelList('0-2,5')`). */
  readonly levels: readonly number[];
  readonly replicate: number;
  readonly platform: Platform;
  readonly out: Output;
  /** Print banners and training progress (default: unless the output is quiet). */
  readonly verbose?: boolean;
  /** Evaluate on the test set every epoch (default) or only at the start and end. */
  readonly evaluateEveryEpoch?: boolean;
}

/**
 * Runs a branch at each requested level of a trunk (OpenLTH's `Branch.run` and `BranchRunner`).
 *
 * Before anything is written it checks the trunk's hyperparameters, that the trunk has
 * reached every requested level, and the branch's own `validate` at each level. Then, level by
 * level: the banner (`Branch <name> (Replicate R, Level L)`, the trunk's and the branch's
 * hyperparameters, the output location), `hparams.log` and `desc.json` in the branch directory,
 * and the branch's `run`. At the end it calls the branch's `summarize` (if any) with every
 * level's context, then prints the experiment table: the trunk's levels and every branch found
 * under them. The branch's directory at every requested level is locked (`lockExperiment`) for
 * the whole run.
 */
export class BranchRunner {
  readonly branch: RegisteredBranch;
  readonly branchDesc: BranchDesc;
  private readonly job: ExperimentRun;

  constructor(private readonly options: BranchRunOptions) {
    this.branch = registeredBranch(options.desc.registry, options.branch);
    const args = resolveBranchArgs(this.branch.meta.hparams, this.branch.meta.args, options.args, options.desc);
    this.branchDesc = new BranchDesc(options.desc, args, options.branch);
    this.job = new ExperimentRun(options);
  }

  get levels(): readonly number[] {
    return this.options.levels;
  }

  /** The trunk, its replicate and its results root (those of `--trunk=<dir>` when given). */
  get trunk(): { readonly desc: LotteryDesc; readonly replicate: number; readonly root: string } {
    return { desc: this.options.desc, replicate: this.options.replicate, root: this.options.platform.root };
  }

  /** The branch's directory at every requested level, in level order. */
  outputLocations(): string[] {
    return this.options.levels.map((l) => this.branchDesc.runPath(this.options.platform.root, this.options.replicate, l));
  }

  /** The arguments in `run`'s parameter order. */
  private argValues(): never[] {
    const values = this.branchDesc.branch_hparams.values();
    return this.branch.meta.args.map((a) => values[a.name]) as never[];
  }

  /** A context for `level`. */
  context(level: number): BranchContext {
    return new BranchContext({ branchDesc: this.branchDesc, level, replicate: this.options.replicate, run: this.job });
  }

  /** Every check that needs no writing: trunk hyperparameters, levels reached, the branch's own checks. */
  validate(): void {
    const { desc, platform, replicate } = this.options;
    validateModelHparams(desc.model_hparams, desc.registry);
    validateTrainingHparams(desc.training_hparams, desc.iterationsPerEpoch());
    checkTrunkLevels(desc, platform.root, replicate, this.options.levels);
    for (const level of this.options.levels) this.branch.instance.validate(this.context(level), ...this.argValues());
    assertWritable(platform.root);
  }

  /** Runs the branch at every level, then prints the experiment table and returns it. */
  async run(): Promise<ExperimentSummary> {
    this.validate();
    const first = this.options.levels[0];
    if (this.branch.instance.preflight && first !== undefined) await this.branch.instance.preflight(this.context(first), ...this.argValues());
    return this.job.locked(this.outputLocations(), () => this.runLocked());
  }

  private async runLocked(): Promise<ExperimentSummary> {
    const t0 = performance.now();
    const { platform, out, replicate } = this.options;
    const job = this.job;
    const contexts: BranchContext[] = [];
    for (const level of this.options.levels) {
      const context = this.context(level);
      contexts.push(context);
      job.banner(`Branch ${this.branch.name} (Replicate ${replicate}, Level ${level})`, this.branchDesc.display(), context.branchRoot);
      job.saveDesc(this.branchDesc, context.branchRoot, { level, replicate });
      await platform.barrier();
      await this.branch.instance.run(context, ...this.argValues());
    }
    await this.branch.instance.summarize?.(contexts, ...this.argValues());
    const summary = summarizeExperiment(trunkReplicateDir(this.options.desc, platform.root, replicate));
    if (!out.quiet) job.print(formatExperimentTable(summary, replicate));
    job.finish(trunkReplicateDir(this.options.desc, platform.root, replicate), t0);
    return summary;
  }
}
