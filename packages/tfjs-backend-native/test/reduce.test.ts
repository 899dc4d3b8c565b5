import * as tf from '@tensorflow/tfjs-core';
import { expectSame, rand, setup, t } from './helpers';

describe('native reductions', function () {
  setup(this);

  const cases: [number[], number | number[], boolean][] = [
    [[128, 10], 1, false], [[128, 10], -1, true], [[6, 5, 4, 3], [0, 1, 2], false],
    [[6, 5, 4, 3], [0, 1, 2], true], [[6, 5, 4, 3], [1, 2], false], [[6, 5, 4, 3], 0, false],
    [[6, 5, 4, 3], [0, 2], true], [[300], 0, false], [[2, 3, 4], [0, 1, 2], false],
    [[64, 33, 17], [0, 1], false],
  ];
  const ops: [string, (x: tf.Tensor, axis: number | number[], keep: boolean) => tf.Tensor][] = [
    ['sum', tf.sum], ['mean', tf.mean], ['max', tf.max], ['min', tf.min], ['prod', (x, a, k) => tf.prod(tf.add(tf.mul(x, 0.1), 1), a, k)],
  ];
  for (const [name, op] of ops) {
    it(`${name} over contiguous and scattered axes`, async () => {
      for (const [shape, axis, keep] of cases) {
        const x = rand(shape, 2);
        await expectSame(() => op(t(x), axis, keep), 1e-5, `${name} ${shape} ${axis} ${keep}`);
      }
    });
  }

  it('gradients of mean and sum match', async () => {
    const x = rand([8, 5, 5, 4]);
    await expectSame(() => tf.grad((a: tf.Tensor) =>
      tf.add(tf.sum(tf.square(tf.mean(a, [0, 1, 2]))), tf.sum(tf.mul(tf.sum(a, [1, 2], true), a))))(t(x)), 1e-5);
  });
});
