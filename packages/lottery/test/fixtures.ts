import { openTestSession, toyImagesPlugin } from '@lth/testing';

/**
 * The lottery tests' synthetic datasets (see `toyImages` of @lth/testing): `lottery_toy` has 10
 * classes, `lottery_toy_4` 4.
 */
export const TOY_IMAGES = toyImagesPlugin(
  {
    lottery_toy: { train: 240, test: 100, classes: 10 },
    lottery_toy_4: { train: 160, test: 80, classes: 4 },
  },
  'Synthetic test images (lottery tests).',
);

/** The lottery tests' session: training, lottery, LeNet, sparse_global and the toy datasets. */
export const session = openTestSession({ plugins: ['@lth/training', '@lth/lottery', '@lth/plugin-model-lenet', '@lth/plugin-pruning-sparse-global', TOY_IMAGES] });
export const registry = session.registry;

export { RecordingOutput, testPlatform } from '@lth/testing';
