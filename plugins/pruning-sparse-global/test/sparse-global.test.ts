import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'chai';
import { Mask, Rng, type Model } from '@lth/kernel';
import { expectLthError, openTestSession } from '@lth/testing';
import { SparseGlobalPruningHparams, SparseGlobalStrategy } from '../src';
import { toyModel } from './toy-model';

const { registry } = openTestSession({ plugins: ['@lth/plugin-pruning-sparse-global'] });

const hp = (v: Record<string, unknown> = {}) => SparseGlobalPruningHparams.create({ pruning_strategy: 'sparse_global', ...v });
const prune = (h: SparseGlobalPruningHparams, m: Model, mask: Mask | null = null) => new SparseGlobalStrategy().prune(h, m, mask);
const values = (mask: Mask, name: string) => Array.from(mask.get(name)!.data);

describe('sparse_global pruning', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('is registered as sparse_global with its hparams class', () => {
    const c = registry.strategy('sparse_global');
    expect(c.meta.hparams).to.equal(SparseGlobalPruningHparams);
    expect(c.instance).to.be.instanceOf(SparseGlobalStrategy);
  });

  describe('hyperparameters', () => {
    it('defaults to 0.2 and no ignored layers, neither of which appears in the hash', () => {
      const h = hp();
      expect(h.pruning_fraction).to.equal(0.2);
      expect(h.pruning_layers_to_ignore).to.equal(null);
      expect(String(h)).to.equal("Hparams(pruning_strategy='sparse_global')");
      expect(String(hp({ pruning_fraction: '0.5', pruning_layers_to_ignore: 'fc.weight' }))).to.equal(
        "Hparams(pruning_fraction=0.5, pruning_layers_to_ignore='fc.weight', pruning_strategy='sparse_global')",
      );
    });

    it('rejects fractions outside (0, 1]', () => {
      expectLthError(() => hp({ pruning_fraction: '0' }), 'BAD_HPARAM', /--pruning_fraction=0\.0 is invalid/);
      expectLthError(() => hp({ pruning_fraction: '1.5' }), 'BAD_HPARAM', /--pruning_fraction=1\.5 is invalid/);
      expectLthError(() => hp({ pruning_fraction: '-0.1' }), 'BAD_HPARAM');
      expect(hp({ pruning_fraction: '1' }).pruning_fraction).to.equal(1);
    });

    it('has help text on both fields and one group title', () => {
      const byName = Object.fromEntries(hp().fields.map((f) => [f.name, f]));
      expect(byName.pruning_fraction.help).to.match(/fraction/);
      expect(byName.pruning_layers_to_ignore.help).to.match(/comma-separated/);
      expect(hp().displayName).to.equal('Hyperparameters for Sparse Global Pruning');
      expect(hp().display().split('\n')).to.deep.equal([
        'Hyperparameters for Sparse Global Pruning',
        '    * pruning_strategy => sparse_global',
        '    * pruning_fraction => 0.2',
      ]);
    });

    it('splits the ignored layers on commas, trimming blanks', () => {
      expect(hp({ pruning_layers_to_ignore: 'fc.weight, a.weight,,' }).ignoredLayers()).to.deep.equal(['fc.weight', 'a.weight']);
      expect(hp({ pruning_layers_to_ignore: '' }).ignoredLayers()).to.deep.equal([]);
    });
  });

  describe('hand-computed cases', () => {
    it('prunes k+1 weights when magnitudes are distinct (k = ceil(f * remaining))', () => {
      // 10 weights, f = 0.2: k = 2, the threshold is the 3rd smallest magnitude (0.3), and
      // everything with |w| <= 0.3 goes: 0.1, -0.2, 0.3.
      const m = toyModel('toy', [
        ['a.weight', [2, 3], [0.5, -0.2, 0.9, 0.3, -1.0, 0.7]],
        ['b.weight', [4], [0.1, -0.6, 0.8, -0.4]],
      ]);
      const mask = prune(hp(), m);
      expect(values(mask, 'a.weight')).to.deep.equal([1, 0, 1, 0, 1, 1]);
      expect(values(mask, 'b.weight')).to.deep.equal([0, 1, 1, 1]);
      expect(mask.unpruned).to.equal(7);
      expect(mask.get('a.weight')!.shape).to.deep.equal([2, 3]);
      m.dispose();
    });

    it('prunes every weight tied at the threshold', () => {
      // k = ceil(0.2 * 8) = 2; sorted magnitudes 0.1 0.2 0.2 0.2 0.2 0.5 0.6 0.7: threshold 0.2,
      // so all four 0.2s go with the 0.1: five pruned, not three.
      const m = toyModel('toy', [['a.weight', [8], [0.2, -0.2, 0.5, 0.1, 0.2, 0.6, -0.2, 0.7]]]);
      const mask = prune(hp(), m);
      expect(values(mask, 'a.weight')).to.deep.equal([0, 0, 1, 0, 0, 1, 0, 1]);
      m.dispose();
    });

    it('counts ignored layers in remaining but never touches them', () => {
      // fc's weights are the smallest, yet it keeps its mask; its 3 kept weights count in
      // remaining = 6 + 3 = 9, so k = ceil(0.3 * 9) = 3 and the threshold is the 4th smallest of
      // a's magnitudes (0.4): 4 of a's 6 go.
      const m = toyModel('toy', [
        ['a.weight', [6], [0.6, 0.1, 0.4, 0.2, 0.5, 0.3]],
        ['fc.weight', [4], [0.001, 0.002, 0.003, 0.004]],
      ]);
      const start = new Mask()
        .set('a.weight', { data: Float32Array.from([1, 1, 1, 1, 1, 1]), shape: [6], layout: 'same' })
        .set('fc.weight', { data: Float32Array.from([1, 0, 1, 1]), shape: [4], layout: 'same' });
      const mask = prune(hp({ pruning_fraction: 0.3, pruning_layers_to_ignore: 'fc.weight' }), m, start);
      expect(values(mask, 'a.weight')).to.deep.equal([1, 0, 0, 0, 1, 0]);
      expect(values(mask, 'fc.weight')).to.deep.equal([1, 0, 1, 1]);
      m.dispose();
    });

    it('only considers weights the current mask keeps, and pruned weights stay pruned', () => {
      // The big weights 9 and -8 are already pruned: they neither survive nor count.
      // remaining = 4, k = ceil(0.5 * 4) = 2: threshold is the 3rd smallest of {0.1,0.2,0.3,0.4}.
      const m = toyModel('toy', [['a.weight', [6], [9, 0.1, -8, 0.4, 0.2, -0.3]]]);
      const start = new Mask().set('a.weight', { data: Float32Array.from([0, 1, 0, 1, 1, 1]), shape: [6], layout: 'same' });
      const mask = prune(hp({ pruning_fraction: 0.5 }), m, start);
      expect(values(mask, 'a.weight')).to.deep.equal([0, 0, 0, 1, 0, 0]);
      m.dispose();
    });

    it('matches OpenLTH on LeNet 20_10 counts: 3197 of 15980 pruned at level 1', () => {
      const m = lenet([20, 10], 5);
      const mask = prune(hp({ pruning_layers_to_ignore: 'fc.weight' }), m);
      expect(mask.numel).to.equal(15980);
      expect(mask.unpruned).to.equal(15980 - 3197);
      expect(values(mask, 'fc.weight').every((v) => v === 1)).to.equal(true);
      m.dispose();
    });
  });

  describe('errors', () => {
    it('rejects an ignored layer that is not a prunable weight of the model', () => {
      const m = toyModel('toy', [['a.weight', [2], [1, 2]]]);
      expectLthError(() => prune(hp({ pruning_layers_to_ignore: 'a.weight,fc.wieght' }), m), 'UNKNOWN_LAYER', /'fc\.wieght'.*Prunable weights: a\.weight/);
      m.dispose();
    });

    it('raises a clear error instead of an IndexError when k reaches the prunable weights', () => {
      // remaining = 2 + 8 = 10, k = ceil(0.2 * 10) = 2 >= the 2 prunable weights of a.
      const m = toyModel('toy', [
        ['a.weight', [2], [1, 2]],
        ['fc.weight', [8], [1, 2, 3, 4, 5, 6, 7, 8]],
      ]);
      expectLthError(() => prune(hp({ pruning_layers_to_ignore: 'fc.weight' }), m), 'PRUNE_TOO_MUCH', /only 2 prunable/);
      expectLthError(() => prune(hp({ pruning_fraction: 1 }), m), 'PRUNE_TOO_MUCH');
      m.dispose();
    });

    it('rejects a mask that does not fit the model', () => {
      const m = toyModel('toy', [['a.weight', [2], [1, 2]]]);
      const bad = new Mask().set('a.weight', { data: Float32Array.from([1, 1, 1]), shape: [3], layout: 'same' });
      expectLthError(() => prune(hp(), m, bad), 'BAD_MASK');
      m.dispose();
    });
  });

  it('compounds: after level L the non-ignored density of LeNet 300_100 is 0.8^L within 0.01, to level 10', () => {
    const m = lenet([300, 100], 1);
    const h = hp({ pruning_layers_to_ignore: 'fc.weight' });
    let mask = Mask.onesLike(m);
    const nonIgnored = (mk: Mask) => {
      let kept = 0;
      let all = 0;
      for (const n of m.prunableLayerNames) {
        if (n === 'fc.weight') continue;
        const d = mk.get(n)!.data;
        all += d.length;
        for (let i = 0; i < d.length; i++) kept += d[i];
      }
      return kept / all;
    };
    for (let level = 1; level <= 10; level++) {
      const before = mask.unpruned;
      mask = prune(h, m, mask);
      // k+1 weights, plus any float32 magnitudes that happen to tie at the threshold.
      expect(before - mask.unpruned).to.be.within(Math.ceil(0.2 * before) + 1, Math.ceil(0.2 * before) + 4);
      expect(nonIgnored(mask)).to.be.closeTo(0.8 ** level, 0.01);
      expect(values(mask, 'fc.weight').every((v) => v === 1)).to.equal(true);
    }
    m.dispose();
  });
});

/** LeNet-shaped weights (`fc_layers.i.weight`, `fc.weight`) with seeded normal values; no training. */
function lenet(hidden: number[], seed: number): Model {
  const rng = new Rng('sparse-global-test', seed);
  const weights: Array<[string, number[], Float32Array]> = [];
  let prev = 784;
  const layer = (name: string, out: number) => {
    const v = new Float32Array(out * prev);
    for (let i = 0; i < v.length; i++) v[i] = rng.normal() * Math.sqrt(2 / prev);
    weights.push([name, [out, prev], v]);
    prev = out;
  };
  hidden.forEach((h, i) => layer(`fc_layers.${i}.weight`, h));
  layer('fc.weight', 10);
  return toyModel(`mnist_lenet_${hidden.join('_')}`, weights, ['fc.weight', 'fc.bias']);
}
