import type { DatasetContext, ImageSource, DatasetHparams, Registry } from '@lth/kernel';
import { LthError } from '@lth/kernel';
import { blur, randomizeLabels, rotationLabels, subsample } from './transforms';

/**
 * Loads one split of the dataset `hp.dataset_name` as OpenLTH's `datasets.registry.get` does
 * (spec §6.3): the family registered under that name loads it (augmentation when
 * `split === 'train' && !hp.do_not_augment`), then the shared transformations run in
 * OpenLTH's order, all seeded by `transformation_seed ?? 0`:
 *
 * 1. `random_labels_fraction` (train only);
 * 2. `subsample_fraction` (train only), on the same permutation (quirk 37, kept);
 * 3. `blur_factor` (train only; it works here, unlike OpenLTH: quirk 35, fixed);
 * 4. `unsupervised_labels=rotation` (train and test; exact quarter turns: quirk 36, fixed).
 *
 * The family is looked up in `registry` (the session's); an unknown name is an
 * `UNKNOWN_DATASET` error listing the registered names.
 */
export async function loadSplit(hp: DatasetHparams, split: 'train' | 'test', ctx: DatasetContext, registry: Registry): Promise<ImageSource> {
  const family = registry.dataset(hp.dataset_name).instance;
  const augment = split === 'train' && !hp.do_not_augment;
  let source = await family.load(hp.dataset_name, split, ctx, augment);
  const seed = hp.transformation_seed ?? 0;
  if (split === 'train') {
    if (hp.random_labels_fraction) source = randomizeLabels(source, seed, hp.random_labels_fraction);
    if (hp.subsample_fraction) source = subsample(source, seed, hp.subsample_fraction);
    if (hp.blur_factor && hp.blur_factor !== 1) source = blur(source, hp.blur_factor);
  }
  if (hp.unsupervised_labels) {
    if (hp.unsupervised_labels !== 'rotation') {
      throw new LthError('BAD_HPARAM', `--unsupervised_labels=${hp.unsupervised_labels} is not supported. The only choice is rotation.`);
    }
    source = rotationLabels(source, seed);
  }
  return source;
}
