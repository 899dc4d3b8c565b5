import { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { addon } from '../addon';
import { nativeKernel } from './native_kernel';

/** Kernel names used only by the native gradient overrides (see gradients_native.ts). */
export const NATIVE_BROADCAST_SCALE = 'NativeBroadcastScale';
export const NATIVE_RELU_GRAD = 'NativeReluGrad';
export const NATIVE_SQUARE_GRAD = 'NativeSquareGrad';

const RELU_GRAD = 8, SQUARE_GRAD = 9, MUL = 2;

function need(v: Float32Array | null, name: string): Float32Array {
  if (v == null) throw new Error(`@lth/tfjs-backend-native: ${name} needs float32 inputs`);
  return v;
}

const broadcastScale = nativeKernel(NATIVE_BROADCAST_SCALE, ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  const { shape, expandedShape, scale } = attrs as unknown as { shape: number[]; expandedShape: number[]; scale: number };
  const out = backend.allocate(shape);
  addon().binary(MUL, need(backend.f32(x), NATIVE_BROADCAST_SCALE), expandedShape,
    new Float32Array([scale]), [], out.values, shape);
  return out.info;
});

const withInput = (name: string, op: number) => nativeKernel(name, ({ inputs, backend }) => {
  const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
  const out = backend.allocate(x.shape);
  addon().binary(op, need(backend.f32(dy), name), dy.shape, need(backend.f32(x), name), x.shape, out.values, x.shape);
  return out.info;
});

/** Single-pass kernels behind the native gradients of Mean/Sum, Relu and Square. */
export const gradKernels: KernelConfig[] = [
  broadcastScale, withInput(NATIVE_RELU_GRAD, RELU_GRAD), withInput(NATIVE_SQUARE_GRAD, SQUARE_GRAD),
];
