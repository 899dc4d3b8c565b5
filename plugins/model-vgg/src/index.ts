import { definePlugin } from '@lth/kernel';

export { CifarVgg, VggConvModule, type VggPlanEntry } from './cifar-vgg';
export { CIFAR_VGG_PLANS, CifarVggFamily, cifarVggPlan } from './cifar-vgg-family';

/** The `cifar_vgg_D` model family. */
export const plugin = definePlugin({
  name: '@lth/plugin-model-vgg',
  version: '0.1.0',
  kernel: '^0.1.0',
  description: "Model family cifar_vgg_D (D in 11, 13, 16, 19): OpenLTH's VGG for CIFAR-10.",
});
