import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { expect } from 'chai';
import { Rng } from '@lth/kernel';
import { ensureGradients, Linear } from '../src';

const input = (): tf.Tensor2D => tf.tensor2d(Float32Array.from({ length: 6 * 7 }, (_, i) => Math.sin(i * 1.3) * 2), [6, 7]);

function unfused(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D | null, relu: boolean): tf.Tensor2D {
  const z = tf.matMul(x, w, false, true);
  const y = b ? tf.add(z, b) : z;
  return (relu ? tf.relu(y) : y) as tf.Tensor2D;
}

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

describe('Linear fused forward', () => {
  before(async () => {
    await ensureGradients();
    await tf.setBackend('cpu');
  });

  for (const bias of [true, false]) {
    for (const activation of ['linear', 'relu'] as const) {
      it(`forwardWith(x, '${activation}')${bias ? '' : ' without bias'} equals the separate ops bit for bit, with their gradients`, () => {
        const lin = new Linear(7, 5, new Rng('fused', activation, String(bias)), { bias });
        const x = input();
        const weights = [lin.weight, ...(lin.bias ? [lin.bias] : [])];
        const scale = tf.sub(tf.range(0, 5), 2);
        const fused = (a: tf.Tensor) => tf.sum(tf.mul(lin.forwardWith(a as tf.Tensor2D, activation), scale)) as tf.Scalar;
        const plain = (a: tf.Tensor) => tf.sum(tf.mul(unfused(a as tf.Tensor2D, lin.weight, lin.bias, activation === 'relu'), scale)) as tf.Scalar;
        expect(values(lin.forwardWith(x, activation))).to.deep.equal(values(unfused(x, lin.weight, lin.bias, activation === 'relu')));
        const got = tf.variableGrads(() => fused(x), weights).grads;
        const want = tf.variableGrads(() => plain(x), weights).grads;
        const gotGrads = [tf.grad(fused)(x), ...weights.map((w) => got[w.name])];
        const wantGrads = [tf.grad(plain)(x), ...weights.map((w) => want[w.name])];
        expect(gotGrads.map((g) => g.shape)).to.deep.equal([[6, 7], [5, 7], ...(bias ? [[5]] : [])]);
        gotGrads.forEach((g, i) => expect(values(g), `gradient ${i}`).to.deep.equal(values(wantGrads[i])));
        expect(values(gotGrads[0]).some((v) => v !== 0)).to.equal(true);
        lin.dispose();
      });
    }
  }

  it('applies the ReLU: negative pre-activations give 0 and no gradient', () => {
    const lin = new Linear(2, 2, new Rng('l'));
    lin.weight.assign(tf.tensor2d([[1, 2], [-3, -4]]));
    lin.bias!.assign(tf.tensor1d([1, 1]));
    const x = tf.tensor2d([[1, 1]]);
    expect(values(lin.forwardWith(x, 'relu'))).to.deep.equal([4, 0]);
    const { grads } = tf.variableGrads(() => tf.sum(lin.forwardWith(x, 'relu')), [lin.weight, lin.bias!]);
    expect(values(grads[lin.weight.name])).to.deep.equal([1, 1, 0, 0]);
    expect(values(grads[lin.bias!.name])).to.deep.equal([1, 0]);
    lin.dispose();
  });

  it('runs one kernel forward and computes no gradient for an input that needs none', async () => {
    const lin = new Linear(7, 5, new Rng('count'));
    const x = input();
    const forward = await tf.profile(() => void lin.forwardWith(x, 'relu').dispose());
    expect(forward.kernels.map((k) => k.name)).to.deep.equal(['_FusedMatMul']);
    const step = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(lin.forwardWith(x, 'relu')), [lin.weight, lin.bias!]);
      tf.dispose([value, ...Object.values(grads)]);
    });
    const matMuls = step.kernels.filter((k) => k.name === 'BatchMatMul' || k.name === '_FusedMatMul');
    expect(matMuls.map((k) => k.name)).to.deep.equal(['_FusedMatMul', 'BatchMatMul']);
    lin.dispose();
  });
});
