import { backend_util, KernelConfig, slice_util, TensorInfo, util } from '@tensorflow/tfjs-core';
import { addon } from '../addon';
import { nativeKernel } from './native_kernel';

const slice = nativeKernel('Slice', ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  const xv = backend.f32(x);
  if (xv == null || x.shape.length === 0) return null;
  const [begin, size] = slice_util.parseSliceParams(x as never, attrs.begin as number[], attrs.size as number[]);
  slice_util.assertParamsValid(x as never, begin, size);
  const out = backend.allocate(size);
  addon().slice(xv, x.shape, begin, size, out.values);
  return out.info;
});

const pad = nativeKernel('PadV2', ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  const xv = backend.f32(x);
  const paddings = attrs.paddings as [number, number][];
  if (xv == null || x.shape.length === 0 || paddings.length !== x.shape.length) return null;
  const outShape = x.shape.map((d, i) => paddings[i][0] + d + paddings[i][1]);
  const out = backend.allocate(outShape);
  addon().pad(xv, x.shape, paddings.map((p) => p[0]), outShape, (attrs.constantValue as number) ?? 0, out.values);
  return out.info;
});

const concat = nativeKernel('Concat', ({ inputs, backend, attrs }) => {
  const tensors = (inputs as unknown as TensorInfo[]).filter((t) => util.sizeFromShape(t.shape) > 0);
  const arrays = tensors.map((t) => backend.f32(t));
  if (tensors.length < 2 || arrays.some((a) => a == null) || tensors[0].shape.length === 0) return null;
  const axis = util.parseAxisParam(attrs.axis as number, tensors[0].shape)[0];
  backend_util.assertParamsConsistent(tensors.map((t) => t.shape), axis);
  const outShape = backend_util.computeOutShape(tensors.map((t) => t.shape), axis);
  const outer = util.sizeFromShape(outShape.slice(0, axis));
  const out = backend.allocate(outShape);
  addon().concat(arrays as Float32Array[], tensors.map((t) => util.sizeFromShape(t.shape.slice(axis))), outer, out.values);
  return out.info;
});

/** Slice, PadV2 (constant padding) and Concat of float32 tensors. */
export const layoutKernels: KernelConfig[] = [slice, pad, concat];
