import {
  engine, getGradient, GradConfig, KernelConfig, NamedAttrMap, registerGradient, Tensor, TensorInfo,
} from '@tensorflow/tfjs-core';
import { addon } from '../addon';
import { NativeBackend } from '../backend';
import { nativeKernel } from './native_kernel';

/** Name of the native kernel computing all FusedBatchNorm gradients in one pass. */
export const FUSED_BATCH_NORM_GRAD = 'NativeFusedBatchNormGrad';

/** True when `t` holds one value per channel (the last dim of x) or a single value. */
function perChannel(t: TensorInfo | undefined, channels: number): boolean {
  if (t == null) return true;
  const s = t.shape;
  if (s.slice(0, -1).some((d) => d !== 1)) return false;
  const last = s.length === 0 ? 1 : s[s.length - 1];
  return last === channels || last === 1;
}

function channelsOf(x: TensorInfo): number {
  return x.shape.length === 0 ? 1 : x.shape[x.shape.length - 1];
}

const forward = nativeKernel('FusedBatchNorm', ({ inputs, backend, attrs }) => {
  const { x, mean, variance, offset, scale } = inputs as Record<string, TensorInfo | undefined>;
  const C = channelsOf(x!);
  const xv = backend.f32(x), mv = backend.f32(mean), vv = backend.f32(variance);
  const ov = offset ? backend.f32(offset) : null, sv = scale ? backend.f32(scale) : null;
  if (xv == null || mv == null || vv == null || (offset && ov == null) || (scale && sv == null)) return null;
  if (C === 0 || ![mean, variance, offset, scale].every((t) => perChannel(t, C))) return null;
  const out = backend.allocate(x!.shape);
  addon().bnForward(xv, mv, vv, ov, sv, (attrs.varianceEpsilon as number) ?? 0.001, C, out.values);
  return out.info;
});

const grad = nativeKernel(FUSED_BATCH_NORM_GRAD, ({ inputs, backend, attrs }) => {
  const { x, dy, mean, variance, scale } = inputs as Record<string, TensorInfo | undefined>;
  const C = channelsOf(x!);
  const xv = backend.f32(x), dyv = backend.f32(dy), mv = backend.f32(mean), vv = backend.f32(variance);
  const sv = scale ? backend.f32(scale) : null;
  if (xv == null || dyv == null || mv == null || vv == null || (scale && sv == null)) {
    throw new Error(`${FUSED_BATCH_NORM_GRAD} needs float32 inputs`);
  }
  const dx = backend.allocate(x!.shape);
  const dm = backend.allocate(mean!.shape), dv = backend.allocate(variance!.shape);
  const ds = backend.allocate(scale ? scale.shape : [C]), doff = backend.allocate(mean!.shape);
  addon().bnGrad(xv, dyv, mv, vv, sv, (attrs.varianceEpsilon as number) ?? 0.001, C,
    dx.values, dm.values, dv.values, ds.values, doff.values);
  return [dx.info, dm.info, dv.info, ds.info, doff.info];
});

/** FusedBatchNorm forward and its one-pass gradient kernel. */
export const batchNormKernels: KernelConfig[] = [forward, grad];

let installed = false;

/**
 * Replaces the FusedBatchNorm gradient so that, on the `native` backend
 * only, the five gradients come from one native pass instead of a dozen
 * elementwise ops. Every other backend keeps tfjs-core's own gradient.
 */
export function installBatchNormGradient(): void {
  if (installed) return;
  const original = getGradient('FusedBatchNorm');
  if (original == null) return;
  installed = true;
  const config: GradConfig = {
    kernelName: 'FusedBatchNorm',
    inputsToSave: original.inputsToSave,
    outputsToSave: original.outputsToSave,
    saveAllInputs: original.saveAllInputs,
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      const [x, mean, variance, scale] = saved;
      const e = engine();
      const d = dy as Tensor;
      const C = channelsOf(x);
      const native = e.backendName === 'native' && e.backend instanceof NativeBackend &&
        [x, d, mean, variance, scale].every((t) => t == null || t.dtype === 'float32') &&
        [mean, variance].every((t) => t.size === C && perChannel(t, C)) &&
        (scale == null || (scale.size === C && perChannel(scale, C)));
      if (!native) return original.gradFunc(dy, saved, attrs);
      const inputs: Record<string, Tensor> = { x, dy: d, mean, variance };
      if (scale != null) inputs.scale = scale;
      const [dx, dmean, dvariance, dscale, doffset] =
        e.runKernel(FUSED_BATCH_NORM_GRAD, inputs, attrs) as Tensor[];
      return {
        x: () => dx, mean: () => dmean, variance: () => dvariance,
        scale: () => dscale, offset: () => doffset,
      };
    },
  };
  registerGradient(config);
}
