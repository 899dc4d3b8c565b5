import { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { addon } from '../addon';
import { nativeKernel } from './native_kernel';

/**
 * Training-mode batch norm: batch statistics and normalisation in one kernel; with attr
 * `activation: 'relu'`, followed by ReLU.
 */
export const NATIVE_BN_TRAIN = 'FusedBatchNormTrain';
/** Its gradient with respect to x, scale and offset, in one pass; input `y` (the output) when fused with ReLU. */
export const NATIVE_BN_TRAIN_GRAD = 'FusedBatchNormTrainGrad';

function arr(backend: { f32(t: TensorInfo | undefined): Float32Array | null }, t: TensorInfo | undefined, name: string): Float32Array | null {
  if (t == null) return null;
  const v = backend.f32(t);
  if (v == null) throw new Error(`@lth/tfjs-backend-native: ${name} must be float32`);
  return v;
}

const forward = nativeKernel(NATIVE_BN_TRAIN, ({ inputs, backend, attrs }) => {
  const { x, scale, offset } = inputs as Record<string, TensorInfo | undefined>;
  const C = x!.shape[x!.shape.length - 1];
  const y = backend.allocate(x!.shape), mean = backend.allocate([C]), variance = backend.allocate([C]);
  addon().bnTrainForward(arr(backend, x, 'x')!, arr(backend, scale, 'scale'), arr(backend, offset, 'offset'),
    attrs.varianceEpsilon as number, C, y.values, mean.values, variance.values, attrs.activation === 'relu');
  return [y.info, mean.info, variance.info];
});

const backward = nativeKernel(NATIVE_BN_TRAIN_GRAD, ({ inputs, backend, attrs }) => {
  const { x, dy, mean, variance, scale, y } = inputs as Record<string, TensorInfo | undefined>;
  const C = x!.shape[x!.shape.length - 1];
  const dx = backend.allocate(x!.shape), dscale = backend.allocate([C]), doffset = backend.allocate([C]);
  addon().bnTrainBackward(arr(backend, x, 'x')!, arr(backend, dy, 'dy')!, arr(backend, mean, 'mean')!,
    arr(backend, variance, 'variance')!, arr(backend, scale, 'scale'), attrs.varianceEpsilon as number, C,
    dx.values, dscale.values, doffset.values, arr(backend, y, 'y'));
  return [dx.info, dscale.info, doffset.info];
});

/** Kernels behind `batchNormTrain` on the native backend. */
export const batchNormTrainKernels: KernelConfig[] = [forward, backward];
