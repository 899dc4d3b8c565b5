import * as tf from '@tensorflow/tfjs-core';
import { expectSame, rand, setup, t } from './helpers';

describe('native pooling', function () {
  setup(this);

  const cases: { x: number[]; k: number | [number, number]; s: number | [number, number]; pad: 'same' | 'valid' | number }[] = [
    { x: [2, 8, 8, 3], k: 2, s: 2, pad: 'valid' },
    { x: [3, 9, 7, 4], k: 3, s: 2, pad: 'same' },
    { x: [1, 10, 10, 2], k: [3, 2], s: [1, 2], pad: 'same' },
    { x: [4, 6, 6, 5], k: 3, s: 1, pad: 1 },
    { x: [2, 8, 8, 16], k: 8, s: 8, pad: 'valid' },
  ];

  for (const kind of ['max', 'avg'] as const) {
    const pool = kind === 'max' ? tf.maxPool : tf.avgPool;
    it(`${kind}Pool forward and gradient`, async () => {
      for (const c of cases) {
        const x = rand(c.x);
        await expectSame(() => pool(t(x) as tf.Tensor4D, c.k, c.s, c.pad), 1e-6, `${kind} ${JSON.stringify(c)}`);
        await expectSame(() => tf.grad((a: tf.Tensor) => tf.sum(tf.square(pool(a as tf.Tensor4D, c.k, c.s, c.pad))))(t(x)), 1e-5, `${kind} grad ${JSON.stringify(c)}`);
      }
    });
  }
});
