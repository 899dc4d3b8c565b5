import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { expect } from 'chai';
import { DatasetHparams, LthError, ModelHparams, Rng, torchShape, TrainingHparams, type Model, packageManifest } from '@lth/kernel';
import { buildModel, countParameters, ensureGradients } from '@lth/nn';
import { TrainingDesc } from '@lth/training';
import { LotteryDesc } from '@lth/lottery';
import { SparseGlobalPruningHparams } from '@lth/plugin-pruning-sparse-global';
import { CIFAR_VGG_PLANS, CifarVgg, CifarVggFamily, cifarVggPlan } from '../src';
import { openTestSession } from '@lth/testing';

const { registry } = openTestSession({ plugins: ['@lth/plugin-model-vgg'] });

const CIFAR = { outputs: 10, inputShape: [32, 32, 3] as [number, number, number], seed: 'replicate_1', registry };
const hp = (name: string, v: Record<string, unknown> = {}) => ModelHparams.create({ model_name: name, model_init: 'kaiming_normal', batchnorm_init: 'uniform', ...v });
const values = (m: Model, name: string) => Array.from(m.state.find((e) => e.name === name)!.variable.dataSync());

describe('cifar_vgg_D', function () {
  this.timeout(60000);
  before(async () => {
    await ensureGradients();
    await tf.setBackend('cpu');
  });

  it('is registered by @lth/plugin-model-vgg', () => {
    expect(packageManifest('test', require.resolve('../src'))).to.deep.include({ name: '@lth/plugin-model-vgg', version: '0.1.0', kernel: '^0.1.0' });
    const fam = registry.modelFamilyFor('cifar_vgg_16');
    expect(fam.name).to.equal('cifar_vgg');
    expect(fam.meta.pattern).to.equal('cifar_vgg_D');
    expect(fam.instance).to.be.instanceOf(CifarVggFamily);
  });

  it('accepts exactly cifar_vgg_11, _13, _16 and _19; a near miss is one clear error', () => {
    const fam = new CifarVggFamily();
    for (const ok of ['cifar_vgg_11', 'cifar_vgg_13', 'cifar_vgg_16', 'cifar_vgg_19']) expect(fam.isValidModelName(ok), ok).to.equal(true);
    for (const bad of ['cifar_vgg_12', 'cifar_vgg_16_2', 'cifar_vgg', 'cifar_vgg_', 'cifar_vgg_x', 'cifar_vgg_-16', 'cifar_vggX_16', 'imagenet_vgg_16', 'cifar_vgg_0']) {
      expect(fam.isValidModelName(bad), bad).to.equal(false);
    }
    expect(cifarVggPlan('cifar_vgg_11')).to.deep.equal([64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512]);
    expect(fam.whyInvalid('cifar_vgg_12')).to.equal('a CIFAR VGG is cifar_vgg_11, cifar_vgg_13, cifar_vgg_16 or cifar_vgg_19 (there is no depth 12)');
    expect(fam.whyInvalid('cifar_resnet_20')).to.equal(null);
    expect(() => buildModel(hp('cifar_vgg_12'), CIFAR)).to.throw(LthError, /^Unknown model 'cifar_vgg_12': a CIFAR VGG is cifar_vgg_11, .*Known model families: /).with.property('code', 'UNKNOWN_MODEL');
  });

  it("proposes OpenLTH's VGG defaults (fc.weight not pruned), which hash as OpenLTH's", () => {
    const d = new CifarVggFamily().defaultHparams('cifar_vgg_16');
    expect(d).to.deep.equal({
      dataset: { dataset_name: 'cifar10', batch_size: 128 },
      model: { model_name: 'cifar_vgg_16', model_init: 'kaiming_normal', batchnorm_init: 'uniform' },
      training: { optimizer_name: 'sgd', momentum: 0.9, milestone_steps: '80ep,120ep', lr: 0.1, gamma: 0.1, weight_decay: 1e-4, training_steps: '160ep' },
      pruning: { pruning_strategy: 'sparse_global', pruning_fraction: 0.2, pruning_layers_to_ignore: 'fc.weight' },
    });
    expect(new CifarVggFamily().defaultHparams('cifar_vgg_11').model.model_name).to.equal('cifar_vgg_11');
    const [model, dataset, training] = [ModelHparams.create(d.model), DatasetHparams.create(d.dataset), TrainingHparams.create(d.training)];
    expect(new TrainingDesc(model, dataset, training).hashname).to.equal('train_7312e802e619673d23c7a02eba8aee52');
    const lottery = new LotteryDesc(model, dataset, training, SparseGlobalPruningHparams.create(d.pruning));
    expect(lottery.canonicalString()).to.equal(
      "Hparams(batch_size=128, dataset_name='cifar10');Hparams(batchnorm_init='uniform', model_init='kaiming_normal', model_name='cifar_vgg_16');" +
        "Hparams(pruning_layers_to_ignore='fc.weight', pruning_strategy='sparse_global');Hparams(gamma=0.1, lr=0.1, milestone_steps='80ep,120ep', momentum=0.9, optimizer_name='sgd', training_steps='160ep', weight_decay=0.0001)",
    );
    expect(lottery.hashname).to.equal('lottery_24681ae490e223746998ba524b0a61d8');
  });

  it("has OpenLTH's parameter counts", () => {
    for (const [name, count] of [['cifar_vgg_11', 9231114], ['cifar_vgg_13', 9416010], ['cifar_vgg_16', 14728266], ['cifar_vgg_19', 20040522]] as const) {
      const m = new CifarVggFamily().create(name, { ...CIFAR, rng: new Rng('count') });
      expect(countParameters(m), name).to.equal(count);
      m.dispose();
    }
  });

  it("has OpenLTH's state names (max pools take indices), PyTorch shapes, prunable and output layers", () => {
    const m = buildModel(hp('cifar_vgg_11'), { ...CIFAR, outputs: 4 });
    const shapes = m.state.map((e) => [e.name, torchShape(e.variable.shape, e.layout)]);
    expect(shapes.slice(0, 7)).to.deep.equal([
      ['layers.0.conv.weight', [64, 3, 3, 3]],
      ['layers.0.conv.bias', [64]],
      ['layers.0.bn.weight', [64]],
      ['layers.0.bn.bias', [64]],
      ['layers.0.bn.running_mean', [64]],
      ['layers.0.bn.running_var', [64]],
      ['layers.0.bn.num_batches_tracked', []],
    ]);
    expect(shapes[7]).to.deep.equal(['layers.2.conv.weight', [128, 64, 3, 3]]);
    expect(shapes.slice(-2)).to.deep.equal([['fc.weight', [4, 512]], ['fc.bias', [4]]]);
    expect(m.prunableLayerNames).to.deep.equal(['layers.0.conv.weight', 'layers.2.conv.weight', 'layers.4.conv.weight', 'layers.5.conv.weight', 'layers.7.conv.weight', 'layers.8.conv.weight', 'layers.10.conv.weight', 'layers.11.conv.weight', 'fc.weight']);
    expect(m.outputLayerNames).to.deep.equal(['fc.weight', 'fc.bias']);
    const convBias = values(m, 'layers.2.conv.bias');
    expect(Math.max(...convBias.map(Math.abs))).to.be.at.most(1 / Math.sqrt(64 * 9)).and.above(0);
    m.dispose();
    const v19 = new CifarVggFamily().create('cifar_vgg_19', { ...CIFAR, rng: new Rng('names') });
    expect(v19.prunableLayerNames).to.have.length(17);
    expect(v19.prunableLayerNames[15]).to.equal('layers.19.conv.weight');
    v19.dispose();
    expect(CIFAR_VGG_PLANS[19].filter((p) => p !== 'M')).to.have.length(16);
  });

  it('batch norm: positivenegative reaches every layer; train mode updates running statistics, eval mode keeps them', () => {
    const m = buildModel(hp('cifar_vgg_11', { batchnorm_init: 'positivenegative' }), CIFAR);
    const bnWeights = m.state.filter((e) => e.role === 'bn.weight').flatMap((e) => Array.from(e.variable.dataSync()));
    expect(bnWeights).to.have.length(64 + 128 + 256 * 2 + 512 * 4);
    expect(Math.min(...bnWeights)).to.be.below(-0.9);
    expect(Math.max(...bnWeights)).to.be.above(0.9).and.below(1);
    const x = tf.randomNormal([2, 32, 32, 3]) as tf.Tensor4D;
    const evalBefore = tf.tidy(() => m.forward(x, false));
    const train = tf.tidy(() => m.forward(x, true));
    expect(train.shape).to.deep.equal([2, 10]);
    expect(values(m, 'layers.11.bn.running_var').some((v) => v !== 1)).to.equal(true);
    expect(values(m, 'layers.11.bn.num_batches_tracked')).to.deep.equal([1]);
    const evalAfter = tf.tidy(() => m.forward(x, false));
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(evalBefore, evalAfter))).dataSync()[0]);
    expect(diff).to.be.above(1e-4);
    expect(values(m, 'layers.11.bn.num_batches_tracked')).to.deep.equal([1]);
    tf.dispose([x, evalBefore, train, evalAfter]);
    m.dispose();
  });

  it('builds directly from the class with any plan', () => {
    const net = new CifarVgg('tiny', [8, 'M', 512], [4, 4, 1], 3, new Rng('direct'));
    expect(countParameters(net)).to.equal(1 * 8 * 9 + 8 + 16 + 8 * 512 * 9 + 512 + 1024 + 512 * 3 + 3);
    const y = tf.tidy(() => net.forward(tf.ones([2, 4, 4, 1]), true));
    expect(y.shape).to.deep.equal([2, 3]);
    y.dispose();
    net.dispose();
  });
});
