import { definePlugin } from '@lth/kernel';

export { LotteryArgs, RewindingArgs } from './args';
export { LotteryDesc, type Level, type LotteryDescParts } from './desc';
export { locateTrunk, lotteryDescFromRecord, readDescRecord, type DescRecord } from './desc-file';
export { applyMask, countMaskViolations } from './apply-mask';
export { buildLotteryModel, levelModelFile, levelRoot, loadLevelMask, loadLevelWeights, modelBuildOptions } from './levels';
export { defaultHparamsFor } from './default-hparams';
export { formatSummaryTable, summarizeLevel, type LevelSummary } from './summary';
export { LOTTERY_RUN_FILE, LotteryRunner, type LotteryRunOptions } from './runner';
export { LotteryWorkflow, runnerFor } from './workflow';
export * from './branch';

/** The `lottery` workflow (and, for the branches, the lottery desc and level helpers). */
export const plugin = definePlugin({
  name: '@lth/lottery',
  version: '0.1.0',
  kernel: '^0.1.0',
  description: 'The lottery workflow: iterative magnitude pruning with rewinding (OpenLTH lottery).',
});
