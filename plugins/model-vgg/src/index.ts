export { CifarVgg, VggConvModule, type VggPlanEntry } from './cifar-vgg';
export { CIFAR_VGG_PLANS, CifarVggFamily, cifarVggPlan } from './cifar-vgg-family';
