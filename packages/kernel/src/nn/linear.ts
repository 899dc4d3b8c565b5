import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng';
import { Module, type Forward } from './module';
import { pytorchDefaultUniform } from './default-init';

/**
 * PyTorch's `nn.Linear(inFeatures, outFeatures, bias)`: `y = x Wᵀ + b`.
 *
 * The weight is held `[out, in]` as in PyTorch (layout `same`, role `linear.weight`, prunable).
 * Both weight and bias start from PyTorch's default, U(±1/√inFeatures) (`kaiming_uniform_`
 * with a=√5 for the weight), drawn from `rng`; `buildModel` then applies `model_init` to the weight.
 */
export class Linear extends Module implements Forward {
  readonly weight: tf.Variable<tf.Rank.R2>;
  readonly bias: tf.Variable<tf.Rank.R1> | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    rng: Rng,
    options: { bias?: boolean } = {},
  ) {
    super();
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = this.addParameter('weight', tf.tidy(() => tf.variable(tf.tensor2d(pytorchDefaultUniform(outFeatures * inFeatures, bound, rng), [outFeatures, inFeatures]))), 'linear.weight', 'same', inFeatures);
    this.bias = options.bias === false ? null : this.addParameter('bias', tf.tidy(() => tf.variable(tf.tensor1d(pytorchDefaultUniform(outFeatures, bound, rng)))), 'bias', 'same', inFeatures);
  }

  forward(x: tf.Tensor2D): tf.Tensor2D {
    const y = tf.matMul(x, this.weight, false, true) as tf.Tensor2D;
    return this.bias ? (tf.add(y, this.bias) as tf.Tensor2D) : y;
  }
}
