import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'chai';
import { Mask, type PruningBatch } from '@lth/kernel';
import { expectLthRejection, useCpuBackend } from '@lth/testing';
import { GraspPruningHparams, GraspStrategy, graspScores, SnipPruningHparams, SnipStrategy, snipScores, SynflowPruningHparams, SynflowStrategy, synflowScores, absoluteState, twiceDifferentiableCrossEntropy } from '../src';
import { fixedContext, maskValues, plain, tinyNet } from './tiny-net';

/** One example x = [1, 1] of class 0. */
const ONE: PruningBatch = { images: Float32Array.from([1, 1]), labels: Int32Array.from([0]), shape: [1, 1, 1, 2] };
/** W = [[1, -1], [2, -2]]: the logits are 0 on x = [1, 1], so p = [1/2, 1/2] at any temperature. */
const W = [
  [1, -1],
  [2, -2],
];

const close = (a: number[], b: number[], tol: number) => a.forEach((v, i) => expect(v).to.be.closeTo(b[i], tol));

describe('scores of pruning at initialisation, by hand', () => {
  before(useCpuBackend);

  it('SNIP: |g * w| with g = (p - y) x^T', async () => {
    const net = tinyNet([W]);
    try {
      // g = [[-1/2, -1/2], [1/2, 1/2]]; |g * w| = [[1/2, 1/2], [1, 1]].
      close(plain(await snipScores(net, ['l0.weight'], ONE))['l0.weight'], [0.5, 0.5, 1, 1], 1e-6);
    } finally {
      net.dispose();
    }
  });

  it('GraSP: -w * Hg with H the cross-entropy Hessian (diag p - p p^T) (x) x x^T / T^2', async () => {
    // g = [[-1, -1], [1, 1]] / (2T); Hg = [[-1, -1], [1, 1]] / (2T^3); -w * Hg = [[1, -1], [-2, 2]] / (2T^3).
    for (const T of [1, 2]) {
      const net = tinyNet([W]);
      try {
        const s = plain(await graspScores(net, ['l0.weight'], ONE, T))['l0.weight'];
        close(s, [0.5, -0.5, -1, 1].map((v) => v / T ** 3), 1e-6);
        expect([...net.state[0].variable.dataSync()], 'the weights are restored').to.deep.equal([1, -1, 2, -2]);
      } finally {
        net.dispose();
      }
    }
  });

  it('the cross-entropy GraSP differentiates twice has the exact Hessian (diag p - p p^T) / N (tfjs\' exp alone loses a term)', async () => {
    const z = tf.variable(tf.tensor2d([[0.3, -1.2, 2], [1, 0.5, -0.7]]));
    const v = tf.tensor2d([[0.5, 1, -2], [0.1, -0.3, 0.8]]);
    const y = tf.tensor1d([2, 0], 'int32');
    try {
      const { value, grads } = tf.variableGrads(() => {
        const g = tf.variableGrads(() => twiceDifferentiableCrossEntropy(z, y), [z]).grads[z.name];
        return tf.sum(tf.mul(g, v)) as tf.Scalar;
      }, [z]);
      const p = tf.softmax(z);
      const want = tf.div(tf.mul(p, tf.sub(v, tf.sum(tf.mul(p, v), 1, true))), 2);
      close([...grads[z.name].dataSync()], [...want.dataSync()], 1e-6);
      expect(value.dataSync()[0]).to.be.closeTo(tf.sum(tf.mul(tf.div(tf.sub(p, tf.oneHot(y, 3)), 2), v)).dataSync()[0], 1e-6);
      tf.dispose([value, grads[z.name], p, want]);
    } finally {
      tf.dispose([z, v, y]);
    }
  });

  it('SynFlow: |w * dR/dw| of the absolute network on an all-ones input', async () => {
    const net = tinyNet([
      [
        [1, -2],
        [3, 0.5],
      ],
      [[-1, 2]],
    ]);
    try {
      absoluteState(net);
      // R = |W2| |W1| 1: the score of W1[i][j] is |W1[i][j]| |W2[i]|, of W2[i] is |W2[i]| sum_j |W1[i][j]|.
      expect(plain(await synflowScores(net, ['l0.weight', 'l1.weight'], [1, 1, 2]))).to.deep.equal({ 'l0.weight': [1, 2, 6, 1], 'l1.weight': [3, 7] });
    } finally {
      net.dispose();
    }
  });
});

describe('the at-initialisation strategies, by hand', () => {
  before(useCpuBackend);
  const fraction = (f: number, extra: Record<string, unknown> = {}) => ({ pruning_fraction: f, ...extra });

  it('snip scores the initial network (not the trained one) and prunes the lowest |g * w|', async () => {
    const ctx = fixedContext(() => tinyNet([W]), ONE, [1, 1, 2]);
    const trained = tinyNet([[[9, 9], [9, 9]]]);
    try {
      const hp = SnipPruningHparams.create({ pruning_strategy: 'snip', ...fraction(0.5) });
      const mask = await new SnipStrategy().prune(hp, trained, Mask.onesLike(trained), ctx);
      expect(maskValues(mask)).to.deep.equal({ 'l0.weight': [0, 0, 1, 1] });
    } finally {
      trained.dispose();
    }
  });

  it('grasp prunes the highest -w * Hg, and applies the current mask before scoring', async () => {
    const ctx = fixedContext(() => tinyNet([W]), ONE, [1, 1, 2]);
    const trained = tinyNet([W]);
    try {
      const hp = GraspPruningHparams.create({ pruning_strategy: 'grasp', pruning_temperature: 1, ...fraction(0.25) });
      expect(maskValues(await new GraspStrategy().prune(hp, trained, Mask.onesLike(trained), ctx))).to.deep.equal({ 'l0.weight': [1, 1, 1, 0] });
      const half = Mask.onesLike(trained);
      half.set('l0.weight', { data: Float32Array.from([1, 1, 1, 0]), shape: [2, 2], layout: 'same' });
      // With w[1][1] pruned the logits are [0, 2]: the scores change, and the highest of the kept three goes.
      const next = maskValues(await new GraspStrategy().prune(hp, trained, half, ctx))['l0.weight'];
      expect(next[3]).to.equal(0);
      expect(next.filter((v) => v === 0)).to.have.length(2);
    } finally {
      trained.dispose();
    }
  });

  it('synflow rescores after each of its iterations (exponential schedule)', async () => {
    const make = () =>
      tinyNet([
        [
          [1, -2],
          [3, 0.5],
        ],
        [[-1, 2]],
      ]);
    const ctx = fixedContext(make, ONE, [1, 1, 2]);
    const trained = make();
    try {
      // 6 weights, prune 2 in 2 rounds: round 1 keeps round(6 (4/6)^(1/2)) = 5, pruning W1[0][0] (score 1, tied
      // with W1[1][1] and first in order); round 2 rescores: W1 [[0, 2], [6, 1]], W2 [2, 7], and W1[1][1] goes.
      const hp = SynflowPruningHparams.create({ pruning_strategy: 'synflow', pruning_iterations: 2, ...fraction(2 / 6) });
      expect(maskValues(await new SynflowStrategy().prune(hp, trained, Mask.onesLike(trained), ctx))).to.deep.equal({ 'l0.weight': [0, 1, 1, 0], 'l1.weight': [1, 1] });
      const oneShot = SynflowPruningHparams.create({ pruning_strategy: 'synflow', pruning_iterations: 1, ...fraction(2 / 6) });
      expect(maskValues(await new SynflowStrategy().prune(oneShot, trained, Mask.onesLike(trained), ctx))['l0.weight']).to.deep.equal([0, 1, 1, 0]);
    } finally {
      trained.dispose();
    }
  });

  it('says plainly that it needs a pruning context when called without one', async () => {
    const net = tinyNet([W]);
    try {
      const hp = SnipPruningHparams.create({ pruning_strategy: 'snip' });
      await expectLthRejection(() => new SnipStrategy().prune(hp, net, Mask.onesLike(net)), 'NO_PRUNING_CONTEXT', /snip scores the network at initialisation/);
    } finally {
      net.dispose();
    }
  });
});
