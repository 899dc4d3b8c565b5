export { BATCHNORM_STATS, batchnormPolicy, recomputeBatchNorm, RECOMPUTE_BATCHES, runningStatEntries } from './batchnorm';
export { copyDirName, InstabilityBranch } from './instability';
export { interpolateInto, pathAlphas } from './interpolate';
export { evaluatePath, fileMd5 } from './path-evaluation';
export * from './results';
export { parseSeeds, seedsComplaint } from './seeds';
export { instabilityFigure, readInstabilityRun } from './report';

/**
 * The report extension (`./report-extension`) is declared only when `@lth/plugin-workflow-report`
 * is installed: this plugin does not depend on it, and without it the branch runs as before.
 */
try {
  require('./report-extension');
} catch (e) {
  if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND' || !String((e as Error).message).includes('@lth/plugin-workflow-report')) throw e;
}
