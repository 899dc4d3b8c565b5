import { expect } from 'chai';
import * as path from 'node:path';
import { itMatchesGoldenHashes, readGoldenHashes } from '@lth/testing';
import { DatasetHparams, Desc, Hparams, ModelHparams, PruningHparams, TrainingHparams, float, group, pyFloatRepr, str } from '../src';

/**
 * Golden hashes, computed by golden-hashes.py: an independent Python rendering of OpenLTH's
 * hashing rules (spec §1.5, §2) that uses CPython's own float repr. The first is the hash the
 * OpenLTH README prints for `train --default_hparams=cifar_resnet_20`.
 */
const golden = readGoldenHashes(path.join(__dirname, '../../test/golden-hashes.json'));

@group({ name: 'Hyperparameters for Sparse Global Pruning', description: 'test' })
class SparseGlobal extends PruningHparams {
  @float({ default: 0.2 }) pruning_fraction!: number;
  @str({ default: null }) pruning_layers_to_ignore!: string | null;
}

class TestDesc extends Desc {
  constructor(private readonly prefix: string, private readonly g: Record<string, Hparams | null>) {
    super();
  }
  get namePrefix(): string {
    return this.prefix;
  }
  groups(): Record<string, Hparams | null> {
    return this.g;
  }
}

const resnetTraining = { optimizer_name: 'sgd', lr: 0.1, training_steps: '160ep', momentum: 0.9, milestone_steps: '80ep,120ep', gamma: 0.1, weight_decay: 1e-4 };
const ds = (name: string, bs: number, extra = {}) => DatasetHparams.create({ dataset_name: name, batch_size: bs, ...extra });
const md = (name: string, extra = {}) => ModelHparams.create({ model_name: name, model_init: 'kaiming_normal', batchnorm_init: 'uniform', ...extra });
const tr = (v: Record<string, unknown>) => TrainingHparams.create(v);
const pr = (v: Record<string, unknown> = {}) => SparseGlobal.create({ pruning_strategy: 'sparse_global', ...v });
const train = (d: Hparams, m: Hparams, t: Hparams) => new TestDesc('train', { model_hparams: m, dataset_hparams: d, training_hparams: t });
const lottery = (d: Hparams, m: Hparams, t: Hparams, p: Hparams, pd: Hparams | null = null, pt: Hparams | null = null) =>
  new TestDesc('lottery', { model_hparams: m, dataset_hparams: d, training_hparams: t, pruning_hparams: p, pretrain_dataset_hparams: pd, pretrain_training_hparams: pt });
const lenet = () => md('mnist_lenet_300_100');

const cases: Record<string, () => Desc> = {
  'train cifar_resnet_20 defaults': () => train(ds('cifar10', 128), md('cifar_resnet_20'), tr(resnetTraining)),
  'train lenet defaults': () => train(ds('mnist', 128), lenet(), tr({ optimizer_name: 'sgd', lr: 0.1, training_steps: '40ep' })),
  'train lenet fashion 2ep': () => train(ds('fashion_mnist', 128), lenet(), tr({ optimizer_name: 'sgd', lr: 0.1, training_steps: '2ep' })),
  'train lenet lr 1e-05 seed 0': () => train(ds('mnist', 128), lenet(), tr({ optimizer_name: 'sgd', lr: '1e-5', training_steps: '40ep', data_order_seed: '0' })),
  'train lenet lr=1 (1.0)': () => train(ds('mnist', 128), lenet(), tr({ optimizer_name: 'sgd', lr: '1', training_steps: '40ep' })),
  'train lenet wd 0.0001 momentum 0.0': () => train(ds('mnist', 128), lenet(), tr({ optimizer_name: 'sgd', lr: 0.1, training_steps: '40ep', weight_decay: '0.0001', momentum: '0.0' })),
  'train lenet do_not_augment transformation_seed 0': () => train(ds('mnist', 128, { do_not_augment: true, transformation_seed: 0 }), lenet(), tr({ optimizer_name: 'sgd', lr: 0.1, training_steps: '40ep' })),
  'train vgg defaults': () => train(ds('cifar10', 128), md('cifar_vgg_16'), tr(resnetTraining)),
  'train imagenet_resnet_50 defaults': () =>
    train(ds('imagenet', 1024), md('imagenet_resnet_50'), tr({ optimizer_name: 'sgd', lr: 0.4, training_steps: '90ep', momentum: 0.9, milestone_steps: '30ep,60ep,80ep', gamma: 0.1, weight_decay: 1e-4, warmup_steps: '5ep' })),
  'lottery lenet defaults': () => lottery(ds('mnist', 128), lenet(), tr({ optimizer_name: 'sgd', lr: 0.1, training_steps: '40ep' }), pr({ pruning_layers_to_ignore: 'fc.weight' })),
  'lottery resnet20 defaults': () => lottery(ds('cifar10', 128), md('cifar_resnet_20'), tr(resnetTraining), pr()),
  'lottery lenet frozen + 5e-05 + fraction 0.5 + output_frozen': () =>
    lottery(ds('mnist', 128, { subsample_fraction: 0.5 }), md('mnist_lenet_300_100', { output_frozen: true }), tr({ optimizer_name: 'adam', lr: 5e-5, training_steps: '40ep', data_order_seed: 1 }), pr({ pruning_fraction: 0.5, pruning_layers_to_ignore: 'fc.weight' })),
  'lottery resnet20 rewind 500it': () =>
    lottery(ds('cifar10', 128), md('cifar_resnet_20'), tr(resnetTraining), pr(), ds('cifar10', 128), tr({ ...resnetTraining, training_steps: '500it' })),
  'train lenet lr 1e+16 and 1e-4 momentum 0.9 nesterov': () => train(ds('mnist', 128), lenet(), tr({ optimizer_name: 'sgd', lr: 1e16, training_steps: '40ep', nesterov_momentum: 0.9 })),
};

describe('hashing (golden)', () => {
  itMatchesGoldenHashes(cases, golden);
  it('the README hash for cifar_resnet_20', () => {
    expect(cases['train cifar_resnet_20 defaults']().hashname).to.equal('train_71bc92a970b64a76d7ab7681764b0021');
  });
});

describe('pyFloatRepr', () => {
  const table: Array<[number, string]> = [
    [0.1, '0.1'], [1e-5, '1e-05'], [0.0001, '0.0001'], [1, '1.0'], [0, '0.0'], [0.0005, '0.0005'],
    [1e16, '1e+16'], [1234567890123456, '1234567890123456.0'], [1.5e-7, '1.5e-07'], [-2.5, '-2.5'],
    [123.456, '123.456'], [1e22, '1e+22'], [0.30000000000000004, '0.30000000000000004'], [Infinity, 'inf'],
  ];
  for (const [x, s] of table) it(`${x} -> ${s}`, () => expect(pyFloatRepr(x)).to.equal(s));
});

describe('Hparams', () => {
  it('rejects bad types and values with the flag name', () => {
    expect(() => ds('mnist', 0)).to.throw(/--batch_size=0 is invalid: must be greater than zero/);
    expect(() => ds('mnist', 'x' as unknown as number)).to.throw(/--batch_size expects an integer/);
    expect(() => tr({ optimizer_name: 'sgd', lr: -1, training_steps: '1ep' })).to.throw(/--lr=-1.0 is invalid/);
    expect(() => tr({ optimizer_name: 'sgd', lr: 0.1, training_steps: '10epx' })).to.throw(/training_steps.*not a step/);
    expect(() => ds('mnist', 1, { subsample_fraction: 1.5 })).to.throw(/fraction in \(0, 1\]/);
    expect(() => DatasetHparams.create({ batch_size: 1 })).to.throw(/Missing required hyperparameter --dataset_name/);
  });
  it('display shows required, truthy and non-default values', () => {
    const t = tr({ optimizer_name: 'sgd', lr: 0.1, training_steps: '2ep', data_order_seed: 0 });
    expect(t.display()).to.equal(
      'Training Hyperparameters\n    * optimizer_name => sgd\n    * lr => 0.1\n    * training_steps => 2ep\n    * data_order_seed => 0',
    );
    expect(pr().display()).to.equal('Hyperparameters for Sparse Global Pruning\n    * pruning_strategy => sparse_global\n    * pruning_fraction => 0.2');
  });
  it('inherits fields in declaration order', () => {
    expect(pr().fields.map((f) => f.name)).to.deep.equal(['pruning_strategy', 'pruning_fraction', 'pruning_layers_to_ignore']);
  });
  it('inherits fields through a class that declares none (C extends B extends A)', () => {
    @group({ name: 'A', description: 'a' })
    class A extends Hparams {
      @str({ default: 'x' }) a!: string;
    }
    class B extends A {}
    class C extends B {
      @float({ default: 0.5 }) c!: number;
    }
    class D extends C {}
    expect(C.create({}).fields.map((f) => f.name)).to.deep.equal(['a', 'c']);
    expect(D.create({ a: 'y' }).toString()).to.equal("Hparams(a='y')");
    expect(B.create({}).fields.map((f) => f.name)).to.deep.equal(['a']);
  });
});
