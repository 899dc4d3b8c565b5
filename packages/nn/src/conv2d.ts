import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@lth/kernel';
import { fromTorchLayout } from '@lth/kernel';
import { pytorchDefaultUniform } from './default-init';
import { Module, type Forward } from './module';

/** Options of `Conv2d`, with PyTorch's defaults. */
export interface Conv2dOptions {
  /** Default 1. */
  readonly stride?: number;
  /** Zero padding on each side of height and width (PyTorch's `padding`); default 0. */
  readonly padding?: number;
  /** Default true. */
  readonly bias?: boolean;
}

/**
 * PyTorch's `nn.Conv2d(in, out, kernelSize, stride, padding, bias)` on NHWC activations.
 *
 * The weight is held in tfjs' HWIO layout `[kh, kw, in, out]` (layout `conv2d`, role
 * `conv.weight`, prunable); files and initializers see PyTorch's `[out, in, kh, kw]`. Padding is
 * explicit and symmetric, exactly PyTorch's, and output sizes are floored as PyTorch's. Weight and
 * bias start from PyTorch's default, U(±1/√fan_in) with fan_in = in·kh·kw, drawn from `rng` in
 * PyTorch's layout.
 */
export class Conv2d extends Module implements Forward {
  readonly weight: tf.Variable<tf.Rank.R4>;
  readonly bias: tf.Variable<tf.Rank.R1> | null;
  readonly kernelSize: [number, number];
  readonly stride: number;
  readonly padding: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: number | readonly [number, number],
    rng: Rng,
    options: Conv2dOptions = {},
  ) {
    super();
    const [kh, kw] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
    this.kernelSize = [kh, kw];
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
    const fanIn = inChannels * kh * kw;
    const bound = 1 / Math.sqrt(fanIn);
    const shape: [number, number, number, number] = [kh, kw, inChannels, outChannels];
    const torchValues = pytorchDefaultUniform(outChannels * fanIn, bound, rng);
    this.weight = this.addParameter('weight', tf.tidy(() => tf.variable(tf.tensor4d(fromTorchLayout(torchValues, shape, 'conv2d'), shape))), 'conv.weight', 'conv2d', fanIn);
    this.bias = options.bias === false ? null : this.addParameter('bias', tf.tidy(() => tf.variable(tf.tensor1d(pytorchDefaultUniform(outChannels, bound, rng)))), 'bias', 'same', fanIn);
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    const p = this.padding;
    const pad: 'valid' | [[number, number], [number, number], [number, number], [number, number]] = p === 0 ? 'valid' : [[0, 0], [p, p], [p, p], [0, 0]];
    const y = tf.conv2d(x, this.weight, this.stride, pad);
    return this.bias ? (tf.add(y, this.bias) as tf.Tensor4D) : y;
  }
}
