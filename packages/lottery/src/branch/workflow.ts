import { group, Hparams, inject, injectable, LthError, str, TOKENS, workflow, type FlagGroup, type Job, type Registry, type Workflow } from '@lth/kernel';
import { LotteryDesc } from '../desc';
import { LOTTERY_SELECTORS, LotteryWorkflow, type LotterySelectors } from '../workflow';
import { levelListComplaint, parseLevelList } from './level-list';
import { branchMenu, registeredBranch } from './register';
import { BranchRunner } from './runner';
import { checkTrunkFlags, platformAt, trunkByDir, TrunkArgs, trunkReplicate, withTrunkDefaults } from './trunk-dir';

/* eslint-disable @typescript-eslint/naming-convention -- field names are OpenLTH's flags */

/**
 * `--levels` of `lth lottery_branch`: which trunk levels to run the branch at, as OpenLTH's
 * string of levels and ranges (`0-2,5,7-9`). Not hashed. (OpenLTH's unused
 * `--pretrain_training_steps` of this group is gone, quirk 24.)
 */
@group({ name: 'Lottery Ticket Hyperparameters', description: 'Hyperparameters that control the lottery ticket process.' })
export class BranchLevelsArgs extends Hparams {
  @str({ help: 'The trunk levels to run the branch at: levels and inclusive ranges separated by commas, e.g. 0-2,5,7-9.', validate: levelListComplaint, list: true })
  levels!: string;
}

/**
 * `lth lottery_branch <branch>`: runs a registered branch at some levels of a lottery trunk
 * (OpenLTH's `lottery_branch`). Its flags are the trunk's (`lth lottery`'s, with `--levels` a
 * list of levels) and the branch's arguments under "Branch Arguments". The branch name may come
 * before or after the flags; without one, the branch menu (the branches with their
 * descriptions) is the whole error; an unknown one prints the menu and one error line with the
 * name it likely meant. `--display_output_location` prints the
 * branch's directory at every requested level. The trunk may instead be named by its directory
 * (`--trunk=<dir>`, or a path after the branch name): its hyperparameters come from its
 * `desc.json` (trunk flags given as well must agree), its results root is the directory above
 * it, and a path inside a replicate selects that replicate.
 */
@injectable()
@workflow({ name: 'lottery_branch', description: 'Run a lottery branch.' })
export class LotteryBranchWorkflow implements Workflow {
  constructor(@inject(TOKENS.Registry) private readonly registry: Registry) {}

  readonly positionals = [
    { name: 'branch', description: 'The branch to run. Run lth lottery_branch alone to list the branches.' },
    { name: 'trunk', description: "The trunk's directory, instead of its flags (as --trunk=<dir>).", optional: true },
  ];

  /** The trunk's selectors, and `--trunk` (the trunk's flags then come from its directory). */
  readonly selectors = { ...LOTTERY_SELECTORS, trunk: 'str' } as const;

  flagGroups(selectors: LotterySelectors & { readonly trunk?: string }): FlagGroup[] {
    const name = selectors.positionals[0];
    if (name === undefined) {
      throw new LthError('MISSING_BRANCH', '', branchMenu(this.registry));
    }
    const b = registeredBranch(this.registry, name);
    const dir = trunkPath(selectors.trunk, selectors.positionals[1]);
    let trunk: FlagGroup[];
    if (dir === null) {
      trunk = new LotteryWorkflow(this.registry).flagGroups(selectors).filter((g) => g.key !== 'lottery');
    } else {
      const { desc } = trunkByDir(dir, this.registry);
      const strategy = selectors.pruning_strategy ?? desc.pruning_hparams.pruning_strategy;
      trunk = withTrunkDefaults(new LotteryWorkflow(this.registry).flagGroups({ ...selectors, pruning_strategy: strategy }).filter((g) => g.key !== 'lottery'), desc);
    }
    return [{ key: 'levels', hparams: BranchLevelsArgs }, { key: 'trunk', hparams: TrunkArgs }, ...trunk, { key: 'branch', hparams: b.meta.flags }];
  }

  outputLocations(job: Job): string[] {
    return branchRunnerFor(job).outputLocations();
  }

  async run(job: Job): Promise<void> {
    await branchRunnerFor(job).run();
  }
}

/** The trunk directory of `--trunk` or the second positional (both: `BAD_ARGS` unless they agree), or null. */
function trunkPath(flag: string | null | undefined, positional: string | undefined): string | null {
  if (flag && positional && flag !== positional) {
    throw new LthError('BAD_ARGS', `Two trunks: --trunk=${flag} and ${positional}. Name the trunk once.`);
  }
  return flag || positional || null;
}

/** The branch runner a parsed `lth lottery_branch` job describes. */
export function branchRunnerFor(job: Job): BranchRunner {
  const levels = job.groups.levels;
  if (!(levels instanceof BranchLevelsArgs)) throw new Error("The lottery_branch workflow needs its 'levels' group (--levels)");
  const name = job.positionals[0];
  if (name === undefined) throw new LthError('MISSING_BRANCH', 'Name the branch to run: lth lottery_branch <branch> --levels=<levels> [flags].');
  const dir = trunkPath((job.groups.trunk as TrunkArgs | undefined)?.trunk ?? undefined, job.positionals[1]);
  const trunk = dir === null ? null : trunkByDir(dir, job.registry);
  if (trunk) checkTrunkFlags(job.groups, trunk);
  return new BranchRunner({
    branch: name,
    args: job.groups.branch,
    desc: trunk ? trunk.desc : LotteryDesc.fromGroups(job.groups, job.registry),
    levels: parseLevelList(levels.levels),
    replicate: trunk ? trunkReplicate(trunk, job.args.replicate) : job.args.replicate,
    platform: trunk ? platformAt(job.platform, trunk.root) : job.platform,
    out: job.out,
    verbose: !job.args.quiet,
    evaluateEveryEpoch: !job.args.evaluate_only_at_end,
  });
}
