import { KernelConfig } from '@tensorflow/tfjs-core';
import { batchNormKernels } from './batchnorm';
import { batchNormTrainKernels } from './batchnorm_train';
import { convKernels } from './conv';
import { elementwiseKernels } from './elementwise';
import { fusedKernels } from './fused';
import { gradKernels } from './grad_kernels';
import { layoutKernels } from './layout';
import { matmulKernels } from './matmul';
import { poolKernels } from './pool';
import { reduceKernels } from './reduce';
import { softmaxKernels } from './softmax';
import { transposeKernels } from './transpose';

/** Every kernel with a native implementation. */
export const nativeKernels: KernelConfig[] = [
  ...elementwiseKernels, ...reduceKernels, ...matmulKernels, ...convKernels, ...poolKernels,
  ...batchNormKernels, ...softmaxKernels, ...transposeKernels, ...gradKernels,
  ...batchNormTrainKernels, ...layoutKernels, ...fusedKernels,
];
