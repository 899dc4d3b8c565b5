import * as tf from '@tensorflow/tfjs-core';
import { expectSame, rand, setup, t } from './helpers';

describe('native slice, pad and concat', function () {
  setup(this);

  it('slice of every rank, including crops of NHWC batches', async () => {
    const cases: [number[], number[], number[]][] = [
      [[10], [3], [5]], [[6, 7], [1, 2], [4, -1]], [[8, 36, 36, 3], [0, 2, 3, 0], [8, 32, 32, 3]],
      [[4, 5, 6], [3, 0, 1], [1, 5, 4]], [[2, 3, 4, 5], [1, 1, 1, 1], [1, 2, 3, 4]],
    ];
    for (const [shape, begin, size] of cases) {
      const x = rand(shape);
      await expectSame(() => tf.slice(t(x), begin, size), 0, `${shape} ${begin} ${size}`);
    }
  });

  it('constant pad, and its gradient (a slice)', async () => {
    const x = rand([4, 32, 32, 3]);
    await expectSame(() => tf.pad(t(x), [[0, 0], [4, 4], [4, 4], [0, 0]]), 0);
    const z = rand([3, 5]);
    await expectSame(() => tf.pad(t(z), [[1, 2], [0, 3]], 1.5), 0);
    const y = rand([5, 4]);
    await expectSame(() => tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.pad(a, [[1, 0], [2, 2]]))))(t(y)), 1e-6);
  });

  it('concat along every axis, and its gradient', async () => {
    const a = rand([2, 3, 4]), b = rand([2, 3, 4]), c = rand([2, 1, 4]), d = rand([2, 3, 2]);
    await expectSame(() => tf.concat([t(a), t(b)], 0), 0);
    await expectSame(() => tf.concat([t(a), t(c), t(b)], 1), 0);
    await expectSame(() => tf.concat([t(a), t(d)], -1), 0);
    await expectSame(() => tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(tf.concat([p, q], 1))))([t(a), t(c)]), 1e-6);
  });
});
