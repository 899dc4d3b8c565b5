import * as tf from '@tensorflow/tfjs-core';

/**
 * Names of the fused training kernels. A tfjs backend that registers kernels under these names
 * (`@lth/tfjs-backend-native` does) runs `batchNormTrain`, `softmaxCrossEntropy` and
 * `sgdUpdate` as one kernel each, forward and backward; on every other backend they run as the
 * plain tfjs ops written out below, which define their meaning.
 *
 * - `FusedBatchNormTrain`: inputs `x` (`[..., C]`), `scale`, `offset` (`[C]`); attrs
 *   `varianceEpsilon` and `activation` (`linear` or `relu`, applied after); outputs `y`, the
 *   batch mean and the biased batch variance (`[C]`). `FusedBatchNormTrainGrad`: inputs `x`,
 *   `dy`, `mean`, `variance`, `scale` and, with `relu`, `y` (dy counts where `y > 0`); same
 *   attrs; outputs `dx`, `dscale`, `doffset`.
 * - `FusedSoftmaxCrossEntropy`: inputs `logits` (`[N, K]` float32), `labels` (`[N]` int32);
 *   outputs the mean loss (scalar) and `softmax(logits)`. `FusedSoftmaxCrossEntropyGrad`: inputs
 *   `dy` (scalar), `probs`, `labels`; output `dy / N · (probs − onehot(labels))`.
 * - `FusedSgdUpdate`: inputs `w`, `g`, optional `buf` and `mask`; attrs `lr`, `momentum`,
 *   `nesterov`, `weightDecay`; outputs the new `w` and, when `momentum` is not 0, the new buffer.
 */
export const FUSED_KERNELS = {
  batchNormTrain: 'FusedBatchNormTrain',
  batchNormTrainGrad: 'FusedBatchNormTrainGrad',
  softmaxCrossEntropy: 'FusedSoftmaxCrossEntropy',
  softmaxCrossEntropyGrad: 'FusedSoftmaxCrossEntropyGrad',
  sgdUpdate: 'FusedSgdUpdate',
} as const;

/** True when the active backend registers kernel `name`. */
function fusedAvailable(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) != null;
}

type CustomOp = (...inputs: tf.Tensor[]) => tf.Tensor;
const custom = (f: (...args: never[]) => unknown): CustomOp =>
  tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as CustomOp;

/** A batch's statistics as training-mode batch norm computes them (biased variance). */
export interface BatchStatistics {
  readonly mean: tf.Tensor1D;
  readonly variance: tf.Tensor1D;
}

/** What follows a fused batch norm: nothing (`linear`) or `relu`. */
export type BatchNormActivation = 'linear' | 'relu';

/**
 * Training-mode batch normalisation over every axis but the last (NHWC channels), then
 * `activation`: `tf.batchNorm(x, ...tf.moments(x, axes), offset, scale, eps)` (and `tf.relu`),
 * the same values and gradients for `x`, `scale` and `offset`. `onStatistics` receives the
 * batch mean and biased variance (e.g. to update running statistics); they carry no gradient.
 */
export function batchNormTrain(x: tf.Tensor, scale: tf.Tensor1D, offset: tf.Tensor1D, varianceEpsilon: number,
                               onStatistics?: (stats: BatchStatistics) => void,
                               activation: BatchNormActivation = 'linear'): tf.Tensor {
  const relu = activation === 'relu';
  const channels = x.shape[x.rank - 1];
  const fused = fusedAvailable(FUSED_KERNELS.batchNormTrain) && x.rank >= 2 &&
    [x, scale, offset].every((t) => t.dtype === 'float32') && scale.size === channels && offset.size === channels;
  if (!fused) {
    const { mean, variance } = tf.moments(x, Array.from({ length: x.rank - 1 }, (_, i) => i));
    onStatistics?.({ mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D });
    const y = tf.batchNorm(x, mean, variance, offset, scale, varianceEpsilon);
    return relu ? tf.relu(y) : y;
  }
  const e = tf.engine();
  const attrs = { varianceEpsilon, activation } as unknown as tf.NamedAttrMap;
  const op = custom((xi: tf.Tensor, s: tf.Tensor, o: tf.Tensor, save: tf.GradSaveFunc) => {
    const [y, mean, variance] = e.runKernel(FUSED_KERNELS.batchNormTrain, { x: xi, scale: s, offset: o }, attrs) as tf.Tensor[];
    onStatistics?.({ mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D });
    save(relu ? [xi, mean, variance, s, y] : [xi, mean, variance, s]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [sx, sm, sv, ss, sy]: tf.Tensor[]) => {
        const inputs: tf.NamedTensorMap = { x: sx, dy, mean: sm, variance: sv, scale: ss };
        if (relu) inputs.y = sy;
        return e.runKernel(FUSED_KERNELS.batchNormTrainGrad, inputs, attrs) as tf.Tensor[];
      },
    };
  });
  return op(x, scale, offset);
}

/**
 * PyTorch's `CrossEntropyLoss()` (mean reduction) of logits `[N, K]` against integer labels
 * `[N]`: the mean of `-log softmax(logits)[label]`, computed with a stable log-softmax.
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const asInt = () => (labels.dtype === 'int32' ? labels : tf.cast(labels, 'int32'));
  if (!fusedAvailable(FUSED_KERNELS.softmaxCrossEntropy) || logits.dtype !== 'float32') {
    return tf.tidy(() => {
      const intLabels = asInt();
      const logp = tf.logSoftmax(logits);
      const picked = tf.sum(tf.mul(tf.oneHot(intLabels, logits.shape[1]), logp), 1);
      return tf.neg(tf.mean(picked)) as tf.Scalar;
    });
  }
  const e = tf.engine();
  const intLabels = asInt();
  const op = custom((x: tf.Tensor, save: tf.GradSaveFunc) => {
    const [loss, probs] = e.runKernel(FUSED_KERNELS.softmaxCrossEntropy, { logits: x, labels: intLabels }) as tf.Tensor[];
    save([probs, intLabels]);
    return {
      value: loss,
      gradFunc: (dy: tf.Tensor, [p, l]: tf.Tensor[]) =>
        e.runKernel(FUSED_KERNELS.softmaxCrossEntropyGrad, { dy, probs: p, labels: l }) as tf.Tensor,
    };
  });
  return op(logits) as tf.Scalar;
}

/** Settings of one `sgdUpdate`, as `torch.optim.SGD` takes them (dampening 0). */
export interface SgdUpdateOptions {
  readonly lr: number;
  readonly momentum: number;
  readonly nesterov: boolean;
  /** Coupled L2 weight decay: `g += weightDecay * w`. */
  readonly weightDecay: number;
}

/**
 * One `torch.optim.SGD` step of parameter `w` with gradient `g`: `g = g·mask + wd·w`; with
 * momentum `buf = (buf ? mu·buf + g : g)·mask` and `g = nesterov ? g + mu·buf : buf`; then
 * `w = (w − lr·g)·mask`. `buf` is the previous momentum buffer (null before the first step);
 * without a mask every `·mask` is skipped. Returns the new weight and, with momentum, the new
 * buffer.
 */
export function sgdUpdate(w: tf.Tensor, g: tf.Tensor, buf: tf.Tensor | null, mask: tf.Tensor | null,
                          options: SgdUpdateOptions): { w: tf.Tensor; buf: tf.Tensor | null } {
  const { lr, momentum, nesterov, weightDecay } = options;
  if (fusedAvailable(FUSED_KERNELS.sgdUpdate) && [w, g, buf, mask].every((t) => t == null || t.dtype === 'float32')) {
    const inputs: tf.NamedTensorMap = { w, g };
    if (buf) inputs.buf = buf;
    if (mask) inputs.mask = mask;
    const attrs = { lr, momentum, nesterov, weightDecay } as unknown as tf.NamedAttrMap;
    const out = tf.engine().runKernel(FUSED_KERNELS.sgdUpdate, inputs, attrs) as tf.Tensor[];
    return { w: out[0], buf: momentum !== 0 ? out[1] : null };
  }
  let d = mask ? tf.mul(g, mask) : g;
  if (weightDecay !== 0) d = tf.add(d, tf.mul(w, weightDecay));
  let newBuf: tf.Tensor | null = null;
  if (momentum !== 0) {
    newBuf = buf ? tf.add(tf.mul(buf, momentum), d) : d;
    if (mask) newBuf = tf.mul(newBuf, mask);
    d = nesterov ? tf.add(d, tf.mul(newBuf, momentum)) : newBuf;
  }
  const newW = tf.add(w, tf.mul(d, -lr));
  return { w: mask ? tf.mul(newW, mask) : newW, buf: newBuf };
}
