import { expect } from 'chai';
import { Mask } from '@lth/kernel';
import { expectLthError } from '@lth/testing';
import { levelPruneCount, pruneLowest, pruneLowestPerLayer } from '../src';
import { maskValues } from './tiny-net';

const mask = (entries: Record<string, number[]>) => {
  const m = new Mask();
  for (const [k, v] of Object.entries(entries)) m.set(k, { data: Float32Array.from(v), shape: [v.length], layout: 'same' });
  return m;
};
const scores = (entries: Record<string, number[]>) => new Map(Object.entries(entries).map(([k, v]) => [k, Float32Array.from(v)]));

describe('selecting weights by score', () => {
  it('prunes exactly the count of lowest scores among kept weights, over all layers, ties in layer then index order', () => {
    const m = mask({ a: [1, 1, 0, 1], b: [1, 1, 1] });
    const s = scores({ a: [0.5, 0.1, 0.0, 0.3], b: [0.3, 0.3, 0.9] });
    expect(maskValues(pruneLowest(m, s, 1, 't'))).to.deep.equal({ a: [1, 0, 0, 1], b: [1, 1, 1] });
    expect(maskValues(pruneLowest(m, s, 2, 't'))).to.deep.equal({ a: [1, 0, 0, 0], b: [1, 1, 1] });
    expect(maskValues(pruneLowest(m, s, 3, 't'))).to.deep.equal({ a: [1, 0, 0, 0], b: [0, 1, 1] });
    expect(maskValues(pruneLowest(m, s, 0, 't'))).to.deep.equal(maskValues(m));
    expect(m.get('a')!.data[1], 'the input mask is left alone').to.equal(1);
  });

  it('leaves tensors without scores (the ignored layers) as they are, and refuses to prune more than is left', () => {
    const m = mask({ a: [1, 1], fc: [1, 1] });
    expect(maskValues(pruneLowest(m, scores({ a: [2, 1] }), 1, 't'))).to.deep.equal({ a: [1, 0], fc: [1, 1] });
    expectLthError(() => pruneLowest(m, scores({ a: [2, 1] }), 3, 'snip'), 'PRUNE_TOO_MUCH', /snip would prune 3 weights, but only 2/);
  });

  it('refuses scores that are not finite numbers', () => {
    expectLthError(() => pruneLowest(mask({ a: [1, 1] }), scores({ a: [NaN, 1] }), 1, 'synflow'), 'BAD_SCORES', /synflow gave a weight of a the score NaN/);
  });

  it('per layer: ceil(fraction x kept) of every scored layer', () => {
    const m = mask({ a: [1, 1, 1, 1, 0], b: [1, 1, 1] });
    const s = scores({ a: [4, 3, 2, 1, 0], b: [1, 2, 3] });
    expect(maskValues(pruneLowestPerLayer(m, s, 0.5, 't'))).to.deep.equal({ a: [1, 1, 0, 0, 0], b: [0, 0, 1] });
  });

  it('counts a level\'s pruning as sparse_global does, without the +1: ceil(fraction x all kept weights)', () => {
    expect(levelPruneCount(0.2, mask({ a: [1, 1, 1, 1, 1, 1, 1], fc: [1, 1, 1] }))).to.equal(2);
    expect(levelPruneCount(0.8, mask({ a: new Array(266200).fill(1) }))).to.equal(266200 - 53240);
  });
});
