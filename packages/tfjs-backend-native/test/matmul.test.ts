import * as tf from '@tensorflow/tfjs-core';
import { expectSame, rand, setup, t } from './helpers';

describe('native matrix multiply', function () {
  setup(this);

  it('matMul with every transpose combination and odd sizes', async () => {
    for (const [m, k, n] of [[1, 1, 1], [3, 5, 7], [128, 784, 300], [33, 17, 65]]) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const a = rand(ta ? [k, m] : [m, k]), b = rand(tb ? [n, k] : [k, n]);
          await expectSame(() => tf.matMul(t(a), t(b), ta, tb), 1e-5, `${m}x${k}x${n} ${ta} ${tb}`);
        }
      }
    }
  });

  it('batched matMul, with broadcast batch dimensions', async () => {
    for (const [sa, sb] of [[[4, 3, 5], [4, 5, 2]], [[2, 3, 3, 5], [1, 5, 6]], [[1, 7, 4], [3, 4, 2]], [[6, 2, 4, 3], [6, 2, 3, 5]]]) {
      const a = rand(sa), b = rand(sb);
      await expectSame(() => tf.matMul(t(a), t(b)), 1e-5, `${sa} ${sb}`);
    }
  });

  it('fused matMul with bias and activations', async () => {
    const a = rand([16, 20]), b = rand([20, 12]), bias = rand([12]), scalarBias = rand([1]);
    for (const activation of ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const) {
      await expectSame(() => tf.fused.matMul({ a: t(a), b: t(b), bias: t(bias), activation, leakyreluAlpha: 0.1 }), 1e-5, activation);
      await expectSame(() => tf.fused.matMul({ a: t(b), b: t(a), transposeA: true, transposeB: true, bias: t(scalarBias), activation }), 1e-5, activation);
    }
    const prelu = rand([12]);
    await expectSame(() => tf.fused.matMul({ a: t(a), b: t(b), bias: t(bias), activation: 'prelu', preluActivationWeights: t(prelu) }), 1e-5, 'prelu (fallback)');
  });

  it('gradients of matMul and fused matMul match', async () => {
    const a = rand([32, 20]), b = rand([20, 12]), bias = rand([12]);
    await expectSame(() => tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
      tf.sum(tf.square(tf.fused.matMul({ a: x as tf.Tensor2D, b: y as tf.Tensor2D, bias: z, activation: 'relu' }))))([t(a), t(b), t(bias)]), 1e-5);
    const c = rand([20, 32]), d = rand([20, 7]);
    await expectSame(() => tf.grads((x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.square(tf.matMul(x, y, true, false))))([t(c), t(d)]), 1e-5);
  });
});
