import { backend_util, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { addon } from '../addon';
import { activationCodes, perChannelBias } from './matmul';
import { nativeKernel, orFallback } from './native_kernel';

type Conv2DInfo = backend_util.Conv2DInfo;

interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
  leakyreluAlpha?: number;
  inputShape?: [number, number, number, number];
  filterShape?: [number, number, number, number];
}

/** The 17 convolution parameters the addon expects (see `native/conv.cc`). */
export function convParams(c: Conv2DInfo): number[] | null {
  if (c.dataFormat !== 'channelsLast' || c.inChannels !== c.inShape[3]) return null;
  const p = c.padInfo;
  return [c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.outHeight, c.outWidth,
    c.outChannels, c.filterHeight, c.filterWidth, c.strideHeight, c.strideWidth,
    c.dilationHeight, c.dilationWidth, p.top, p.left, p.bottom, p.right];
}

function info(xShape: number[], filterShape: number[], a: ConvAttrs, dilations: ConvAttrs['dilations']): Conv2DInfo | null {
  if ((a.dataFormat ?? 'NHWC') !== 'NHWC' || xShape.length !== 4 || filterShape.length !== 4) return null;
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    a.strides, dilations ?? 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
}

const conv2d = (fused: boolean) => nativeKernel(fused ? 'FusedConv2D' : 'Conv2D', ({ inputs, backend, attrs }) => {
  const a = attrs as unknown as ConvAttrs;
  const { x, filter, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined>;
  const xv = backend.f32(x), fv = backend.f32(filter);
  if (xv == null || fv == null || preluActivationWeights != null) return null;
  const act = activationCodes[a.activation ?? 'linear'];
  if (act === undefined) return null;
  const c = info(x!.shape, filter!.shape, a, a.dilations);
  const params = c && convParams(c);
  if (c == null || params == null) return null;
  let biasValues = perChannelBias(backend, bias, c.outChannels);
  if (biasValues === null) return null;
  if (biasValues != null && biasValues.length !== c.outChannels) {
    biasValues = new Float32Array(c.outChannels).fill(biasValues[0]);
  }
  const out = backend.allocate(c.outShape);
  const ok = orFallback(backend, [out.info], () =>
    addon().convForward(xv, fv, biasValues ?? null, out.values, params, act, a.leakyreluAlpha ?? 0.2));
  return ok ? out.info : null;
});

const backpropInput = nativeKernel('Conv2DBackpropInput', ({ inputs, backend, attrs }) => {
  const a = attrs as unknown as ConvAttrs;
  const { dy, filter } = inputs as Record<string, TensorInfo>;
  const dyv = backend.f32(dy), fv = backend.f32(filter);
  if (dyv == null || fv == null || a.inputShape == null) return null;
  const c = info(a.inputShape, filter.shape, a, 1);
  const params = c && convParams(c);
  if (c == null || params == null) return null;
  const out = backend.allocate(c.inShape);
  const ok = orFallback(backend, [out.info], () => addon().convBackwardData(dyv, fv, out.values, params));
  return ok ? out.info : null;
});

const backpropFilter = nativeKernel('Conv2DBackpropFilter', ({ inputs, backend, attrs }) => {
  const a = attrs as unknown as ConvAttrs;
  const { x, dy } = inputs as Record<string, TensorInfo>;
  const xv = backend.f32(x), dyv = backend.f32(dy);
  if (xv == null || dyv == null || a.filterShape == null) return null;
  const c = info(x.shape, a.filterShape, a, 1);
  const params = c && convParams(c);
  if (c == null || params == null) return null;
  const out = backend.allocate(c.filterShape);
  const ok = orFallback(backend, [out.info], () => addon().convBackwardWeights(xv, dyv, out.values, params, null));
  return ok ? out.info : null;
});

/** Conv2D, FusedConv2D (bias + activation) and both Conv2D gradients on oneDNN. */
export const convKernels: KernelConfig[] = [conv2d(false), conv2d(true), backpropInput, backpropFilter];
