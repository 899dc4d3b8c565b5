import { backend_util, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { addon } from '../addon';
import { nativeKernel, orFallback } from './native_kernel';

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The 14 pooling parameters the addon expects (see `native/pool.cc`). */
function poolParams(xShape: number[], a: PoolAttrs): number[] | null {
  if (xShape.length !== 4) return null;
  const c = backend_util.computePool2DInfo(
    xShape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  if (c.dilationHeight !== 1 || c.dilationWidth !== 1) return null;
  const p = c.padInfo;
  return [c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.outHeight, c.outWidth,
    c.filterHeight, c.filterWidth, c.strideHeight, c.strideWidth, p.top, p.left, p.bottom, p.right];
}

const forward = (name: string, isMax: boolean) => nativeKernel(name, ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  const xv = backend.f32(x);
  const p = xv && poolParams(x.shape, attrs as unknown as PoolAttrs);
  if (xv == null || p == null) return null;
  const out = backend.allocate([p[0], p[4], p[5], p[3]]);
  const ok = orFallback(backend, [out.info], () => addon().poolForward(xv, out.values, p, isMax));
  return ok ? out.info : null;
});

const backward = (name: string, isMax: boolean) => nativeKernel(name, ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const dyv = backend.f32(dy), xv = backend.f32(input);
  const p = dyv && xv && poolParams(input.shape, attrs as unknown as PoolAttrs);
  if (dyv == null || xv == null || p == null) return null;
  const out = backend.allocate(input.shape);
  const ok = orFallback(backend, [out.info], () => addon().poolBackward(dyv, isMax ? xv : null, out.values, p, isMax));
  return ok ? out.info : null;
});

/** MaxPool, AvgPool and their gradients on oneDNN (NHWC). */
export const poolKernels: KernelConfig[] = [
  forward('MaxPool', true), forward('AvgPool', false),
  backward('MaxPoolGrad', true), backward('AvgPoolGrad', false),
];
