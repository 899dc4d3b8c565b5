import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'chai';
import { loadSafetensors, LthError, Rng, Step, type Model, packageManifest } from '@lth/kernel';
import { countParameters, loadModelState, saveModel, trainableVariables } from '@lth/nn';
import { CifarResNet, CifarResNetFamily, parseCifarResNetName } from '../src';
import { sampleStd, useCpuBackend, openTestSession } from '@lth/testing';
import { build, CIFAR, maxDiff, torchShapes, values } from './helpers';

const { registry } = openTestSession({ plugins: ['@lth/plugin-model-resnet'] });

const bnWeights = (m: Model) => m.state.filter((e) => e.role === 'bn.weight');
const bnBiases = (m: Model) => m.state.filter((e) => e.role === 'bn.bias');
const all = (m: Model, entries: ReturnType<typeof bnWeights>) => Float32Array.from(entries.flatMap((e) => Array.from(e.variable.dataSync() as Float32Array)));

describe('cifar_resnet_D[_W]', function () {
  this.timeout(60000);
  before(useCpuBackend);

  it('is registered by @lth/plugin-model-resnet, before imagenet_resnet', () => {
    expect(packageManifest('test', require.resolve('../src'))).to.deep.include({ name: '@lth/plugin-model-resnet', version: '0.1.0', kernel: '^0.1.0' });
    const fam = registry.modelFamilyFor('cifar_resnet_20');
    expect(fam.name).to.equal('cifar_resnet');
    expect(fam.meta.pattern).to.equal('cifar_resnet_D[_W]');
    expect(fam.instance).to.be.instanceOf(CifarResNetFamily);
    const names = registry.list('model').map((c) => c.name);
    expect(names.indexOf('cifar_resnet')).to.be.below(names.indexOf('imagenet_resnet'));
  });

  it("accepts OpenLTH's names: 3 or 4 parts, positive integers, D = 6B+2 > 2", () => {
    const fam = new CifarResNetFamily();
    for (const ok of ['cifar_resnet_8', 'cifar_resnet_14', 'cifar_resnet_20', 'cifar_resnet_56', 'cifar_resnet_110', 'cifar_resnet_20_16', 'cifar_resnet_14_128', 'cifar_resnet_8_2', 'cifar_resnet_1202']) {
      expect(fam.isValidModelName(ok), ok).to.equal(true);
    }
    for (const bad of ['cifar_resnet_21', 'cifar_resnet_2', 'cifar_resnet_0', 'cifar_resnet_19', 'cifar_resnet_20_0', 'cifar_resnet', 'cifar_resnet_', 'cifar_resnet_20_16_2', 'cifar_resnet_-20', 'cifar_resnet_20x', 'cifar_resnetX_20', 'cifar_resnet_20_', 'cifar_resnet_20_1.5', 'imagenet_resnet_20', 'cifar_vgg_20']) {
      expect(fam.isValidModelName(bad), bad).to.equal(false);
    }
    expect(parseCifarResNetName('cifar_resnet_20')).to.deep.equal({ depth: 20, width: 16, plan: [{ filters: 16, blocks: 3 }, { filters: 32, blocks: 3 }, { filters: 64, blocks: 3 }] });
    expect(parseCifarResNetName('cifar_resnet_14_128')!.plan).to.deep.equal([{ filters: 128, blocks: 2 }, { filters: 256, blocks: 2 }, { filters: 512, blocks: 2 }]);
  });

  it('says in one line why a near miss is not a CIFAR ResNet', () => {
    const fam = new CifarResNetFamily();
    expect(fam.whyInvalid('cifar_resnet_21')).to.match(/depth D must be 6B\+2 .*\(8, 14, 20, 26, 32, 44, 56, 110, \.\.\.\), not 21/);
    expect(fam.whyInvalid('cifar_resnet_20_0')).to.equal('the width W must be a positive integer (got 0)');
    expect(fam.whyInvalid('cifar_resnet_abc')).to.match(/named cifar_resnet_D or cifar_resnet_D_W/);
    expect(fam.whyInvalid('cifar_resnet_20')).to.equal(null);
    expect(fam.whyInvalid('mnist_lenet_21')).to.equal(null);
    for (const bad of ['cifar_resnet_21', 'cifar_resnet_20_0']) {
      expect(() => build(bad), bad).to.throw(LthError, new RegExp(`^Unknown model '${bad}': .*Known model families: .*cifar_resnet_D\\[_W\\]`)).with.property('code', 'UNKNOWN_MODEL');
    }
    expect(() => fam.create('cifar_resnet_21', { ...CIFAR, rng: new Rng('x') })).to.throw(LthError, /6B\+2/);
  });

  it("proposes ResNet-20's defaults for every name (fc is pruned)", () => {
    const expected = (name: string) => ({
      dataset: { dataset_name: 'cifar10', batch_size: 128 },
      model: { model_name: name, model_init: 'kaiming_normal', batchnorm_init: 'uniform' },
      training: { optimizer_name: 'sgd', momentum: 0.9, milestone_steps: '80ep,120ep', lr: 0.1, gamma: 0.1, weight_decay: 1e-4, training_steps: '160ep' },
      pruning: { pruning_strategy: 'sparse_global', pruning_fraction: 0.2 },
    });
    const fam = new CifarResNetFamily();
    expect(fam.defaultHparams('cifar_resnet_20')).to.deep.equal(expected('cifar_resnet_20'));
    expect(fam.defaultHparams('cifar_resnet_8_2')).to.deep.equal(expected('cifar_resnet_8_2'));
  });

  it("has OpenLTH's parameter counts", () => {
    for (const [name, count] of [['cifar_resnet_20', 272474], ['cifar_resnet_110', 1730714], ['cifar_resnet_14_128', 11093130], ['cifar_resnet_56', 855770]] as const) {
      const m = new CifarResNetFamily().create(name, { ...CIFAR, rng: new Rng('count') });
      expect(countParameters(m), name).to.equal(count);
      m.dispose();
    }
  });

  it("has OpenLTH's state names, order and PyTorch shapes; projection shortcuts where the stage changes", () => {
    const m = build('cifar_resnet_20');
    const shapes = torchShapes(m);
    const bn = (p: string, c: number): Array<[string, number[]]> => [[`${p}.weight`, [c]], [`${p}.bias`, [c]], [`${p}.running_mean`, [c]], [`${p}.running_var`, [c]], [`${p}.num_batches_tracked`, []]];
    expect(shapes.slice(0, 12)).to.deep.equal([['conv.weight', [16, 3, 3, 3]], ...bn('bn', 16), ['blocks.0.conv1.weight', [16, 16, 3, 3]], ...bn('blocks.0.bn1', 16)]);
    expect(shapes.filter(([n]) => n.startsWith('blocks.3.'))).to.deep.equal([
      ['blocks.3.conv1.weight', [32, 16, 3, 3]], ...bn('blocks.3.bn1', 32),
      ['blocks.3.conv2.weight', [32, 32, 3, 3]], ...bn('blocks.3.bn2', 32),
      ['blocks.3.shortcut.0.weight', [32, 16, 1, 1]], ...bn('blocks.3.shortcut.1', 32),
    ]);
    expect(shapes.slice(-2)).to.deep.equal([['fc.weight', [10, 64]], ['fc.bias', [10]]]);
    expect(shapes.filter(([n]) => n.includes('shortcut.0')).map(([n]) => n)).to.deep.equal(['blocks.3.shortcut.0.weight', 'blocks.6.shortcut.0.weight']);
    expect(m.state.find((e) => e.name === 'bn.num_batches_tracked')!.torchDtype).to.equal('int64');
    expect(m.prunableLayerNames).to.have.length(22);
    expect(m.prunableLayerNames.slice(0, 3)).to.deep.equal(['conv.weight', 'blocks.0.conv1.weight', 'blocks.0.conv2.weight']);
    expect(m.prunableLayerNames.slice(7, 10)).to.deep.equal(['blocks.3.conv1.weight', 'blocks.3.conv2.weight', 'blocks.3.shortcut.0.weight']);
    expect(m.prunableLayerNames[21]).to.equal('fc.weight');
    expect(m.outputLayerNames).to.deep.equal(['fc.weight', 'fc.bias']);
    m.dispose();
  });

  it('sizes the output layer by the dataset (4 with rotation labels) and pools the 8x8 map to one value per channel', () => {
    const m = build('cifar_resnet_8', {}, { outputs: 4 });
    expect(m.state.find((e) => e.name === 'fc.weight')!.variable.shape).to.deep.equal([4, 64]);
    const y = tf.tidy(() => m.forward(tf.randomNormal([2, 32, 32, 3]), false));
    expect(y.shape).to.deep.equal([2, 4]);
    y.dispose();
    m.dispose();
    const gray = build('cifar_resnet_8', {}, { inputShape: [28, 28, 1] });
    expect(torchShapes(gray)[0]).to.deep.equal(['conv.weight', [16, 1, 3, 3]]);
    const z = tf.tidy(() => gray.forward(tf.randomNormal([2, 28, 28, 1]), true));
    expect(z.shape).to.deep.equal([2, 10]);
    z.dispose();
    gray.dispose();
  });

  it('initializes convolutions and fc with model_init (kaiming_normal: std sqrt(2/fan_in))', () => {
    const m = build('cifar_resnet_20');
    expect(sampleStd(values(m, 'blocks.8.conv2.weight'))).to.be.closeTo(Math.sqrt(2 / 576), 0.002);
    expect(sampleStd(values(m, 'blocks.6.shortcut.0.weight'))).to.be.closeTo(Math.sqrt(2 / 32), 0.02);
    expect(sampleStd(values(m, 'fc.weight'))).to.be.closeTo(Math.sqrt(2 / 64), 0.03);
    expect(Math.max(...Array.from(values(m, 'fc.bias'), Math.abs))).to.be.at.most(1 / 8);
    m.dispose();
  });

  describe('batch-norm initializers (every BatchNorm2d, shortcut ones included)', () => {
    it('uniform: weight U[0,1), bias 0', () => {
      const m = build('cifar_resnet_20', { batchnorm_init: 'uniform' });
      const w = all(m, bnWeights(m));
      expect(w.length).to.equal(16 * 7 + 32 * 7 + 64 * 7);
      expect(Math.min(...w)).to.be.at.least(0);
      expect(Math.max(...w)).to.be.below(1);
      expect(sampleStd(w)).to.be.closeTo(Math.sqrt(1 / 12), 0.03);
      expect(all(m, bnBiases(m)).every((v) => v === 0)).to.equal(true);
      expect(values(m, 'blocks.3.shortcut.1.weight').some((v) => v !== 1)).to.equal(true);
      m.dispose();
    });

    it('fixed: weight 1, bias 0; oneone: weight 1, bias 1', () => {
      const f = build('cifar_resnet_20', { batchnorm_init: 'fixed' });
      expect(all(f, bnWeights(f)).every((v) => v === 1)).to.equal(true);
      expect(all(f, bnBiases(f)).every((v) => v === 0)).to.equal(true);
      f.dispose();
      const o = build('cifar_resnet_20', { batchnorm_init: 'oneone' });
      expect(all(o, bnWeights(o)).every((v) => v === 1)).to.equal(true);
      expect(all(o, bnBiases(o)).every((v) => v === 1)).to.equal(true);
      o.dispose();
    });

    it('positivenegative: weight U[-1,1), bias 0', () => {
      const m = build('cifar_resnet_20', { batchnorm_init: 'positivenegative' });
      const w = all(m, bnWeights(m));
      expect(Math.min(...w)).to.be.at.least(-1).and.below(-0.5);
      expect(Math.max(...w)).to.be.below(1).and.above(0.5);
      expect(all(m, bnBiases(m)).every((v) => v === 0)).to.equal(true);
      m.dispose();
    });

    it('an unknown one is one clear error', () => {
      expect(() => build('cifar_resnet_20', { batchnorm_init: 'zeros' })).to.throw(LthError, /Unknown batchnorm initializer 'zeros'\. Known: uniform, fixed, oneone, positivenegative/);
    });
  });

  it('batch norm: train mode normalises with batch statistics and updates the running ones; eval mode uses and keeps them', () => {
    const m = build('cifar_resnet_8_4');
    const x = tf.randomNormal([4, 32, 32, 3], 1, 2, 'float32', 7) as tf.Tensor4D;
    const evalBefore = tf.tidy(() => m.forward(x, false));
    expect(values(m, 'bn.running_mean').every((v) => v === 0)).to.equal(true);
    const train = tf.tidy(() => m.forward(x, true));
    const tracked = m.state.filter((e) => e.name.endsWith('num_batches_tracked'));
    expect(tracked.length).to.equal(1 + 3 * 2 + 2);
    expect(tracked.every((e) => e.variable.dataSync()[0] === 1)).to.equal(true);
    const mean = values(m, 'bn.running_mean');
    expect(mean.some((v) => v !== 0)).to.equal(true);
    const stem = tf.tidy(() => tf.conv2d(x, m.state[0].variable as tf.Tensor4D, 1, [[0, 0], [1, 1], [1, 1], [0, 0]]));
    const batchMean = tf.tidy(() => tf.mean(stem, [0, 1, 2]));
    expect(maxDiff(tf.tensor1d(mean), tf.mul(batchMean, 0.1))).to.be.below(1e-5);
    const evalAfter = tf.tidy(() => m.forward(x, false));
    const evalAgain = tf.tidy(() => m.forward(x, false));
    expect(maxDiff(evalAfter, evalAgain)).to.equal(0);
    expect(maxDiff(evalBefore, evalAfter)).to.be.above(1e-3);
    expect(maxDiff(train, evalAfter)).to.be.above(1e-3);
    expect(tracked.every((e) => e.variable.dataSync()[0] === 1)).to.equal(true);
    tf.dispose([x, evalBefore, train, stem, batchMean, evalAfter, evalAgain]);
    m.dispose();
  });

  it('freezes batch norm, the output layer, or the others, as asked', () => {
    const frozen = (m: Model) => m.state.filter((e) => e.role !== 'buffer' && !e.variable.trainable).map((e) => e.name);
    const bn = build('cifar_resnet_8', { batchnorm_frozen: true });
    expect(frozen(bn)).to.have.length(2 * 9);
    expect(frozen(bn)).to.include.members(['bn.weight', 'bn.bias', 'blocks.1.shortcut.1.weight', 'blocks.1.shortcut.1.bias']);
    const out = build('cifar_resnet_8', { output_frozen: true });
    expect(frozen(out)).to.deep.equal(['fc.weight', 'fc.bias']);
    const others = build('cifar_resnet_8', { others_frozen: true, others_frozen_exceptions: 'blocks.1.shortcut.0.weight' });
    expect(trainableVariables(others).length).to.equal(2 * 9 + 2 + 1);
    [bn, out, others].forEach((m) => m.dispose());
  });

  it('saves every tensor, running statistics included, and loads back bit-exactly', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lth-resnet-'));
    try {
      const m = build('cifar_resnet_8');
      tf.tidy(() => void m.forward(tf.randomNormal([2, 32, 32, 3]), true));
      const file = saveModel(m, dir, Step.fromIteration(3, 391));
      const saved = loadSafetensors(file).tensors;
      expect([...saved.keys()]).to.deep.equal(m.state.map((e) => e.name));
      expect(saved.get('blocks.1.shortcut.1.num_batches_tracked')).to.deep.include({ dtype: 'I64', shape: [] });
      expect(Array.from(saved.get('blocks.1.shortcut.1.num_batches_tracked')!.data)).to.deep.equal([1]);
      expect(saved.get('blocks.1.conv1.weight')!.shape).to.deep.equal([32, 16, 3, 3]);
      const other = build('cifar_resnet_8', {}, { seed: 'other' });
      loadModelState(other, file);
      for (const e of m.state) expect(Array.from(other.state.find((o) => o.name === e.name)!.variable.dataSync()), e.name).to.deep.equal(Array.from(e.variable.dataSync()));
      const deeper = build('cifar_resnet_14');
      expect(() => loadModelState(deeper, file)).to.throw(LthError, /holds 'blocks\.1\.conv1\.weight' with shape \[32,16,3,3\], but cifar_resnet_14 needs \[16,16,3,3\]/);
      deeper.dispose();
      [m, other].forEach((x) => x.dispose());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is reproducible from its seed', () => {
    const a = build('cifar_resnet_8', {}, { seed: 'replicate_1' });
    const b = build('cifar_resnet_8', {}, { seed: 'replicate_1' });
    const c = build('cifar_resnet_8', {}, { seed: 'replicate_2' });
    for (const e of a.state) expect(Array.from(values(b, e.name)), e.name).to.deep.equal(Array.from(values(a, e.name)));
    expect(Array.from(values(c, 'conv.weight'))).to.not.deep.equal(Array.from(values(a, 'conv.weight')));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('learns: a few SGD steps on a fixed batch lower the loss', () => {
    const m = build('cifar_resnet_8_2', { batchnorm_init: 'fixed' }, { inputShape: [8, 8, 3] });
    const rng = new Rng('learn');
    const x = tf.tensor4d(rng.fillNormal(new Float32Array(16 * 8 * 8 * 3)), [16, 8, 8, 3]);
    const y = tf.tensor1d(Int32Array.from({ length: 16 }, () => rng.int(10)), 'int32');
    const vars = trainableVariables(m);
    const losses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const { value, grads } = tf.variableGrads(() => m.loss(m.forward(x, true), y), vars);
      losses.push(value.dataSync()[0]);
      tf.tidy(() => vars.forEach((v) => v.assign(tf.sub(v, tf.mul(grads[v.name]!, 0.1)))));
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(losses[9]).to.be.below(losses[0] * 0.7);
    tf.dispose([x, y]);
    m.dispose();
  });

  it('builds directly from the class with any plan', () => {
    const net = new CifarResNet('custom', [{ filters: 4, blocks: 1 }, { filters: 6, blocks: 1 }], [8, 8, 3], 3, new Rng('direct'));
    expect(countParameters(net)).to.equal(3 * 4 * 9 + 8 + (4 * 4 * 9 * 2 + 16) + (4 * 6 * 9 + 6 * 6 * 9 + 24 + 4 * 6 + 12) + 6 * 3 + 3);
    const y = tf.tidy(() => net.forward(tf.ones([1, 8, 8, 3]), false));
    expect(y.shape).to.deep.equal([1, 3]);
    y.dispose();
    net.dispose();
  });
});
