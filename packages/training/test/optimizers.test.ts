import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs-core';
import { AdamOptimizer, SgdOptimizer, createOptimizer, type Optimizer, type OptimizerParam } from '../src';
import { useCpuBackend } from '@lth/testing';
import { trainingHparams } from './helpers';

function param(name: string, values: number[], mask?: number[]): OptimizerParam {
  return { name, variable: tf.variable(tf.tensor1d(values)), layout: 'same', mask: mask ? tf.tensor1d(mask) : null };
}

function step(opt: Optimizer, grads: number[][], lr: number): void {
  const g: Record<string, tf.Tensor> = {};
  opt.params.forEach((p, i) => (g[p.variable.name] = tf.tensor1d(grads[i])));
  opt.step(g, lr);
  Object.values(g).forEach((t) => t.dispose());
}

const values = (p: OptimizerParam) => Array.from(p.variable.dataSync());
const dispose = (opt: Optimizer) => {
  opt.dispose();
  for (const p of opt.params) {
    p.variable.dispose();
    p.mask?.dispose();
  }
};

function expectClose(actual: number[], expected: number[], tol = 1e-6): void {
  expect(actual).to.have.length(expected.length);
  actual.forEach((a, i) => expect(a, `entry ${i}: ${actual} vs ${expected}`).to.be.closeTo(expected[i], tol));
}

describe('optimizers', () => {
  before(useCpuBackend);

  it('sgd: w -= lr * g', () => {
    const p = param('w', [1, -2]);
    const opt = new SgdOptimizer([p], { momentum: 0, nesterov: false, weightDecay: 0 });
    step(opt, [[0.5, 0.25]], 0.1);
    expectClose(values(p), [0.95, -2.025]);
    expect(opt.stateTensors()).to.deep.equal([]);
    dispose(opt);
  });

  it('sgd with momentum: the first buffer is the gradient, then mu*buf + g', () => {
    const p = param('w', [1, -2]);
    const opt = createOptimizer(trainingHparams({ momentum: 0.9 }), [p]);
    step(opt, [[0.5, 0.25]], 0.1); // buf = [0.5, 0.25]; w = [0.95, -2.025]
    step(opt, [[1, -1]], 0.1); // buf = [1.45, -0.775]; w = [0.805, -1.9475]
    expectClose(values(p), [0.805, -1.9475]);
    const [[name, t]] = opt.stateTensors();
    expect(name).to.equal('optimizer.momentum_buffer.w');
    expectClose(Array.from(t.data), [1.45, -0.775]);
    dispose(opt);
  });

  it('sgd with nesterov momentum: g + mu*buf', () => {
    const p = param('w', [1, -2]);
    const opt = createOptimizer(trainingHparams({ nesterov_momentum: 0.5 }), [p]);
    expect((opt as SgdOptimizer).options).to.deep.equal({ momentum: 0.5, nesterov: true, weightDecay: 0 });
    step(opt, [[0.5, 0.25]], 0.1); // buf = g; d = g + 0.5g = [0.75, 0.375]; w = [0.925, -2.0375]
    step(opt, [[1, -1]], 0.1); // buf = [1.25, -0.875]; d = [1.625, -1.4375]; w = [0.7625, -1.89375]
    expectClose(values(p), [0.7625, -1.89375]);
    dispose(opt);
  });

  it('sgd with coupled weight decay on every parameter: g + wd*w', () => {
    const w = param('w', [1, -2]);
    const b = param('b', [4]);
    const opt = createOptimizer(trainingHparams({ weight_decay: 0.01, momentum: 0.9 }), [w, b]);
    step(opt, [[0.5, 0.25], [0]], 0.1); // d = [0.51, 0.23]; b: d = 0.04
    expectClose(values(w), [0.949, -2.023]);
    expectClose(values(b), [3.996]);
    step(opt, [[0, 0], [0]], 0.1); // w: d = [0.00949, -0.02023]; buf = 0.9*[0.51,0.23] + d
    expectClose(values(w), [0.949 - 0.1 * (0.459 + 0.00949), -2.023 - 0.1 * (0.207 - 0.02023)]);
    dispose(opt);
  });

  it('adam: bias-corrected moments with PyTorch defaults, and its state', () => {
    const p = param('w', [1, -2, 0.5]);
    const opt = createOptimizer(trainingHparams({ optimizer_name: 'adam', lr: 0.01, weight_decay: 0.1 }), [p]) as AdamOptimizer;
    expect([opt.beta1, opt.beta2, opt.eps]).to.deep.equal([0.9, 0.999, 1e-8]);
    const grads = [
      [0.5, -0.25, 0],
      [0.1, 0.3, -1],
      [-0.2, 0.2, 0.4],
    ];
    // Reference: torch.optim.Adam's single-tensor rule, in float64.
    const w = [1, -2, 0.5];
    const m = [0, 0, 0];
    const v = [0, 0, 0];
    grads.forEach((g, t0) => {
      const t = t0 + 1;
      for (let i = 0; i < 3; i++) {
        const gi = g[i] + 0.1 * w[i];
        m[i] = 0.9 * m[i] + 0.1 * gi;
        v[i] = 0.999 * v[i] + 0.001 * gi * gi;
        const denom = Math.sqrt(v[i]) / Math.sqrt(1 - 0.999 ** t) + 1e-8;
        w[i] -= (0.01 / (1 - 0.9 ** t)) * (m[i] / denom);
      }
      step(opt, [g], 0.01);
    });
    expectClose(values(p), w, 1e-5);
    expect(opt.stepCount('w')).to.equal(3);
    const state = new Map(opt.stateTensors());
    expect([...state.keys()]).to.deep.equal(['optimizer.step.w', 'optimizer.exp_avg.w', 'optimizer.exp_avg_sq.w']);
    expect(state.get('optimizer.step.w')!.shape).to.deep.equal([]);
    expect(Array.from(state.get('optimizer.step.w')!.data)).to.deep.equal([3]);
    expectClose(Array.from(state.get('optimizer.exp_avg.w')!.data), m, 1e-6);
    dispose(opt);
  });

  it('adam: the first step moves each weight by about lr against its gradient sign', () => {
    const p = param('w', [1, 1]);
    const opt = new AdamOptimizer([p], { weightDecay: 0 });
    step(opt, [[3, -0.001]], 0.1);
    expectClose(values(p), [0.9, 1.1], 1e-5);
    dispose(opt);
  });

  it('skips parameters without a gradient (no decay, no state), as PyTorch skips grad None', () => {
    const p = param('w', [1]);
    const opt = createOptimizer(trainingHparams({ weight_decay: 0.5, momentum: 0.9 }), [p]);
    opt.step({ [p.variable.name]: null }, 0.1);
    expect(values(p)).to.deep.equal([1]);
    expect(opt.stateTensors()).to.deep.equal([]);
    dispose(opt);
  });

  for (const optimizer_name of ['sgd', 'adam']) {
    it(`${optimizer_name}: masked weights stay exactly zero under gradients, momentum and weight decay`, () => {
      const p = param('w', [1, 2, -3, 4], [1, 0, 1, 0]);
      const opt = createOptimizer(trainingHparams({ optimizer_name, momentum: optimizer_name === 'sgd' ? 0.9 : 0, weight_decay: 0.1 }), [p]);
      for (let i = 0; i < 4; i++) step(opt, [[0.3, -5, 0.2, 7]], 0.1);
      const w = values(p);
      expect(w[1]).to.equal(0);
      expect(w[3]).to.equal(0);
      expect(w[0]).to.not.equal(1);
      for (const [, t] of opt.stateTensors()) {
        if (t.shape.length) expect([t.data[1], t.data[3]]).to.deep.equal([0, 0]);
      }
      dispose(opt);
    });
  }

  it('state saved and loaded continues exactly as the original', () => {
    for (const hp of [trainingHparams({ nesterov_momentum: 0.9, weight_decay: 0.01 }), trainingHparams({ optimizer_name: 'adam', lr: 0.01 })]) {
      const a = param('w', [1, -2]);
      const b = param('w', [1, -2]);
      const oa = createOptimizer(hp, [a]);
      const ob = createOptimizer(hp, [b]);
      step(oa, [[0.5, 0.25]], 0.1);
      step(ob, [[0.5, 0.25]], 0.1);
      const saved = new Map(oa.stateTensors());
      const fresh = param('w', values(a));
      const oc = createOptimizer(hp, [fresh]);
      oc.loadState(saved);
      step(ob, [[-1, 2]], 0.1);
      step(oc, [[-1, 2]], 0.1);
      expect(values(fresh)).to.deep.equal(values(b));
      expect(() => oc.loadState(new Map([['optimizer.nope.w', { dtype: 'F32', shape: [2], data: new Float32Array(2) }]]))).to.throw(/not state/);
      [oa, ob, oc].forEach(dispose);
      a.variable.dispose();
    }
  });

  it('rejects unknown optimizers, apex_fp16, and both momentum flags', () => {
    const p = [param('w', [1])];
    expect(() => createOptimizer(trainingHparams({ optimizer_name: 'rmsprop' }), p))
      .to.throw(/Unknown optimizer 'rmsprop'. Known: sgd, adam/)
      .with.property('code', 'UNKNOWN_OPTIMIZER');
    expect(() => createOptimizer(trainingHparams({ apex_fp16: true }), p)).to.throw(/apex_fp16 is not supported/).with.property('code', 'UNSUPPORTED_HPARAM');
    expect(() => createOptimizer(trainingHparams({ momentum: 0.9, nesterov_momentum: 0.9 }), p)).to.throw(/not both/).with.property('code', 'CONFLICTING_HPARAMS');
    p[0].variable.dispose();
  });
});
