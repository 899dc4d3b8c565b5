import { expect } from 'chai';
import { Mask, Rng, toTorchLayout } from '@lth/kernel';
import { expectLthError } from '@lth/testing';
import { evenRandomMask, globalRandomMask, layerwiseRandomMask, randomMask, unpruneLayers } from '../src';

/** A mask over a conv weight (lth layout [3,3,2,4]) and two linear weights, with different densities per layer. */
function sampleMask(): Mask {
  const rng = new Rng('sample-mask');
  const entry = (n: number, density: number) => Float32Array.from({ length: n }, () => (rng.uniform() < density ? 1 : 0));
  return new Mask()
    .set('conv.weight', { data: entry(72, 0.9), shape: [3, 3, 2, 4], layout: 'conv2d' })
    .set('fc_layers.0.weight', { data: entry(400, 0.2), shape: [20, 20], layout: 'same' })
    .set('fc.weight', { data: entry(30, 0.5), shape: [3, 10], layout: 'same' });
}

const counts = (m: Mask) => Object.fromEntries(Object.entries(m.sparsityReport().layers).map(([k, v]) => [k, v.unpruned]));
const bits = (m: Mask) => Object.fromEntries(m.keys().map((k) => [k, Array.from(m.get(k)!.data)]));

describe('random masks of randomly_prune', () => {
  const mask = sampleMask();

  it('layerwise keeps every layer\'s count and moves the weights within it; the seed decides', () => {
    const a = layerwiseRandomMask(mask, 7);
    expect(counts(a)).to.deep.equal(counts(mask));
    expect(bits(a)).to.not.deep.equal(bits(mask));
    expect(bits(layerwiseRandomMask(mask, 7))).to.deep.equal(bits(a));
    expect(bits(layerwiseRandomMask(mask, 8))).to.not.deep.equal(bits(a));
    for (const k of mask.keys()) expect(a.get(k)!.shape).to.deep.equal(mask.get(k)!.shape);
    for (const m of [a, globalRandomMask(mask, 1), evenRandomMask(mask, 1)]) expect(m.keys()).to.deep.equal(mask.keys());
  });

  it('global keeps the total and spreads it over the layers at random', () => {
    const g = globalRandomMask(mask, 7);
    expect(g.unpruned).to.equal(mask.unpruned);
    expect(counts(g)).to.not.deep.equal(counts(mask));
    expect(bits(globalRandomMask(mask, 7))).to.deep.equal(bits(g));
    // The conv layer (90% dense) gets about the global density (~33%) instead.
    expect(counts(g)['conv.weight']).to.be.lessThan(50);
  });

  it('even gives every layer the overall density (OpenLTH quirk 31: it crashed and used sparsity)', () => {
    const e = evenRandomMask(mask, 3);
    const d = mask.density;
    for (const [k, v] of Object.entries(e.sparsityReport().layers)) {
      expect(v.unpruned, k).to.equal(Math.round(d * v.total));
      expect(Math.abs(v.unpruned / v.total - d), k).to.be.at.most(0.5 / v.total + 1e-12);
    }
    expect(Math.abs(e.unpruned - mask.unpruned)).to.be.at.most(mask.keys().length);
    expect(bits(evenRandomMask(mask, 3))).to.deep.equal(bits(e));
    expect(bits(evenRandomMask(mask, 4))).to.not.deep.equal(bits(e));
  });

  it('identity copies the mask', () => {
    const i = randomMask(mask, 'identity', 1);
    expect(bits(i)).to.deep.equal(bits(mask));
    expect(i.get('fc.weight')!.data).to.not.equal(mask.get('fc.weight')!.data);
    expect(bits(mask.copy())).to.deep.equal(bits(mask));
  });

  it('shuffles in PyTorch layout: the mask file of a seed does not depend on how lth holds the conv weight', () => {
    const conv = mask.get('conv.weight')!;
    const asTorch = new Mask().set('conv.weight', { data: toTorchLayout(conv.data, conv.shape, 'conv2d'), shape: [4, 2, 3, 3], layout: 'same' });
    const asLth = new Mask().set('conv.weight', conv);
    const a = layerwiseRandomMask(asLth, 11).get('conv.weight')!;
    const b = layerwiseRandomMask(asTorch, 11).get('conv.weight')!;
    expect(Array.from(toTorchLayout(a.data, a.shape, 'conv2d'))).to.deep.equal(Array.from(b.data));
  });

  it('--layers_to_ignore unprunes the named layers and rejects unknown names', () => {
    const m = unpruneLayers(layerwiseRandomMask(mask, 1), ' fc.weight , conv.weight');
    expect(counts(m)['fc.weight']).to.equal(30);
    expect(counts(m)['conv.weight']).to.equal(72);
    expect(counts(m)['fc_layers.0.weight']).to.equal(counts(mask)['fc_layers.0.weight']);
    expect(counts(unpruneLayers(mask.copy(), ''))).to.deep.equal(counts(mask));
    expectLthError(() => unpruneLayers(mask.copy(), 'fc.weights'), 'BAD_HPARAM', /--layers_to_ignore names 'fc\.weights', which is not a prunable weight\. Prunable weights: conv\.weight, fc_layers\.0\.weight, fc\.weight\./);
  });
});
