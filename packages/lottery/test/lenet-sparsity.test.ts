import { expect } from 'chai';
import { Mask, ModelHparams } from '@lth/kernel';
import { buildModel } from '@lth/nn';
import { SparseGlobalPruningHparams, SparseGlobalStrategy } from '@lth/plugin-pruning-sparse-global';
import { useCpuBackend } from '@lth/testing';
import { registry } from './fixtures';

describe('sparse_global on a real LeNet 300_100 (no training)', function () {
  this.timeout(60000);
  before(useCpuBackend);

  it('leaves 0.8^L of the non-ignored weights after level L, within 0.01, to level 10', () => {
    const model = buildModel(ModelHparams.create({ model_name: 'mnist_lenet_300_100', model_init: 'kaiming_normal', batchnorm_init: 'uniform' }), {
      outputs: 10,
      inputShape: [28, 28, 1],
      seed: 'replicate_1',
      registry,
    });
    const hp = SparseGlobalPruningHparams.create({ pruning_strategy: 'sparse_global', pruning_layers_to_ignore: 'fc.weight' });
    const strategy = new SparseGlobalStrategy();
    let mask = Mask.onesLike(model);
    expect(mask.numel).to.equal(266200);
    const densities: number[] = [];
    for (let level = 1; level <= 10; level++) {
      mask = strategy.prune(hp, model, mask);
      const r = mask.sparsityReport();
      const kept = r.unpruned - r.layers['fc.weight'].unpruned;
      const density = kept / (r.total - r.layers['fc.weight'].total);
      densities.push(density);
      expect(density, `level ${level}`).to.be.closeTo(0.8 ** level, 0.01);
      expect(r.layers['fc.weight'].unpruned).to.equal(1000);
    }
    expect(densities[9]).to.be.below(0.11);
    model.dispose();
  });
});
