import { backend_util, KernelConfig, TensorInfo, util } from '@tensorflow/tfjs-core';
import { addon } from '../addon';
import { NativeBackend } from '../backend';
import { nativeKernel } from './native_kernel';

/** Activation codes shared with `native/activation.h`. */
export const activationCodes: Record<string, number> = {
  linear: 0, relu: 1, relu6: 2, leakyrelu: 3, sigmoid: 4, elu: 5,
};

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
  leakyreluAlpha?: number;
}

/** A bias usable natively: one value per output column, or a scalar. */
export function perChannelBias(backend: NativeBackend, bias: TensorInfo | undefined, n: number):
    Float32Array | null | undefined {
  if (bias == null) return undefined;
  const v = backend.f32(bias);
  if (v == null) return null;
  const leading = bias.shape.slice(0, -1);
  if (leading.some((d) => d !== 1)) return null;
  if (v.length === n || v.length === 1) return v;
  return null;
}

function matmul(backend: NativeBackend, a: TensorInfo, b: TensorInfo, attrs: MatMulAttrs,
                bias?: TensorInfo, prelu?: TensorInfo): TensorInfo | null {
  const av = backend.f32(a), bv = backend.f32(b);
  if (av == null || bv == null || a.shape.length < 2 || b.shape.length < 2) return null;
  if (prelu != null) return null;
  const act = activationCodes[attrs.activation ?? 'linear'];
  if (act === undefined) return null;
  const ra = a.shape.length, rb = b.shape.length;
  const m = attrs.transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = attrs.transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = attrs.transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = attrs.transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) return null;
  const batchShapeA = a.shape.slice(0, -2), batchShapeB = b.shape.slice(0, -2);
  const batchA = util.sizeFromShape(batchShapeA), batchB = util.sizeFromShape(batchShapeB);
  const batchShape = backend_util.assertAndGetBroadcastShape(batchShapeA, batchShapeB);
  const batch = util.sizeFromShape(batchShape);
  if (!(batchA === batch || batchA === 1) || !(batchB === batch || batchB === 1)) return null;
  const biasValues = perChannelBias(backend, bias, n);
  if (biasValues === null) return null;
  const out = backend.allocate([...batchShape, m, n]);
  addon().matmul(av, bv, out.values, batchA, batchB, m, n, k, attrs.transposeA,
    attrs.transposeB, biasValues ?? null, act, attrs.leakyreluAlpha ?? 0.2);
  return out.info;
}

/** BatchMatMul and _FusedMatMul on OpenBLAS sgemm, with fused bias and activation. */
export const matmulKernels: KernelConfig[] = [
  nativeKernel('BatchMatMul', ({ inputs, backend, attrs }) =>
    matmul(backend, inputs.a as TensorInfo, inputs.b as TensorInfo, attrs as unknown as MatMulAttrs)),
  nativeKernel('_FusedMatMul', ({ inputs, backend, attrs }) =>
    matmul(backend, inputs.a as TensorInfo, inputs.b as TensorInfo, attrs as unknown as MatMulAttrs,
      inputs.bias as TensorInfo | undefined, inputs.preluActivationWeights as TensorInfo | undefined)),
];
