import { backend_util, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { addon } from '../addon';
import { nativeKernel } from './native_kernel';

const binaryOps: Record<string, number> = {
  Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, Maximum: 4, Minimum: 5, SquaredDifference: 6, Pow: 7,
};

const unaryOps: Record<string, number> = {
  Relu: 0, Relu6: 1, Step: 2, Neg: 3, Exp: 4, Log: 5, Sqrt: 6, Rsqrt: 7, Square: 8, Abs: 9,
  Sigmoid: 10, Tanh: 11, Reciprocal: 12, LeakyRelu: 13, Elu: 14, Log1p: 15, Expm1: 16,
  Floor: 18, Ceil: 19, Round: 20, Softplus: 21, Sin: 22, Cos: 23,
};

function binary(name: string, op: number): KernelConfig {
  return nativeKernel(name, ({ inputs, backend }) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const av = backend.f32(a), bv = backend.f32(b);
    if (av == null || bv == null) return null;
    const shape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const out = backend.allocate(shape);
    addon().binary(op, av, a.shape, bv, b.shape, out.values, shape);
    return out.info;
  });
}

function unary(name: string, op: number): KernelConfig {
  return nativeKernel(name, ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: TensorInfo };
    const xv = backend.f32(x);
    if (xv == null) return null;
    const out = backend.allocate(x.shape);
    const alpha = (attrs as { alpha?: number }).alpha ?? 0;
    addon().unary(op, xv, out.values, alpha);
    return out.info;
  });
}

const addN = nativeKernel('AddN', ({ inputs, backend }) => {
  const tensors = inputs as unknown as TensorInfo[];
  const arrays = tensors.map((t) => backend.f32(t));
  if (tensors.length === 0 || arrays.some((a) => a == null)) return null;
  if (tensors.some((t) => t.shape.join(',') !== tensors[0].shape.join(','))) return null;
  const out = backend.allocate(tensors[0].shape);
  addon().addN(arrays as Float32Array[], out.values);
  return out.info;
});

/** Elementwise kernels: broadcasting binary ops, unary math and activations, AddN. */
export const elementwiseKernels: KernelConfig[] = [
  ...Object.entries(binaryOps).map(([n, op]) => binary(n, op)),
  ...Object.entries(unaryOps).map(([n, op]) => unary(n, op)),
  addN,
];
