'use strict';
// The benchmark models, written directly with tfjs-core ops (NHWC activations, HWIO filters,
// [in, out] dense weights), mirroring bench/torch_reference.py.
const tf = require('@tensorflow/tfjs-core');
const { batchNormTrain } = require('@lth/tfjs-backend-native');

// 'fused' (default): batch norm in training through @lth/tfjs-backend-native's batchNormTrain,
// which is tf.moments + tf.batchNorm on every backend but native, where it is one fused kernel.
// 'tfjs': always tf.moments + tf.batchNorm.
const BN_MODE = process.env.LTH_BENCH_BN || 'fused';

let seed = 1;
const nextSeed = () => seed++;

function uniform(shape, fanIn) {
  const bound = 1 / Math.sqrt(fanIn);
  return tf.variable(tf.randomUniform(shape, -bound, bound, 'float32', nextSeed()));
}

function linear(fin, fout) {
  return { w: uniform([fin, fout], fin), b: uniform([fout], fin) };
}

function dense(p, x) {
  return tf.add(tf.matMul(x, p.w), p.b);
}

/** LeNet-300-100: 784-300-100-10 MLP with ReLU. */
function lenet() {
  const l1 = linear(784, 300), l2 = linear(300, 100), l3 = linear(100, 10);
  return {
    name: 'lenet',
    inputShape: [784],
    forward: (x) => dense(l3, tf.relu(dense(l2, tf.relu(dense(l1, x))))),
  };
}

function conv(fin, fout, k) {
  return tf.variable(tf.mul(tf.randomNormal([k, k, fin, fout], 0, 1, 'float32', nextSeed()),
    Math.sqrt(2 / (k * k * fin))));
}

function batchNorm(c) {
  return {
    gamma: tf.variable(tf.ones([c])), beta: tf.variable(tf.zeros([c])),
    runningMean: tf.variable(tf.zeros([c]), false), runningVar: tf.variable(tf.ones([c]), false),
  };
}

const EPS = 1e-5, MOMENTUM = 0.1;

// Training normalises with the batch statistics (tf.moments + tf.batchNorm) and updates the
// running statistics as PyTorch does; evaluation uses the running statistics.
function applyBatchNorm(bn, x, training) {
  if (!training) return tf.batchNorm4d(x, bn.runningMean, bn.runningVar, bn.beta, bn.gamma, EPS);
  if (BN_MODE === 'fused') {
    return batchNormTrain(x, bn.gamma, bn.beta, EPS,
      { mean: bn.runningMean, variance: bn.runningVar, momentum: MOMENTUM });
  }
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const y = tf.batchNorm4d(x, mean, variance, bn.beta, bn.gamma, EPS);
  const n = x.shape[0] * x.shape[1] * x.shape[2];
  tf.tidy(() => {
    bn.runningMean.assign(tf.add(tf.mul(bn.runningMean, 1 - MOMENTUM), tf.mul(mean, MOMENTUM)));
    bn.runningVar.assign(tf.add(tf.mul(bn.runningVar, 1 - MOMENTUM), tf.mul(variance, MOMENTUM * n / (n - 1))));
  });
  return y;
}

const PAD1 = [[0, 0], [1, 1], [1, 1], [0, 0]];

// In evaluation every conv-BN(-ReLU) unit runs in its own tidy, so that intermediates are freed
// as soon as they are consumed (as PyTorch frees them under no_grad).
const unit = (training, f) => (training ? f() : tf.tidy(f));

function block(fin, fout, downsample) {
  const stride = downsample ? 2 : 1;
  const b = {
    conv1: conv(fin, fout, 3), bn1: batchNorm(fout), conv2: conv(fout, fout, 3), bn2: batchNorm(fout),
  };
  if (downsample || fin !== fout) {
    b.shortcut = { conv: conv(fin, fout, 1), bn: batchNorm(fout) };
  }
  return (x, training) => {
    const h = unit(training, () => tf.relu(applyBatchNorm(b.bn1, tf.conv2d(x, b.conv1, stride, PAD1), training)));
    const out = unit(training, () => applyBatchNorm(b.bn2, tf.conv2d(h, b.conv2, 1, PAD1), training));
    const sc = b.shortcut
      ? unit(training, () => applyBatchNorm(b.shortcut.bn, tf.conv2d(x, b.shortcut.conv, 2, 'valid'), training))
      : x;
    const y = unit(training, () => tf.relu(tf.add(out, sc)));
    if (!training) tf.dispose([h, out, ...(sc === x ? [] : [sc])]);
    return y;
  };
}

/** CIFAR ResNet-20 (OpenLTH cifar_resnet_20): widths 16/32/64, projection shortcuts. */
function resnet20() {
  const stem = conv(3, 16, 3), stemBn = batchNorm(16);
  const blocks = [];
  let fin = 16;
  [16, 32, 64].forEach((width, i) => {
    for (let j = 0; j < 3; j++) {
      blocks.push(block(fin, width, i > 0 && j === 0));
      fin = width;
    }
  });
  const fc = linear(64, 10);
  return {
    name: 'resnet20',
    inputShape: [32, 32, 3],
    forward: (x, training) => {
      let out = unit(training, () => tf.relu(applyBatchNorm(stemBn, tf.conv2d(x, stem, 1, PAD1), training)));
      for (const b of blocks) {
        const next = b(out, training);
        if (!training) out.dispose();
        out = next;
      }
      return dense(fc, tf.mean(out, [1, 2]));
    },
  };
}

module.exports = { lenet, resnet20, models: { lenet, resnet20 }, BN_MODE };
