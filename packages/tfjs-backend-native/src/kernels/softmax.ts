import { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { addon } from '../addon';
import { nativeKernel } from './native_kernel';

const softmax = nativeKernel('Softmax', ({ inputs, backend, attrs }) => {
  const { logits } = inputs as { logits: TensorInfo };
  const xv = backend.f32(logits);
  const rank = logits.shape.length;
  const dim = attrs.dim as number;
  if (xv == null || rank === 0 || (dim !== -1 && dim !== rank - 1)) return null;
  const cols = logits.shape[rank - 1];
  const out = backend.allocate(logits.shape);
  addon().softmax(xv, cols === 0 ? 0 : xv.length / cols, cols, out.values, false);
  return out.info;
});

/** Softmax over the last axis. */
export const softmaxKernels: KernelConfig[] = [softmax];
