import {
  add, batchNorm, customGrad, engine, GradSaveFunc, moments, mul, NamedAttrMap, Tensor, tidy,
  Variable,
} from '@tensorflow/tfjs-core';
import { NATIVE_BN_TRAIN, NATIVE_BN_TRAIN_GRAD } from './kernels/batchnorm_train';

/** Running statistics that {@link batchNormTrain} updates as PyTorch's BatchNorm does. */
export interface RunningStats {
  mean: Variable;
  variance: Variable;
  /** Weight of the new batch statistic; PyTorch's default is 0.1. */
  momentum: number;
}

/**
 * Training-mode batch normalisation over every axis but the last (NHWC
 * channels), as `tf.batchNorm(x, ...tf.moments(x, axes), offset, scale)`
 * computes it — same values, same gradients for x, scale and offset — and,
 * when `running` is given, the running-statistics update PyTorch makes
 * (`running = (1 - m)·running + m·batch`, unbiased variance).
 *
 * On the `native` backend the statistics, the normalisation and the
 * gradient are single fused kernels, which saves both time and the memory
 * of the intermediates that tfjs keeps for the backward pass; on every
 * other backend it runs the plain tfjs ops.
 */
export function batchNormTrain(x: Tensor, scale: Tensor, offset: Tensor, varianceEpsilon = 1e-5,
                               running?: RunningStats): Tensor {
  const channels = x.shape[x.rank - 1];
  const n = x.size / channels;
  const update = (mean: Tensor, variance: Tensor) => {
    if (running == null) return;
    const m = running.momentum;
    tidy(() => {
      running.mean.assign(add(mul(running.mean, 1 - m), mul(mean, m)));
      running.variance.assign(add(mul(running.variance, 1 - m), mul(variance, (m * n) / Math.max(1, n - 1))));
    });
  };
  const e = engine();
  const fused = e.backendName === 'native' && [x, scale, offset].every((t) => t.dtype === 'float32') &&
    scale.size === channels && offset.size === channels && x.rank >= 2;
  if (!fused) {
    const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
    const { mean, variance } = moments(x, axes);
    const y = batchNorm(x, mean, variance, offset, scale, varianceEpsilon);
    update(mean, variance);
    return y;
  }
  const attrs = { varianceEpsilon } as unknown as NamedAttrMap;
  const op = customGrad(((xi: Tensor, s: Tensor, o: Tensor, save: GradSaveFunc) => {
    const [y, mean, variance] = e.runKernel(NATIVE_BN_TRAIN, { x: xi, scale: s, offset: o }, attrs) as Tensor[];
    update(mean, variance);
    save([xi, mean, variance, s]);
    return {
      value: y,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [sx, sm, sv, ss] = saved;
        return e.runKernel(NATIVE_BN_TRAIN_GRAD, { x: sx, dy, mean: sm, variance: sv, scale: ss }, attrs) as Tensor[];
      },
    };
  }) as unknown as Parameters<typeof customGrad>[0]);
  return (op as unknown as (...t: Tensor[]) => Tensor)(x, scale, offset);
}
