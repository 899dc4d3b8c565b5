import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'chai';
import { NativeBackend, register } from '../src';
import { addon } from '../src/addon';
import { resolveThreads } from '../src/threads';
import { setup } from './helpers';

describe('native backend robustness', function () {
  setup(this);

  it('turns addon errors into JavaScript exceptions', () => {
    const a = new Float32Array(6), b = new Float32Array(6);
    expect(() => addon().matmul(a, b, new Float32Array(1), 1, 1, 2, 2, 3, false, false)).to.throw(/out is too short/);
    expect(() => addon().unary(99, a, b)).to.throw(/unknown unary op/);
    expect(() => addon().binary(0, a, [2, 3], b, [3, 2], new Float32Array(6), [2, 3])).to.throw(/broadcast/);
    expect(() => (addon().reduce as unknown as (...x: unknown[]) => void)(0, 'nope', 1, 1, 1, a)).to.throw(/Float32Array/);
    expect(() => addon().convForward(a, b, null, a, [1, 2, 3])).to.throw(/17 entries/);
    expect(() => addon().convForward(new Float32Array(16), new Float32Array(9), null, new Float32Array(16),
      [1, 4, 4, 1, 4, 4, 1, 3, 3, 0, 1, 1, 1, 1, 1, 1, 1])).to.throw(/positive/);
  });

  it('routes unsupported dtypes and shapes to the cpu kernels', async () => {
    await tf.setBackend('native');
    const r = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), tf.tensor2d([1, 0, 0, 1], [2, 2], 'int32')));
    expect(r.dtype).to.equal('int32');
    expect(Array.from(r.dataSync())).to.deep.equal([1, 2, 3, 4]);
    r.dispose();
    const c = tf.tidy(() => tf.sum(tf.tensor([true, false, true], [3], 'bool')));
    expect(c.dataSync()[0]).to.equal(2);
    c.dispose();
    const s = tf.tidy(() => tf.concat([tf.ones([2, 2]), tf.zeros([1, 2])]));
    expect(Array.from(s.dataSync())).to.deep.equal([1, 1, 1, 1, 0, 0]);
    s.dispose();
  });

  it('never lets recycled storage leak into data read or sliced earlier', async () => {
    await tf.setBackend('native');
    const x = tf.tidy(() => tf.mul(tf.ones([128, 64]), 3));
    const read = x.dataSync();
    const slice = tf.slice(x, [0, 0], [64, 64]);
    x.dispose();
    for (let i = 0; i < 4; i++) tf.tidy(() => tf.mul(tf.ones([128, 64]), 7)).dispose();
    const y = tf.tidy(() => tf.mul(tf.ones([128, 64]), 5));
    expect(read.every((v) => v === 3)).to.equal(true);
    expect(slice.dataSync().every((v) => v === 3)).to.equal(true);
    expect(y.dataSync().every((v) => v === 5)).to.equal(true);
    tf.dispose([slice, y]);
    expect((tf.backend() as NativeBackend).pool.pooledBytes).to.be.greaterThan(0);
  });

  it('validates the thread count and accepts repeated registration', () => {
    expect(() => resolveThreads(0)).to.throw(/positive integer/);
    expect(resolveThreads(3)).to.equal(3);
    expect(register({ threads: 1 })).to.equal(true);
    expect(addon().getThreads()).to.equal(1);
    expect(register({ threads: 2 })).to.equal(true);
  });
});
