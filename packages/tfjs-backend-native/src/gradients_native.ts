import {
  backend_util, engine, getGradient, GradConfig, NamedAttrMap, registerGradient, Tensor, util,
} from '@tensorflow/tfjs-core';
import { installBatchNormGradient } from './kernels/batchnorm';
import { NATIVE_BROADCAST_SCALE, NATIVE_RELU_GRAD, NATIVE_SQUARE_GRAD } from './kernels/grad_kernels';

type Grads = Record<string, () => Tensor>;
type NativeGrad = (dy: Tensor, saved: Tensor[], attrs: NamedAttrMap) => Grads | null;

const installed = new Set<string>();

/**
 * Wraps tfjs-core's gradient of `kernelName`: on the `native` backend it
 * tries `nativeGrad` (a fused, single-pass version); everywhere else, and
 * whenever `nativeGrad` returns null, tfjs-core's own gradient runs.
 */
function overrideGradient(kernelName: string, nativeGrad: NativeGrad): void {
  if (installed.has(kernelName)) return;
  const original = getGradient(kernelName);
  if (original == null) return;
  installed.add(kernelName);
  const config: GradConfig = {
    ...original,
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      if (engine().backendName === 'native' && !Array.isArray(dy) && dy.dtype === 'float32' &&
          saved.every((t) => t == null || t.dtype === 'float32')) {
        const r = nativeGrad(dy, saved, attrs);
        if (r != null) return r;
      }
      return original.gradFunc(dy, saved, attrs);
    },
  };
  registerGradient(config);
}

const reduceGrad = (axisAttr: string, mean: boolean): NativeGrad => (dy, [x], attrs) => {
  const axes = util.parseAxisParam(attrs[axisAttr] as number | number[], x.shape);
  const expandedShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  if (util.sizeFromShape(expandedShape) !== dy.size) return null;
  const [, reduceShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
  const scale = mean ? 1 / util.sizeFromShape(reduceShape) : 1;
  const dx = engine().runKernel(NATIVE_BROADCAST_SCALE, { x: dy },
    { shape: x.shape, expandedShape, scale } as unknown as NamedAttrMap) as Tensor;
  return { x: () => dx };
};

const withInputGrad = (kernel: string): NativeGrad => (dy, [x]) => {
  if (!util.arraysEqual(dy.shape, x.shape)) return null;
  const dx = engine().runKernel(kernel, { dy, x }) as Tensor;
  return { x: () => dx };
};

/**
 * Installs the native-only gradients: FusedBatchNorm (one pass for all five
 * gradients), Mean and Sum (one broadcast), Relu and Square (one pass each).
 * Needs tfjs-core's gradients registered first; idempotent.
 */
export function installNativeGradients(): void {
  installBatchNormGradient();
  overrideGradient('Mean', reduceGrad('axis', true));
  overrideGradient('Sum', reduceGrad('axis', false));
  overrideGradient('Relu', withInputGrad(NATIVE_RELU_GRAD));
  overrideGradient('Square', withInputGrad(NATIVE_SQUARE_GRAD));
}
