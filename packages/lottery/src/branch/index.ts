/**
 * Branches: experiments run off the levels of a lottery trunk (`lth lottery_branch <name>`).
 * A plugin writes a `Branch` subclass whose `run` parameters carry `arg.*` decorators and
 * registers it with `@branch({ name, description })`.
 */
export { arg, declaredArgs, type ArgDecorator, type ArgOptions, type BranchArgSpec, type GroupArgOptions, type TrunkGroup } from './arg';
export { Branch } from './branch';
export { BRANCH_ARGS_GROUP, branchHparamsClass, branchFlagsClass, overridesClass, resolveBranchArgs } from './branch-hparams';
export { BRANCH_DESC_FILE, BranchDesc } from './branch-desc';
export { formatExperimentTable, summarizeExperiment, type BranchResult, type ExperimentSummary, type ExperimentTableOptions } from './branch-summary';
export { BranchContext, type BranchContextOptions, type BranchTrainOptions, type TrunkPoint } from './context';
export { formatLevelList, parseLevelList } from './level-list';
export { branch, branchMenu, listBranches, registeredBranch, type BranchMeta, type RegisteredBranch } from './register';
export { BranchRunner, type BranchRunOptions } from './runner';
export { checkTrunkLevels, trunkLevels, trunkReplicateDir } from './trunk-levels';
export { TrunkArgs, trunkByDir, type TrunkByDir } from './trunk-dir';
export { BranchLevelsArgs, branchRunnerFor, LotteryBranchWorkflow } from './workflow';
