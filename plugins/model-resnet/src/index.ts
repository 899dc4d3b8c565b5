export { CifarResNet, CifarResNetBlock, type CifarResNetStage } from './cifar-resnet';
export { CifarResNetFamily, parseCifarResNetName, type CifarResNetSpec } from './cifar-resnet-family';
export { BasicBlock, Bottleneck, ImageNetResNet, TorchvisionResNet, type TorchvisionBlock, type TorchvisionBlockType } from './imagenet-resnet';
export { IMAGENET_RESNET_DEPTHS, ImageNetResNetFamily, parseImageNetResNetName, type ImageNetResNetSpec } from './imagenet-resnet-family';
