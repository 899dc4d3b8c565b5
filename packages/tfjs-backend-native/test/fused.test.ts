import * as tf from '@tensorflow/tfjs-core';
import { batchNormTrain, FUSED_KERNELS, sgdUpdate, softmaxCrossEntropy } from '@lth/nn';
import { expect } from 'chai';
import { kernelStats, resetKernelStats } from '../src';
import { expectSame, rand, setup, t } from './helpers';

/** Runs `f` on native and asserts each fused kernel in `names` ran natively exactly `times` times. */
async function expectFused(f: () => void, names: string[], times = 1): Promise<void> {
  await tf.setBackend('native');
  resetKernelStats();
  tf.tidy(f);
  for (const n of names) expect(kernelStats()[n], n).to.deep.equal({ native: times, fallback: 0 });
}

// @lth/kernel's fused training ops run one kernel each on native and plain tfjs ops on cpu:
// the two must agree in values and gradients.
describe('fused training kernels (behind @lth/kernel batchNormTrain, softmaxCrossEntropy, sgdUpdate)', function () {
  setup(this);

  it('batchNormTrain matches tf.moments + tf.batchNorm (+ relu) in values, gradients and batch statistics', async () => {
    for (const shape of [[16, 6, 6, 8], [5, 3], [128, 4, 4, 16]]) {
      for (const activation of ['linear', 'relu'] as const) {
        const c = shape[shape.length - 1];
        const x = rand(shape, 3), g = rand([c]), b = rand([c]), w = rand(shape);
        await expectSame(() => {
          const stats: tf.Tensor[] = [];
          const gr = tf.grads((a: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) =>
            tf.sum(tf.mul(batchNormTrain(a, gamma as tf.Tensor1D, beta as tf.Tensor1D, 1e-5, undefined, activation), t(w))))([t(x), t(g), t(b)]);
          const y = batchNormTrain(t(x), t(g) as tf.Tensor1D, t(b) as tf.Tensor1D, 1e-5,
            ({ mean, variance }) => stats.push(tf.keep(mean), tf.keep(variance)), activation);
          return [...gr, y, ...stats];
        }, 5e-5, `${shape} ${activation}`);
      }
    }
    await tf.setBackend('native');
    const y = tf.tidy(() => batchNormTrain(t(rand([4, 3, 3, 5])), tf.ones([5]), tf.zeros([5]), 1e-5, undefined, 'relu'));
    const yv = y.dataSync();
    y.dispose();
    expect(Math.min(...yv)).to.equal(0);
    expect(yv.filter((v) => v > 0).length, 'about half the normalised values are positive').to.be.within(yv.length * 0.3, yv.length * 0.7);
    await expectFused(() => batchNormTrain(tf.ones([4, 2, 2, 3]), tf.ones([3]), tf.zeros([3]), 1e-5),
      [FUSED_KERNELS.batchNormTrain]);
  });

  it('softmaxCrossEntropy matches log-softmax + one-hot in loss and gradient, for extreme logits too', async () => {
    for (const [n, k, scale] of [[128, 10, 3], [7, 1000, 1], [4, 3, 200]]) {
      const x = rand([n, k], scale);
      const labels = Array.from({ length: n }, (_, i) => (i * 7) % k);
      await expectSame(() => {
        const y = tf.tensor1d(labels, 'int32');
        const { value, grad } = tf.valueAndGrad((l: tf.Tensor) => softmaxCrossEntropy(l as tf.Tensor2D, y))(t(x));
        return [value, grad];
      }, 2e-5, `[${n}, ${k}] x${scale}`);
    }
    await expectFused(() => tf.grad((x: tf.Tensor) => softmaxCrossEntropy(x as tf.Tensor2D, tf.tensor1d([0, 2], 'int32')))(tf.ones([2, 3])),
      [FUSED_KERNELS.softmaxCrossEntropy, FUSED_KERNELS.softmaxCrossEntropyGrad]);
  });

  it('softmaxCrossEntropy rejects a label outside [0, K) instead of reading past the row', async () => {
    await tf.setBackend('native');
    expect(() => tf.tidy(() => softmaxCrossEntropy(tf.ones([2, 3]), tf.tensor1d([0, 3], 'int32')))).to.throw(/label 3 is outside \[0, 3\)/);
  });

  it('sgdUpdate matches torch.optim.SGD composed of tfjs ops: momentum, Nesterov, weight decay, masks', async () => {
    const shape = [300, 40];
    const w = rand(shape), g = rand(shape), buf = rand(shape);
    const mask = { shape, data: rand(shape).data.map((v) => (v > 0 ? 1 : 0)) };
    const cases = [
      { momentum: 0, nesterov: false, weightDecay: 0, buf: false, mask: false },
      { momentum: 0.9, nesterov: false, weightDecay: 1e-4, buf: false, mask: true },
      { momentum: 0.9, nesterov: false, weightDecay: 1e-4, buf: true, mask: true },
      { momentum: 0.5, nesterov: true, weightDecay: 5e-4, buf: true, mask: false },
    ];
    for (const c of cases) {
      await expectSame(() => {
        const r = sgdUpdate(t(w), t(g), c.buf ? t(buf) : null, c.mask ? t(mask) : null, { lr: 0.1, ...c });
        return r.buf ? [r.w, r.buf] : [r.w];
      }, 1e-6, JSON.stringify(c));
    }
    await tf.setBackend('native');
    const [nw, nb] = tf.tidy(() => {
      const r = sgdUpdate(t(w), t(g), t(buf), t(mask), { lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 1e-4 });
      return [r.w, r.buf!];
    });
    const wv = nw.dataSync(), bv = nb.dataSync();
    mask.data.forEach((m, i) => {
      if (m === 0) expect(wv[i] === 0 && bv[i] === 0, `pruned entry ${i}: ${wv[i]}, ${bv[i]}`).to.equal(true);
    });
    tf.dispose([nw, nb]);
    await expectFused(() => sgdUpdate(tf.ones([3]), tf.ones([3]), null, null, { lr: 1, momentum: 0, nesterov: false, weightDecay: 0 }),
      [FUSED_KERNELS.sgdUpdate]);
  });
});
