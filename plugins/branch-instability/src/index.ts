import { definePlugin } from '@lth/kernel';
import { registerReportExtension } from './report';

export { BATCHNORM_POLICY, copyDirName, InstabilityBranch } from './instability';
export { interpolateInto, pathAlphas } from './interpolate';
export { evaluatePath, fileMd5 } from './path-evaluation';
export * from './results';
export { parseSeeds, seedsComplaint } from './seeds';
export { instabilityReportExtension, readInstabilityRun, registerReportExtension } from './report';

registerReportExtension();

/** The `instability` branch. */
export const plugin = definePlugin({
  name: '@lth/plugin-branch-instability',
  version: '0.1.0',
  kernel: '^0.1.0',
  dependencies: { '@lth/lottery': '^0.1.0', '@lth/training': '^0.1.0' },
  description: "Branch 'instability': linear mode connectivity of two copies of a level trained with different data orders (Frankle et al. 2020).",
});
