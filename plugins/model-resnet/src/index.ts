import { definePlugin } from '@lth/kernel';

export { CifarResNet, CifarResNetBlock, type CifarResNetStage } from './cifar-resnet';
export { CifarResNetFamily, parseCifarResNetName, type CifarResNetSpec } from './cifar-resnet-family';
export { BasicBlock, Bottleneck, ImageNetResNet, TorchvisionResNet, type TorchvisionBlock, type TorchvisionBlockType } from './imagenet-resnet';
export { IMAGENET_RESNET_DEPTHS, ImageNetResNetFamily, parseImageNetResNetName, type ImageNetResNetSpec } from './imagenet-resnet-family';

/** The `cifar_resnet_D[_W]` and `imagenet_resnet_D[_W]` model families. */
export const plugin = definePlugin({
  name: '@lth/plugin-model-resnet',
  version: '0.1.0',
  kernel: '^0.1.0',
  description: "Model families cifar_resnet_D[_W] and imagenet_resnet_D[_W]: OpenLTH's ResNets for CIFAR-10 and ImageNet.",
});
