import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'chai';
import { LthError, Rng } from '@lth/kernel';
import { countParameters, trainableVariables } from '@lth/nn';
import { BasicBlock, Bottleneck, IMAGENET_RESNET_DEPTHS, ImageNetResNet, ImageNetResNetFamily, parseImageNetResNetName } from '../src';
import { sampleStd, useCpuBackend, openTestSession } from '@lth/testing';
import { build, torchShapes, values, type Shape } from './helpers';

const { registry } = openTestSession({ plugins: ['@lth/plugin-model-resnet'] });

const IMAGENET = { outputs: 1000, inputShape: [224, 224, 3] as Shape, seed: 'replicate_1' };

describe('imagenet_resnet_D[_W]', function () {
  this.timeout(120000);
  before(useCpuBackend);

  it('is registered with its pattern', () => {
    const fam = registry.modelFamilyFor('imagenet_resnet_50');
    expect(fam.name).to.equal('imagenet_resnet');
    expect(fam.meta.pattern).to.equal('imagenet_resnet_D[_W]');
    expect(fam.instance).to.be.instanceOf(ImageNetResNetFamily);
  });

  it('accepts depths 18, 34, 50, 101, 152, 200 and a positive width', () => {
    const fam = new ImageNetResNetFamily();
    for (const ok of ['imagenet_resnet_18', 'imagenet_resnet_34', 'imagenet_resnet_50', 'imagenet_resnet_101', 'imagenet_resnet_152', 'imagenet_resnet_200', 'imagenet_resnet_18_32', 'imagenet_resnet_50_2']) {
      expect(fam.isValidModelName(ok), ok).to.equal(true);
    }
    for (const bad of ['imagenet_resnet_50_0', 'imagenet_resnet_19', 'imagenet_resnet_269', 'imagenet_resnet_0', 'imagenet_resnet', 'imagenet_resnet_', 'imagenet_resnet_50_16_2', 'imagenet_resnet_50_x', 'imagenet_resnet_50_', 'imagenet_resnet_-50', 'imagenetresnet_50', 'cifar_resnet_50']) {
      expect(fam.isValidModelName(bad), bad).to.equal(false);
    }
    expect(parseImageNetResNetName('imagenet_resnet_50')).to.deep.equal({ depth: 50, width: 64 });
    expect(parseImageNetResNetName('imagenet_resnet_18_32')).to.deep.equal({ depth: 18, width: 32 });
    expect(IMAGENET_RESNET_DEPTHS[18]).to.deep.equal({ block: BasicBlock, layers: [2, 2, 2, 2] });
    expect(IMAGENET_RESNET_DEPTHS[200]).to.deep.equal({ block: Bottleneck, layers: [3, 24, 36, 3] });
  });

  it('says in one line why a near miss is not an ImageNet ResNet', () => {
    const fam = new ImageNetResNetFamily();
    expect(fam.whyInvalid('imagenet_resnet_50_0')).to.equal('the width W must be a positive integer (got 0)');
    expect(fam.whyInvalid('imagenet_resnet_19')).to.match(/depth D must be one of 18, 34, 50, 101, 152, 200 \(got 19\)/);
    expect(fam.whyInvalid('imagenet_resnet_50_x')).to.match(/named imagenet_resnet_D or imagenet_resnet_D_W/);
    expect(fam.whyInvalid('imagenet_resnet_50')).to.equal(null);
    expect(fam.whyInvalid('cifar_resnet_21')).to.equal(null);
    expect(() => build('imagenet_resnet_50_0', {}, IMAGENET)).to.throw(LthError, /^Unknown model 'imagenet_resnet_50_0': the width W must be a positive integer \(got 0\)\. Known model families: /).with.property('code', 'UNKNOWN_MODEL');
  });

  it("proposes ResNet-50's ImageNet defaults for every name", () => {
    const expected = (name: string) => ({
      dataset: { dataset_name: 'imagenet', batch_size: 1024 },
      model: { model_name: name, model_init: 'kaiming_normal', batchnorm_init: 'uniform' },
      training: { optimizer_name: 'sgd', momentum: 0.9, milestone_steps: '30ep,60ep,80ep', lr: 0.4, gamma: 0.1, weight_decay: 1e-4, training_steps: '90ep', warmup_steps: '5ep' },
      pruning: { pruning_strategy: 'sparse_global', pruning_fraction: 0.2 },
    });
    expect(new ImageNetResNetFamily().defaultHparams('imagenet_resnet_50')).to.deep.equal(expected('imagenet_resnet_50'));
    expect(new ImageNetResNetFamily().defaultHparams('imagenet_resnet_18_32')).to.deep.equal(expected('imagenet_resnet_18_32'));
  });

  it("has torchvision's parameter counts for every depth (and OpenLTH's 25,557,032 for ResNet-50 through buildModel)", () => {
    const counts: Array<[string, number]> = [
      ['imagenet_resnet_18', 11689512],
      ['imagenet_resnet_34', 21797672],
      ['imagenet_resnet_101', 44549160],
      ['imagenet_resnet_152', 60192808],
      ['imagenet_resnet_200', 64673832],
      ['imagenet_resnet_18_32', 3055880],
      ['imagenet_resnet_50_16', 1993976],
    ];
    for (const [name, count] of counts) {
      const m = new ImageNetResNetFamily().create(name, { outputs: 1000, inputShape: [224, 224, 3], rng: new Rng('count') });
      expect(countParameters(m), name).to.equal(count);
      m.dispose();
    }
    const r50 = build('imagenet_resnet_50', {}, IMAGENET);
    expect(countParameters(r50)).to.equal(25557032);
    expect(sampleStd(values(r50, 'model.layer3.2.conv2.weight'))).to.be.closeTo(Math.sqrt(2 / (256 * 9)), 0.001);
    r50.dispose();
  });

  it("names its state as OpenLTH's wrapped torchvision ResNet (model.*), with PyTorch shapes", () => {
    const m = new ImageNetResNetFamily().create('imagenet_resnet_50', { ...IMAGENET, outputs: 4, rng: new Rng('names') });
    const shapes = new Map(torchShapes(m));
    expect(m.state[0].name).to.equal('model.conv1.weight');
    expect(shapes.get('model.conv1.weight')).to.deep.equal([64, 3, 7, 7]);
    expect(shapes.get('model.layer1.0.conv1.weight')).to.deep.equal([64, 64, 1, 1]);
    expect(shapes.get('model.layer1.0.conv3.weight')).to.deep.equal([256, 64, 1, 1]);
    expect(shapes.get('model.layer1.0.downsample.0.weight')).to.deep.equal([256, 64, 1, 1]);
    expect(shapes.get('model.layer2.0.conv2.weight')).to.deep.equal([128, 128, 3, 3]);
    expect(shapes.get('model.layer2.0.downsample.0.weight')).to.deep.equal([512, 256, 1, 1]);
    expect(shapes.get('model.layer4.2.bn3.running_var')).to.deep.equal([2048]);
    expect(shapes.has('model.layer1.1.downsample.0.weight')).to.equal(false);
    expect(shapes.get('model.fc.weight')).to.deep.equal([4, 2048]);
    expect(m.outputLayerNames).to.deep.equal(['model.fc.weight', 'model.fc.bias']);
    expect(m.prunableLayerNames).to.have.length(1 + 16 * 3 + 4 + 1);
    expect(m.prunableLayerNames.slice(0, 6)).to.deep.equal(['model.conv1.weight', 'model.layer1.0.conv1.weight', 'model.layer1.0.conv2.weight', 'model.layer1.0.conv3.weight', 'model.layer1.0.downsample.0.weight', 'model.layer1.1.conv1.weight']);
    m.dispose();
    const r18 = new ImageNetResNetFamily().create('imagenet_resnet_18', { ...IMAGENET, rng: new Rng('names') });
    const names = r18.state.map((e) => e.name);
    expect(names).to.not.include('model.layer1.0.downsample.0.weight');
    expect(names).to.include('model.layer2.0.downsample.1.num_batches_tracked');
    expect(r18.prunableLayerNames).to.have.length(1 + 16 + 3 + 1);
    r18.dispose();
  });

  it('runs forward in train and eval mode and sizes the output by the dataset; batch norm initializers reach every layer', () => {
    const m = build('imagenet_resnet_18_8', { batchnorm_init: 'oneone' }, { outputs: 7, inputShape: [64, 64, 3] });
    const bn = m.state.filter((e) => e.role === 'bn.weight' || e.role === 'bn.bias');
    expect(bn.every((e) => Array.from(e.variable.dataSync()).every((v) => v === 1))).to.equal(true);
    const x = tf.randomNormal([2, 64, 64, 3]) as tf.Tensor4D;
    const train = tf.tidy(() => m.forward(x, true));
    expect(train.shape).to.deep.equal([2, 7]);
    expect(values(m, 'model.layer4.1.bn2.running_mean').some((v) => v !== 0)).to.equal(true);
    expect(Array.from(m.state.find((e) => e.name === 'model.bn1.num_batches_tracked')!.variable.dataSync())).to.deep.equal([1]);
    const evalOut = tf.tidy(() => m.forward(x, false));
    expect(evalOut.shape).to.deep.equal([2, 7]);
    tf.dispose([x, train, evalOut]);
    m.dispose();
  });

  it('learns: a few SGD steps on a fixed batch lower the loss (Bottleneck)', () => {
    const m = build('imagenet_resnet_50_2', { batchnorm_init: 'fixed' }, { outputs: 5, inputShape: [32, 32, 3] });
    const rng = new Rng('learn');
    const x = tf.tensor4d(rng.fillNormal(new Float32Array(8 * 32 * 32 * 3)), [8, 32, 32, 3]);
    const y = tf.tensor1d(Int32Array.from({ length: 8 }, () => rng.int(5)), 'int32');
    const vars = trainableVariables(m);
    const losses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const { value, grads } = tf.variableGrads(() => m.loss(m.forward(x, true), y), vars);
      losses.push(value.dataSync()[0]);
      tf.tidy(() => vars.forEach((v) => v.assign(tf.sub(v, tf.mul(grads[v.name]!, 0.05)))));
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(losses[3]).to.be.below(losses[0]);
    tf.dispose([x, y]);
    m.dispose();
  });

  it('builds directly from the class', () => {
    const net = new ImageNetResNet('tiny', BasicBlock, [1, 1, 1, 1], 2, [32, 32, 1], 3, new Rng('direct'));
    expect(torchShapes(net)[0]).to.deep.equal(['model.conv1.weight', [2, 1, 7, 7]]);
    const y = tf.tidy(() => net.forward(tf.ones([1, 32, 32, 1]), false));
    expect(y.shape).to.deep.equal([1, 3]);
    y.dispose();
    net.dispose();
  });
});
