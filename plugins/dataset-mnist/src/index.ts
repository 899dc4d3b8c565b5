import { definePlugin } from '@lth/kernel';

export * from './idx';
export * from './mnist-family';
export * from './variants';

/** The plugin manifest the loader checks. */
export const plugin = definePlugin({
  name: '@lth/plugin-dataset-mnist',
  version: '0.1.0',
  kernel: '^0.1.0',
  description: "Datasets 'mnist' and 'fashion_mnist' (IDX files, OpenLTH's MNIST normalisation, no augmentation).",
});
