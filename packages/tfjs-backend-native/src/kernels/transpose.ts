import { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { addon } from '../addon';
import { nativeKernel } from './native_kernel';

const transpose = nativeKernel('Transpose', ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  const xv = backend.f32(x);
  const perm = attrs.perm as number[];
  if (xv == null || x.shape.length === 0 || perm.length !== x.shape.length) return null;
  const out = backend.allocate(perm.map((p) => x.shape[p]));
  addon().transpose(xv, x.shape, perm, out.values);
  return out.info;
});

/** Transpose of float32 tensors of any rank. */
export const transposeKernels: KernelConfig[] = [transpose];
