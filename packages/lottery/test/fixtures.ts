import { registerToyImages } from '@lth/testing';

/**
 * The lottery tests' synthetic datasets (see `toyImages` of @lth/testing): `lottery_toy` has 10
 * classes, `lottery_toy_4` 4. Importing this module registers them.
 */
registerToyImages(
  {
    lottery_toy: { train: 240, test: 100, classes: 10 },
    lottery_toy_4: { train: 160, test: 80, classes: 4 },
  },
  'Synthetic test images (lottery tests).',
);

export { RecordingOutput, testPlatform } from '@lth/testing';
