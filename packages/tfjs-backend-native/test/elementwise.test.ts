import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'chai';
import { kernelStats, resetKernelStats } from '../src';
import { expectSame, rand, setup, t } from './helpers';

describe('native elementwise kernels', function () {
  setup(this);

  const pairs: [number[], number[]][] = [
    [[5, 7], [5, 7]], [[4, 3, 8, 16], [16]], [[4, 3, 8, 16], [1, 1, 1, 16]], [[16], [4, 3, 8, 16]],
    [[6, 1, 5], [1, 4, 1]], [[3, 1], [3, 9]], [[2, 3, 4], []], [[], [7, 2]], [[128, 300], [300]],
    [[2, 1, 3, 1], [2, 5, 1, 4]],
  ];
  const binaries: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
    ['add', tf.add], ['sub', tf.sub], ['mul', tf.mul], ['div', tf.div], ['maximum', tf.maximum],
    ['minimum', tf.minimum], ['squaredDifference', tf.squaredDifference],
  ];
  for (const [name, op] of binaries) {
    it(`${name} broadcasts like the cpu backend`, async () => {
      for (const [sa, sb] of pairs) {
        const a = rand(sa, 3), b = rand(sb, 3);
        await expectSame(() => op(t(a), t(b)), 1e-6, `${name} ${sa} ${sb}`);
      }
    });
  }

  it('pow of positive bases', async () => {
    const a = rand([4, 5]), b = rand([5]);
    await expectSame(() => tf.pow(tf.add(tf.abs(t(a)), 0.5), t(b)), 1e-5);
  });

  const unaries: [string, (x: tf.Tensor) => tf.Tensor][] = [
    ['relu', tf.relu], ['relu6', (x) => tf.relu6(tf.mul(x, 4))], ['step', (x) => tf.step(x, 0.3)],
    ['neg', tf.neg], ['exp', tf.exp], ['log', (x) => tf.log(tf.abs(x))], ['sqrt', (x) => tf.sqrt(tf.abs(x))],
    ['rsqrt', (x) => tf.rsqrt(tf.add(tf.abs(x), 0.1))], ['square', tf.square], ['abs', tf.abs],
    ['sigmoid', tf.sigmoid], ['tanh', tf.tanh], ['reciprocal', (x) => tf.reciprocal(tf.add(tf.abs(x), 0.1))],
    ['leakyRelu', (x) => tf.leakyRelu(x, 0.1)], ['elu', tf.elu], ['log1p', (x) => tf.log1p(tf.abs(x))],
    ['expm1', tf.expm1], ['floor', (x) => tf.floor(tf.mul(x, 3))], ['ceil', (x) => tf.ceil(tf.mul(x, 3))],
    ['round', (x) => tf.round(tf.mul(x, 3))], ['softplus', (x) => tf.softplus(tf.mul(x, 20))],
    ['sin', tf.sin], ['cos', tf.cos],
  ];
  for (const [name, op] of unaries) {
    it(`${name} matches the cpu backend`, async () => {
      for (const shape of [[7], [3, 50, 41], [2, 9, 9, 16]]) {
        const x = rand(shape, 2);
        await expectSame(() => op(t(x)), 2e-6, `${name} ${shape}`);
      }
    });
  }

  it('gradients of relu, square and broadcasting ops match', async () => {
    const a = rand([4, 6, 6, 8]), b = rand([8]);
    await expectSame(() => tf.grads((x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(tf.square(tf.relu(tf.add(x, y))), tf.sub(x, y))))([t(a), t(b)]), 1e-5);
  });

  it('addN sums many tensors', async () => {
    const xs = [rand([3, 70]), rand([3, 70]), rand([3, 70])];
    await expectSame(() => tf.addN(xs.map(t)), 1e-6);
  });

  it('runs natively for float32 and falls back for int32', async () => {
    await tf.setBackend('native');
    resetKernelStats();
    tf.tidy(() => tf.add(tf.ones([4]), tf.ones([4])));
    const ints = tf.tidy(() => tf.add(tf.tensor([1, 2], [2], 'int32'), tf.tensor([3, 4], [2], 'int32')));
    expect(Array.from(ints.dataSync())).to.deep.equal([4, 6]);
    expect(ints.dtype).to.equal('int32');
    ints.dispose();
    expect(kernelStats().Add).to.deep.equal({ native: 1, fallback: 1 });
  });
});
