import type { DatasetInfo, DatasetHparams } from '@lth/kernel';

/**
 * OpenLTH's `iterations_per_epoch`: `ceil(numTrainExamples * (subsample_fraction or 1) /
 * batch_size)` in float arithmetic. It can differ from `ceil(ceil(N·f) / batch_size)`, the
 * batches a subsampled loader really yields, in edge cases (quirk 38, kept: steps and names
 * must match OpenLTH's).
 */
export function iterationsPerEpoch(hp: DatasetHparams, info: DatasetInfo): number {
  return Math.ceil((info.numTrainExamples * (hp.subsample_fraction || 1)) / hp.batch_size);
}

/** The classes the model must output: 4 with `--unsupervised_labels=rotation`, else the dataset's. */
export function numClasses(hp: DatasetHparams, info: DatasetInfo): number {
  return hp.unsupervised_labels === 'rotation' ? 4 : info.numClasses;
}
