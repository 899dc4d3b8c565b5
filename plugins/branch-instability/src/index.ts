import { registerReportExtension } from './report';

export { BATCHNORM_STATS, batchnormPolicy, recomputeBatchNorm, RECOMPUTE_BATCHES, runningStatEntries } from './batchnorm';
export { copyDirName, InstabilityBranch } from './instability';
export { interpolateInto, pathAlphas } from './interpolate';
export { evaluatePath, fileMd5 } from './path-evaluation';
export * from './results';
export { parseSeeds, seedsComplaint } from './seeds';
export { instabilityFigure, instabilityReportExtension, readInstabilityRun, registerReportExtension } from './report';

registerReportExtension();
