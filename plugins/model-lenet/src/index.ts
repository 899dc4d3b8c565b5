import { definePlugin } from '@lth/kernel';

export { LeNet } from './lenet';
export { LeNetFamily, lenetWidths } from './lenet-family';

/** The `mnist_lenet_N[_M...]` model family. */
export const plugin = definePlugin({
  name: '@lth/plugin-model-lenet',
  version: '0.1.0',
  kernel: '^0.1.0',
  description: 'Model family mnist_lenet_N[_M...]: OpenLTH\'s fully-connected LeNet.',
});
