import { backend_util, KernelConfig, TensorInfo, util } from '@tensorflow/tfjs-core';
import { addon } from '../addon';
import { nativeKernel } from './native_kernel';

const reduceOps: Record<string, { op: number; axisAttr: string }> = {
  Sum: { op: 0, axisAttr: 'axis' },
  Mean: { op: 1, axisAttr: 'axis' },
  Max: { op: 2, axisAttr: 'reductionIndices' },
  Min: { op: 3, axisAttr: 'axis' },
  Prod: { op: 4, axisAttr: 'axis' },
};

/**
 * Views `shape` as [outer, reduced, inner] when `axes` are one contiguous
 * block; returns null otherwise.
 */
export function contiguousReduction(shape: number[], axes: number[]):
    { outer: number; r: number; inner: number } | null {
  const sorted = [...axes].sort((p, q) => p - q);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] !== sorted[i - 1] + 1) return null;
  }
  const first = sorted[0], last = sorted[sorted.length - 1];
  return {
    outer: util.sizeFromShape(shape.slice(0, first)),
    r: util.sizeFromShape(shape.slice(first, last + 1)),
    inner: util.sizeFromShape(shape.slice(last + 1)),
  };
}

function reduction(name: string, op: number, axisAttr: string): KernelConfig {
  return nativeKernel(name, ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: TensorInfo };
    const xv = backend.f32(x);
    if (xv == null || x.shape.length === 0) return null;
    const axes = util.parseAxisParam(attrs[axisAttr] as number | number[], x.shape);
    if (axes.length === 0) return null;
    const view = contiguousReduction(x.shape, axes);
    if (view == null || view.r === 0) return null;
    const [outShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
    const shape = attrs.keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    const out = backend.allocate(shape);
    addon().reduce(op, xv, view.outer, view.r, view.inner, out.values);
    return out.info;
  });
}

/** Sum, Mean, Max, Min and Prod over one contiguous block of axes. */
export const reduceKernels: KernelConfig[] =
  Object.entries(reduceOps).map(([n, { op, axisAttr }]) => reduction(n, op, axisAttr));
