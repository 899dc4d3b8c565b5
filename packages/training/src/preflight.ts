import * as tf from '@tensorflow/tfjs-core';
import { LthError, type DatasetHparams, type Model, type Output, type Platform, type Registry } from '@lth/kernel';
import { loadSplit, numClasses } from '@lth/data';
import { datasetContext } from './standard-train';

/** What `checkRunInputs` checks. */
export interface RunInputs {
  readonly dataset: DatasetHparams;
  /** A freshly built model of the run (its output count is the dataset's classes). */
  readonly model: Model;
  readonly platform: Platform;
  /** The session's registry (the dataset family). */
  readonly registry: Registry;
  /** Where dataset downloads are reported. */
  readonly out: Output;
  /** Load both splits (skip it for a run that is already complete: it reads no data). */
  readonly loadData: boolean;
}

/** `--blur_factor` (written `flag`) may be at most the smallest side of the dataset's images. */
export function checkBlurFactor(hp: DatasetHparams, shape: readonly [number, number, number], flag = '--blur_factor'): void {
  const f = hp.blur_factor;
  if (f === null || f === undefined) return;
  const [h, w] = shape;
  if (f > Math.min(h, w)) {
    throw new LthError('BAD_HPARAM', `${flag}=${f} is invalid for ${hp.dataset_name}'s ${h}x${w} images: it must be at least 1 and at most ${Math.min(h, w)}.`);
  }
}

/**
 * Runs the model once on one blank image of the dataset's shape (in evaluation mode, no
 * gradients): a network that cannot take the dataset's images (too small for its pooling, the
 * wrong number of input features) fails here, as one `MODEL_DATASET_MISMATCH` error.
 */
function checkModelFits(model: Model, hp: DatasetHparams, shape: readonly [number, number, number], outputs: number): void {
  let got: number[];
  try {
    got = tf.tidy(() => model.forward(tf.zeros([1, ...shape]) as tf.Tensor4D, false).shape);
  } catch (e) {
    const why = (e as Error).message.split('\n')[0];
    throw new LthError('MODEL_DATASET_MISMATCH', `${model.name} cannot take ${hp.dataset_name}'s ${shape.join('x')} images (${why}). Choose a model made for this dataset (lth models) or another --dataset_name.`);
  }
  if (got.length !== 2 || got[0] !== 1 || got[1] !== outputs) {
    throw new LthError('MODEL_DATASET_MISMATCH', `${model.name} gives an output of shape [${got}] for one ${hp.dataset_name} image, not [1, ${outputs}]. Choose a model made for this dataset (lth models).`);
  }
}

/**
 * Checks, before a run prints its banner or writes anything, what otherwise fails only once
 * training starts: `--blur_factor` larger than the images, a model that cannot take the
 * dataset's images, and (with `loadData`) a missing or corrupt dataset (both splits are
 * loaded and closed; dataset families cache what they decode, so the run's own load is cheap).
 * Every failure is an `LthError`; nothing is written except a dataset being downloaded.
 */
export async function checkRunInputs(o: RunInputs): Promise<void> {
  const info = o.registry.dataset(o.dataset.dataset_name).instance.info(o.dataset.dataset_name);
  checkBlurFactor(o.dataset, info.imageShape);
  checkModelFits(o.model, o.dataset, info.imageShape, numClasses(o.dataset, info));
  if (o.loadData) await checkDatasetLoads(o.registry, o.dataset, o.platform, o.out);
}

/**
 * Loads and closes both splits of `dataset` (its family from `registry`): a missing or corrupt dataset fails here, as its
 * family's `LthError`, before a run writes anything (dataset families cache what they decode,
 * so the run's own load is cheap).
 */
export async function checkDatasetLoads(registry: Registry, dataset: DatasetHparams, platform: Platform, out: Output): Promise<void> {
  const ctx = datasetContext(platform, out);
  for (const split of ['train', 'test'] as const) {
    const source = await loadSplit(dataset, split, ctx, registry);
    await source.close?.();
  }
}
