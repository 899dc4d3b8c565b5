import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs-core';
import { ModelHparams, Rng, type Model } from '@lth/kernel';
import { buildModel } from '@lth/nn';
import type { TrainingBatch, TrainingLoader } from '@lth/training';
import { openTestSession, useCpuBackend } from '@lth/testing';
import { recomputeBatchNorm, runningStatEntries } from '../src';

const { registry } = openTestSession({ plugins: ['@lth/plugin-model-lenet', '@lth/plugin-model-resnet'] });
const build = (name: string, inputShape: [number, number, number]): Model =>
  buildModel(ModelHparams.create({ model_name: name, model_init: 'kaiming_normal', batchnorm_init: 'uniform' }), { outputs: 10, inputShape, seed: 1, registry });
const values = (m: Model, name: string) => Array.from(m.state.find((e) => e.name === name)!.variable.dataSync());

/** A loader whose every batch is the same 6 seeded random 8x8x3 images (counting the batches it yields). */
class SameBatchLoader implements TrainingLoader {
  readonly iterationsPerEpoch = 1000;
  yielded = 0;
  private readonly batch: TrainingBatch;
  constructor() {
    const rng = new Rng('batchnorm-test');
    const images = rng.fillUniform(new Float32Array(6 * 8 * 8 * 3), -1, 1);
    this.batch = { images, labels: new Int32Array(6), size: 6, shape: [6, 8, 8, 3] };
  }
  async *epoch(): AsyncIterable<TrainingBatch> {
    for (let b = 0; b < this.iterationsPerEpoch; b++) {
      this.yielded++;
      yield this.batch;
    }
  }
}

describe('instability: batch-norm statistics recomputed on training batches', () => {
  before(useCpuBackend);

  it('finds the running statistics of a batch-norm network, none in LeNet', () => {
    const resnet = build('cifar_resnet_8', [8, 8, 3]);
    const names = runningStatEntries(resnet).map((e) => e.name);
    expect(names).to.include.members(['bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked', 'blocks.0.bn1.running_mean']);
    expect(names.every((n) => /running_(mean|var)$|num_batches_tracked$/.test(n))).to.equal(true);
    const lenet = build('mnist_lenet_20_10', [28, 28, 1]);
    expect(runningStatEntries(lenet)).to.deep.equal([]);
    resnet.dispose();
    lenet.dispose();
  });

  it('resets the statistics and updates them in training mode as training does (momentum 0.1), whatever they were; weights untouched', async () => {
    const resnet = build('cifar_resnet_8', [8, 8, 3]);
    const weightsBefore = values(resnet, 'blocks.0.conv1.weight');
    const loader = new SameBatchLoader();
    expect(await recomputeBatchNorm(resnet, loader, 1)).to.equal(1);
    const mean1 = values(resnet, 'blocks.0.bn1.running_mean');
    const var1 = values(resnet, 'blocks.0.bn1.running_var');
    for (const e of runningStatEntries(resnet)) {
      if (!e.name.endsWith('running_mean')) continue;
      const moved = tf.add(e.variable, 7);
      e.variable.assign(moved);
      moved.dispose();
    }
    expect(await recomputeBatchNorm(resnet, loader, 5)).to.equal(5);
    // The same batch five times from a reset: mean (1 - 0.9^5) b, variance 0.9^5 + (1 - 0.9^5) v, where one batch gave 0.1 b and 0.9 + 0.1 v.
    const k = 1 - 0.9 ** 5;
    values(resnet, 'blocks.0.bn1.running_mean').forEach((x, i) => expect(x).to.be.closeTo(k * (mean1[i] / 0.1), 1e-4));
    values(resnet, 'blocks.0.bn1.running_var').forEach((x, i) => expect(x).to.be.closeTo(0.9 ** 5 + k * ((var1[i] - 0.9) / 0.1), 1e-4));
    expect(values(resnet, 'blocks.0.bn1.num_batches_tracked')).to.deep.equal([5]);
    expect(mean1.some((x) => Math.abs(x) > 1e-3)).to.equal(true);
    expect(values(resnet, 'blocks.0.conv1.weight')).to.deep.equal(weightsBefore);
    expect(loader.yielded, 'no batch is loaded beyond those used').to.equal(1 + 5);
    resnet.dispose();
  });

  it('does nothing to a network without batch norm', async () => {
    const lenet = build('mnist_lenet_20_10', [28, 28, 1]);
    const loader = new SameBatchLoader();
    expect(await recomputeBatchNorm(lenet, loader, 3)).to.equal(0);
    expect(loader.yielded).to.equal(0);
    lenet.dispose();
  });
});
