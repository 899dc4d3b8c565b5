import * as tf from '@tensorflow/tfjs-core';
import { expectSame, rand, setup, t } from './helpers';

describe('native softmax and cross-entropy pieces', function () {
  setup(this);

  it('softmax and logSoftmax over the last axis', async () => {
    for (const shape of [[128, 10], [3, 4, 7], [1, 1000], [5]]) {
      const x = rand(shape, 5);
      await expectSame(() => tf.softmax(t(x)), 1e-6, `softmax ${shape}`);
      await expectSame(() => tf.logSoftmax(t(x)), 1e-5, `logSoftmax ${shape}`);
    }
  });

  it('softmax cross-entropy loss and its gradient', async () => {
    const logits = rand([128, 10], 4);
    const labels = tf.tidy(() => Array.from(tf.oneHot(tf.tensor1d(Array.from({ length: 128 }, (_, i) => (i * 7) % 10), 'int32'), 10).dataSync()));
    const y = () => tf.tensor(labels, [128, 10]);
    await expectSame(() => tf.losses.softmaxCrossEntropy(y(), t(logits)), 1e-6);
    await expectSame(() => tf.grad((l: tf.Tensor) => tf.losses.softmaxCrossEntropy(y(), l))(t(logits)), 1e-6);
    await expectSame(() => tf.grad((l: tf.Tensor) => tf.sum(tf.mul(tf.softmax(l), t(logits))))(t(logits)), 1e-5);
  });

  it('transpose of any rank', async () => {
    for (const [shape, perm] of [[[3, 4], [1, 0]], [[2, 3, 4, 5], [0, 3, 1, 2]], [[2, 3, 4, 5], [3, 2, 1, 0]], [[6, 1, 7], [2, 0, 1]]] as [number[], number[]][]) {
      const x = rand(shape);
      await expectSame(() => tf.transpose(t(x), perm), 0, `${shape} ${perm}`);
    }
  });
});
