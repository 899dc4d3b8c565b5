import * as tf from '@tensorflow/tfjs-core';
import { expectSame, rand, setup, t } from './helpers';

describe('native batch normalisation', function () {
  setup(this);

  it('batchNorm inference with rank-1, rank-4 and missing parameters', async () => {
    const x = rand([4, 5, 5, 6]);
    const mean = rand([6]), variance = rand([6]), offset = rand([6]), scale = rand([6]);
    const v = () => tf.add(tf.abs(t(variance)), 0.5);
    await expectSame(() => tf.batchNorm(t(x), t(mean), v(), t(offset), t(scale), 1e-3), 1e-5);
    await expectSame(() => tf.batchNorm(t(x), t(mean), v()), 1e-5);
    await expectSame(() => tf.batchNorm(t(x), tf.reshape(t(mean), [1, 1, 1, 6]), tf.reshape(v(), [1, 1, 1, 6]), undefined, tf.reshape(t(scale), [1, 1, 1, 6])), 1e-5);
    const full = rand([4, 5, 5, 6]);
    await expectSame(() => tf.batchNorm(t(x), t(full), tf.add(tf.abs(t(full)), 0.5), tf.reshape(t(offset), [1, 1, 1, 6]), tf.reshape(t(scale), [1, 1, 1, 6])), 1e-5, 'full-size mean (fallback)');
    const x2 = rand([7, 6]);
    await expectSame(() => tf.batchNorm(t(x2), t(mean), v(), t(offset), t(scale)), 1e-5, 'rank 2');
  });

  it('training-mode batch norm (moments + batchNorm): values and all gradients', async () => {
    for (const shape of [[8, 6, 6, 4], [16, 4, 4, 16], [3, 5]]) {
      const c = shape[shape.length - 1];
      const x = rand(shape, 2), g = rand([c]), b = rand([c]), w = rand(shape);
      const axes = shape.map((_, i) => i).slice(0, -1);
      await expectSame(() => tf.grads((a: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, axes);
        return tf.sum(tf.mul(tf.batchNorm(a, mean, variance, beta, gamma, 1e-5), t(w)));
      })([t(x), t(g), t(b)]), 5e-5, `${shape}`);
    }
  });

  it('gradients with respect to given mean and variance', async () => {
    const x = rand([4, 3, 3, 5]), m = rand([5]), v = rand([5]), s = rand([5]), o = rand([5]), w = rand([4, 3, 3, 5]);
    await expectSame(() => tf.grads((a: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) =>
      tf.sum(tf.mul(tf.batchNorm(a, mean, tf.add(tf.abs(variance), 0.5), offset, scale, 1e-3), t(w))))(
      [t(x), t(m), t(v), t(s), t(o)]), 5e-5);
  });
});
