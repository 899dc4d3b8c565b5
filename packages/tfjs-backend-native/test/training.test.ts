import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'chai';
import { rand, resetSeed, setup, t } from './helpers';

interface Model {
  params: tf.Variable[];
  loss: (x: tf.Tensor, y: tf.Tensor) => tf.Scalar;
}

function lenet(): Model {
  const sizes = [784, 300, 100, 10];
  const params: tf.Variable[] = [];
  for (let i = 0; i < 3; i++) {
    params.push(tf.variable(tf.mul(t(rand([sizes[i], sizes[i + 1]])), 1 / Math.sqrt(sizes[i]))));
    params.push(tf.variable(tf.mul(t(rand([sizes[i + 1]])), 0.1)));
  }
  const loss = (x: tf.Tensor, y: tf.Tensor) => {
    let h = x;
    for (let i = 0; i < 3; i++) {
      h = tf.add(tf.matMul(h, params[2 * i]), params[2 * i + 1]);
      if (i < 2) h = tf.relu(h);
    }
    return tf.losses.softmaxCrossEntropy(y, h) as tf.Scalar;
  };
  return { params, loss };
}

/** A small ResNet-20-like net: stem, three stages of one BasicBlock (widths 4/8/16), BN, projection shortcuts. */
function smallResnet(): Model {
  const params: tf.Variable[] = [];
  const conv = (k: number, fin: number, fout: number) => {
    const v = tf.variable(tf.mul(t(rand([k, k, fin, fout])), Math.sqrt(2 / (k * k * fin))));
    params.push(v);
    return v as unknown as tf.Tensor4D;
  };
  const bn = (c: number) => {
    const g = tf.variable(tf.add(tf.ones([c]), tf.mul(t(rand([c])), 0.1))), b = tf.variable(tf.mul(t(rand([c])), 0.1));
    params.push(g, b);
    return (x: tf.Tensor) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return tf.batchNorm(x, mean, variance, b, g, 1e-5);
    };
  };
  const pad1: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [1, 1], [1, 1], [0, 0]];
  const stem = conv(3, 3, 4), stemBn = bn(4);
  const blocks = [[4, 4, 1], [4, 8, 2], [8, 16, 2]].map(([fin, fout, s]) => {
    const c1 = conv(3, fin, fout), b1 = bn(fout), c2 = conv(3, fout, fout), b2 = bn(fout);
    const sc = s > 1 ? { c: conv(1, fin, fout), b: bn(fout) } : null;
    return (x: tf.Tensor) => {
      const h = tf.relu(b1(tf.conv2d(x as tf.Tensor4D, c1, s, pad1)));
      const o = b2(tf.conv2d(h as tf.Tensor4D, c2, 1, pad1));
      const short = sc ? sc.b(tf.conv2d(x as tf.Tensor4D, sc.c, s, 'valid')) : x;
      return tf.relu(tf.add(o, short));
    };
  });
  const fcW = tf.variable(tf.mul(t(rand([16, 10])), 0.25)), fcB = tf.variable(tf.zeros([10]));
  params.push(fcW, fcB);
  const loss = (x: tf.Tensor, y: tf.Tensor) => {
    let h = tf.relu(stemBn(tf.conv2d(x as tf.Tensor4D, stem, 1, pad1)));
    for (const b of blocks) h = b(h);
    const logits = tf.add(tf.matMul(tf.mean(h, [1, 2]), fcW), fcB);
    return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
  };
  return { params, loss };
}

async function train(backend: string, make: () => Model, xShape: number[], steps: number, lr: number) {
  await tf.setBackend(backend);
  resetSeed(1);
  const x = t(rand(xShape));
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: xShape[0] }, (_, i) => (i * 3) % 10), 'int32'), 10);
  const model = make();
  const opt = tf.train.momentum(lr, 0.9);
  const losses: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < steps; i++) {
    const { value, grads } = tf.variableGrads(() => model.loss(x, y), model.params);
    opt.applyGradients(grads as tf.NamedTensorMap as unknown as Record<string, tf.Variable>);
    losses.push(value.dataSync()[0]);
    tf.dispose([value, ...Object.values(grads)]);
    counts.push(tf.memory().numTensors);
  }
  const weights = model.params.map((p) => Float32Array.from(p.dataSync()));
  tf.dispose([x, y, ...model.params]);
  opt.dispose();
  return { losses, weights, counts };
}

function expectCurvesClose(cpu: number[], native: number[], tol: number) {
  cpu.forEach((l, i) => expect(Math.abs(l - native[i]), `step ${i}: cpu ${l} native ${native[i]}`).to.be.at.most(tol * Math.max(1, Math.abs(l))));
}

describe('training loops on native match the cpu backend', function () {
  setup(this);
  this.timeout(120000);

  it('LeNet-300-100 (784-300-100-10 MLP), 8 SGD-momentum steps', async () => {
    const cpu = await train('cpu', lenet, [64, 784], 8, 0.05);
    const native = await train('native', lenet, [64, 784], 8, 0.05);
    expect(cpu.losses[7]).to.be.lessThan(cpu.losses[0]);
    expectCurvesClose(cpu.losses, native.losses, 1e-4);
    expect(new Set(native.counts.slice(1)).size, `tensor count ${native.counts}`).to.equal(1);
  });

  it('a small ResNet-20-like conv net with batch norm, 6 steps', async () => {
    const cpu = await train('cpu', smallResnet, [8, 8, 8, 3], 6, 0.05);
    const native = await train('native', smallResnet, [8, 8, 8, 3], 6, 0.05);
    expect(cpu.losses[5]).to.be.lessThan(cpu.losses[0]);
    expectCurvesClose(cpu.losses, native.losses, 1e-3);
    expect(new Set(native.counts.slice(1)).size, `tensor count ${native.counts}`).to.equal(1);
  });
});
