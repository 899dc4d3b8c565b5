import * as tf from '@tensorflow/tfjs-core';
import { LthError } from '@lth/kernel';
import { batchNormTrain, type BatchNormActivation } from './fused';
import { Module, type Forward } from './module';

/** Options of `BatchNorm2d`, with PyTorch's defaults. */
export interface BatchNorm2dOptions {
  /** Default 1e-5. */
  readonly eps?: number;
  /** Weight of the new batch statistic in the running average; default 0.1. */
  readonly momentum?: number;
}

/**
 * PyTorch's `nn.BatchNorm2d(channels)` on NHWC activations (normalising over N, H, W).
 *
 * State, in PyTorch's order: `weight` (role `bn.weight`, starts at 1), `bias` (role `bn.bias`,
 * starts at 0), and the buffers `running_mean` (0), `running_var` (1) and
 * `num_batches_tracked` (int32 here, int64 in files).
 *
 * `forward(x, true)` normalises with the batch mean and the biased batch variance, and then
 * updates the buffers as PyTorch does: `running = (1 - momentum)·running + momentum·batch`, with
 * the unbiased variance (`n/(n-1)`, n = N·H·W) for `running_var`, and `num_batches_tracked += 1`.
 * The update is a `Variable.assign` made during the forward pass, so it also happens when the
 * forward runs inside `tf.variableGrads` (the buffers are not trainable and get no gradient; the
 * gradient flows through the batch statistics, as in PyTorch). `forward(x, false)` uses the
 * running statistics and changes nothing.
 */
export class BatchNorm2d extends Module implements Forward {
  readonly weight: tf.Variable<tf.Rank.R1>;
  readonly bias: tf.Variable<tf.Rank.R1>;
  readonly runningMean: tf.Variable<tf.Rank.R1>;
  readonly runningVar: tf.Variable<tf.Rank.R1>;
  readonly numBatchesTracked: tf.Variable<tf.Rank.R0>;
  readonly eps: number;
  readonly momentum: number;

  constructor(
    readonly numFeatures: number,
    options: BatchNorm2dOptions = {},
  ) {
    super();
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    this.weight = this.addParameter('weight', tf.tidy(() => tf.variable(tf.ones([numFeatures]) as tf.Tensor1D)), 'bn.weight');
    this.bias = this.addParameter('bias', tf.tidy(() => tf.variable(tf.zeros([numFeatures]) as tf.Tensor1D)), 'bn.bias');
    this.runningMean = this.addBuffer('running_mean', tf.tidy(() => tf.variable(tf.zeros([numFeatures]) as tf.Tensor1D, false)));
    this.runningVar = this.addBuffer('running_var', tf.tidy(() => tf.variable(tf.ones([numFeatures]) as tf.Tensor1D, false)));
    this.numBatchesTracked = this.addBuffer('num_batches_tracked', tf.tidy(() => tf.variable(tf.scalar(0, 'int32'), false)), 'int64');
  }

  forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return this.forwardWith(x, training, 'linear');
  }

  /**
   * `activation(bn(x))`: in training one fused kernel forward and one backward where the
   * backend has them (see `batchNormTrain`), the separate ops elsewhere and in evaluation.
   */
  forwardWith(x: tf.Tensor4D, training: boolean, activation: BatchNormActivation): tf.Tensor4D {
    if (!training) {
      return tf.tidy(() => {
        const y = tf.batchNorm4d(x, this.runningMean, this.runningVar, this.bias, this.weight, this.eps);
        return activation === 'relu' ? tf.relu(y) : y;
      });
    }
    const n = x.shape[0] * x.shape[1] * x.shape[2];
    if (n < 2) {
      throw new LthError('BATCH_TOO_SMALL', `Batch norm in training needs more than one value per channel (got input of shape [${x.shape}]). Use a batch size above 1.`);
    }
    return batchNormTrain(x, this.weight, this.bias, this.eps,
      ({ mean, variance }) => this.updateRunningStats(mean, variance, n), activation) as tf.Tensor4D;
  }

  private updateRunningStats(mean: tf.Tensor1D, biasedVariance: tf.Tensor1D, n: number): void {
    const m = this.momentum;
    tf.tidy(() => {
      const unbiased = tf.mul(biasedVariance, n / (n - 1));
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(unbiased, m)));
      this.numBatchesTracked.assign(tf.add(this.numBatchesTracked, tf.scalar(1, 'int32')));
    });
  }
}
