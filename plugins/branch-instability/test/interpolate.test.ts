import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs-core';
import { ModelHparams, type Model } from '@lth/kernel';
import { buildModel } from '@lth/nn';
import { useCpuBackend, openTestSession } from '@lth/testing';
import { interpolateInto, pathAlphas, parseSeeds, seedsComplaint, summarizePath, type PathPoint } from '../src';

const { registry } = openTestSession({ plugins: ['@lth/plugin-model-resnet'] });
const resnet = (seed: number): Model =>
  buildModel(ModelHparams.create({ model_name: 'cifar_resnet_8', model_init: 'kaiming_normal', batchnorm_init: 'uniform' }), { outputs: 10, inputShape: [8, 8, 3], seed, registry });
const entry = (m: Model, name: string) => m.state.find((e) => e.name === name)!.variable;
const values = (m: Model, name: string) => Array.from(entry(m, name).dataSync());

describe('instability: the path', () => {
  before(useCpuBackend);

  it('pathAlphas: points from 0 to 1 inclusive, evenly spaced', () => {
    const a = pathAlphas(30);
    expect(a).to.have.length(30);
    expect(a[0]).to.equal(0);
    expect(a[29]).to.equal(1);
    expect(a[1]).to.be.closeTo(1 / 29, 1e-15);
    expect(pathAlphas(2)).to.deep.equal([0, 1]);
    expect(pathAlphas(5)).to.deep.equal([0, 0.25, 0.5, 0.75, 1]);
    expect(() => pathAlphas(1)).to.throw(RangeError);
  });

  it('interpolates every state entry of a batch-norm network, running statistics included; the ends are exact; zeros stay zero', () => {
    const a = resnet(1);
    const b = resnet(2);
    const mid = resnet(3);
    // Running statistics as training leaves them, different in the two networks.
    for (const [m, mean, v, n] of [[a, 0.5, 2, 7], [b, -1.5, 4, 3]] as const) {
      for (const e of m.state) {
        if (e.name.endsWith('running_mean')) e.variable.assign(tf.fill(e.variable.shape, mean));
        if (e.name.endsWith('running_var')) e.variable.assign(tf.fill(e.variable.shape, v));
        if (e.name.endsWith('num_batches_tracked')) e.variable.assign(tf.scalar(n, 'int32'));
      }
    }
    // A "pruned" weight: zero in both ends.
    const w = 'blocks.0.conv1.weight';
    for (const m of [a, b]) {
      const v = entry(m, w);
      const data = v.dataSync().slice();
      data[0] = 0;
      const z = tf.tensor(data, v.shape);
      v.assign(z);
      z.dispose();
    }
    for (const alpha of [0, 1]) {
      interpolateInto(mid, a, b, alpha);
      for (const e of mid.state) expect(values(mid, e.name), `${e.name} at ${alpha}`).to.deep.equal(values(alpha === 0 ? a : b, e.name));
    }
    interpolateInto(mid, a, b, 0.25);
    const mean = 'blocks.0.bn1.running_mean';
    expect(values(mid, mean).every((x) => Math.abs(x - (0.75 * 0.5 + 0.25 * -1.5)) < 1e-6)).to.equal(true);
    expect(values(mid, 'blocks.0.bn1.running_var').every((x) => Math.abs(x - 2.5) < 1e-6)).to.equal(true);
    expect(values(mid, 'blocks.0.bn1.num_batches_tracked')).to.deep.equal([6]);
    const fa = values(a, 'fc.weight');
    const fb = values(b, 'fc.weight');
    values(mid, 'fc.weight').forEach((x, i) => expect(x).to.be.closeTo(0.75 * fa[i] + 0.25 * fb[i], 1e-6));
    expect(values(mid, w)[0]).to.equal(0);
    expect(values(a, w)[1]).to.not.equal(0);
    for (const m of [a, b, mid]) m.dispose();
  });

  it('the instability is the highest error on the path minus the mean of the end networks\' errors', () => {
    const p = (alpha: number, err: number, loss: number): PathPoint => ({ alpha, test_error: err, test_loss: loss, test_accuracy: 1 - err });
    const s = summarizePath([p(0, 0.1, 0.3), p(0.25, 0.14, 0.5), p(0.5, 0.3, 0.9), p(0.75, 0.2, 0.6), p(1, 0.12, 0.4)]);
    expect(s.endpoint_error).to.be.closeTo(0.11, 1e-12);
    expect(s.max_error).to.equal(0.3);
    expect(s.max_error_alpha).to.equal(0.5);
    expect(s.instability).to.be.closeTo(0.19, 1e-12);
    expect(s.loss_barrier).to.be.closeTo(0.55, 1e-12);
    // A path no worse than its ends: the worse end is the maximum.
    const flat = summarizePath([p(0, 0.1, 0.3), p(0.5, 0.09, 0.2), p(1, 0.12, 0.4)]);
    expect(flat.instability).to.be.closeTo(0.01, 1e-12);
    expect(flat.max_error_alpha).to.equal(1);
  });

  it('--seeds is two different integers', () => {
    expect(seedsComplaint('1,2')).to.equal(undefined);
    expect(parseSeeds('7,30')).to.deep.equal([7, 30]);
    for (const bad of ['1', '1,2,3', '1, 2', 'a,b', '-1,2', '']) expect(seedsComplaint(bad), bad).to.match(/two integers separated by a comma/);
    expect(seedsComplaint('3,3')).to.match(/different data order seeds/);
  });
});
