import * as tf from '@tensorflow/tfjs-core';
import { softmaxCrossEntropy } from './fused';

/** `max(x, 0)`. */
export function relu<T extends tf.Tensor>(x: T): T {
  return tf.relu(x);
}

/**
 * PyTorch's `max_pool2d(x, kernel, stride, padding)` on NHWC: windows that overhang the padded
 * border are dropped (floor), and padding never wins the max (PyTorch pads with -∞).
 */
export function maxPool2d(x: tf.Tensor4D, kernel: number, stride = kernel, padding = 0): tf.Tensor4D {
  return tf.maxPool(x, kernel, stride, padding === 0 ? 'valid' : [[0, 0], [padding, padding], [padding, padding], [0, 0]]);
}

/** PyTorch's `avg_pool2d(x, kernel, stride)` on NHWC, without padding (floor). */
export function avgPool2d(x: tf.Tensor4D, kernel: number, stride = kernel): tf.Tensor4D {
  return tf.avgPool(x, kernel, stride, 'valid');
}

/** Mean over height and width, `[N, H, W, C]` → `[N, C]` (an average pool over the whole map, or `AdaptiveAvgPool2d(1)` + flatten). */
export function globalAvgPool2d(x: tf.Tensor4D): tf.Tensor2D {
  return tf.mean(x, [1, 2]) as tf.Tensor2D;
}

/**
 * `[N, ...]` → `[N, rest]` in lth's NHWC order. This equals PyTorch's `x.view(N, -1)` (NCHW
 * order) only when C = 1 or H = W = 1; a model that flattens feature maps with more than one
 * channel and more than one pixel into a Linear layer must use `flattenNCHW` so that its Linear
 * weights stay PyTorch-compatible.
 */
export function flatten(x: tf.Tensor): tf.Tensor2D {
  return tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D;
}

/** `[N, H, W, C]` → `[N, C·H·W]` in PyTorch's NCHW order (a transpose, skipped when it would not move anything). */
export function flattenNCHW(x: tf.Tensor4D): tf.Tensor2D {
  const [n, h, w, c] = x.shape;
  if (c === 1 || h * w === 1) return tf.reshape(x, [n, h * w * c]);
  return tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [n, c * h * w]);
}

/** PyTorch's `CrossEntropyLoss()` (mean reduction); see {@link softmaxCrossEntropy}. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return softmaxCrossEntropy(logits, labels);
}
