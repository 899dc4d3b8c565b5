import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'chai';
import { kernelStats, resetKernelStats } from '../src';
import { expectSame, rand, setup, t } from './helpers';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

describe('native convolution', function () {
  setup(this);

  const cases: { x: number[]; f: number[]; s: number | [number, number]; pad: Pad; d?: number }[] = [
    { x: [2, 9, 9, 3], f: [3, 3, 3, 5], s: 1, pad: 'same' },
    { x: [3, 10, 8, 4], f: [3, 3, 4, 6], s: 2, pad: 'same' },
    { x: [1, 11, 11, 2], f: [5, 3, 2, 3], s: [2, 1], pad: 'valid' },
    { x: [4, 8, 8, 16], f: [1, 1, 16, 32], s: 2, pad: 'valid' },
    { x: [2, 7, 9, 3], f: [3, 3, 3, 4], s: 2, pad: [[0, 0], [1, 1], [1, 1], [0, 0]] },
    { x: [2, 6, 6, 2], f: [2, 2, 2, 3], s: 3, pad: 1 },
    { x: [5, 12, 12, 3], f: [4, 4, 3, 2], s: 3, pad: 'same' },
  ];

  it('conv2d forward for strides, paddings and batch sizes', async () => {
    for (const c of cases) {
      const x = rand(c.x), f = rand(c.f);
      await expectSame(() => tf.conv2d(t(x) as tf.Tensor4D, t(f) as tf.Tensor4D, c.s, c.pad), 1e-5, JSON.stringify(c));
    }
  });

  it('conv2d with dilation', async () => {
    const x = rand([2, 12, 12, 3]), f = rand([3, 3, 3, 4]);
    await expectSame(() => tf.conv2d(t(x) as tf.Tensor4D, t(f) as tf.Tensor4D, 1, 'same', 'NHWC', 2), 1e-5);
    await expectSame(() => tf.conv2d(t(x) as tf.Tensor4D, t(f) as tf.Tensor4D, 1, 'valid', 'NHWC', [2, 3]), 1e-5);
  });

  it('both conv2d gradients (Conv2DBackpropInput, Conv2DBackpropFilter)', async () => {
    for (const c of cases) {
      const x = rand(c.x), f = rand(c.f);
      await expectSame(() => tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad))))([t(x), t(f)]), 2e-5, JSON.stringify(c));
    }
    await tf.setBackend('native');
    resetKernelStats();
    tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')))([tf.ones([1, 4, 4, 2]), tf.ones([3, 3, 2, 2])]));
    const s = kernelStats();
    expect(s.Conv2DBackpropInput.native).to.equal(1);
    expect(s.Conv2DBackpropFilter.native).to.equal(1);
  });

  it('fused conv2d with bias and activations', async () => {
    const x = rand([2, 8, 8, 3]), f = rand([3, 3, 3, 6]), bias = rand([6]);
    for (const activation of ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const) {
      await expectSame(() => tf.fused.conv2d({ x: t(x) as tf.Tensor4D, filter: t(f) as tf.Tensor4D, strides: 2, pad: 'same', bias: t(bias), activation, leakyreluAlpha: 0.2 }), 1e-5, activation);
    }
    await expectSame(() => tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.square(
      tf.fused.conv2d({ x: a as tf.Tensor4D, filter: b as tf.Tensor4D, strides: 1, pad: 'same', bias: c, activation: 'relu' }))))([t(x), t(f), t(bias)]), 2e-5);
  });

  it('falls back for NCHW', async () => {
    const x = rand([2, 3, 6, 6]), f = rand([3, 3, 3, 2]);
    await tf.setBackend('native');
    resetKernelStats();
    await expectSame(() => tf.conv2d(t(x) as tf.Tensor4D, t(f) as tf.Tensor4D, 1, 'same', 'NCHW'), 1e-5);
    expect(kernelStats().Conv2D.fallback).to.be.greaterThan(0);
  });
});
