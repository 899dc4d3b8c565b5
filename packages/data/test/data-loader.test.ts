import { expect } from 'chai';
import { Rng } from '@lth/kernel';
import { DataLoader, type Augmentation, type Batch } from '../src';
import { toyIndexOf, toySource } from './data-fixtures';

async function collect(gen: AsyncGenerator<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of gen) out.push({ ...b, images: b.images.slice(), labels: b.labels.slice() });
  return out;
}

const indicesOf = (b: Batch) => Array.from({ length: b.size }, (_, k) => toyIndexOf(b.images, k, 16, 256));

describe('data: DataLoader', () => {
  it('keeps the last partial batch and gives NHWC shapes', async () => {
    const loader = new DataLoader(toySource(10), 4);
    expect(loader.iterationsPerEpoch).to.equal(3);
    const batches = await collect(loader.epoch(null));
    expect(batches.map((b) => b.size)).to.deep.equal([4, 4, 2]);
    expect(batches.map((b) => b.shape)).to.deep.equal([[4, 4, 4, 1], [4, 4, 4, 1], [2, 4, 4, 1]]);
    expect(batches[2].images.length).to.equal(2 * 16);
  });

  it('is sequential without a seed and a seeded permutation with one', async () => {
    const loader = new DataLoader(toySource(50), 8);
    const seq = (await collect(loader.epoch(null))).flatMap(indicesOf);
    expect(seq).to.deep.equal(Array.from({ length: 50 }, (_, i) => i));
    const a = (await collect(loader.epoch(3))).flatMap(indicesOf);
    const again = (await collect(loader.epoch(3))).flatMap(indicesOf);
    const b = (await collect(loader.epoch(4))).flatMap(indicesOf);
    expect(a).to.deep.equal(again);
    expect(a).to.deep.equal(Array.from(new Rng('data_order', 3).permutation(50)));
    expect(a).to.not.deep.equal(b);
    expect([...a].sort((x, y) => x - y)).to.deep.equal(seq);
  });

  it('labels match their images', async () => {
    const loader = new DataLoader(toySource(30, [4, 4, 1], 7), 8);
    for (const b of await collect(loader.epoch('x'))) {
      expect(Array.from(b.labels)).to.deep.equal(indicesOf(b).map((i) => i % 7));
    }
  });

  it('skips batches without filling them and still gives the same later batches, augmentation included', async () => {
    let fills = 0;
    const jitter: Augmentation = (img, _shape, rng) => {
      fills++;
      img[1] = rng.uniform();
    };
    const loader = new DataLoader(toySource(40, [4, 4, 1], 10, jitter), 6, { augment: true });
    const full = await collect(loader.epoch(11));
    expect(fills).to.equal(40);
    fills = 0;
    const resumed = await collect(loader.epoch(11, 4));
    expect(fills, 'only batches 4..6 are produced').to.equal(40 - 24);
    expect(resumed).to.deep.equal(full.slice(4));
    const otherSeed = await collect(loader.epoch(12));
    expect(otherSeed[0].images).to.not.deep.equal(full[0].images);
  });

  it('augments only when asked', async () => {
    let calls = 0;
    const count: Augmentation = () => {
      calls++;
    };
    await collect(new DataLoader(toySource(10, [4, 4, 1], 10, count), 4).epoch(1));
    expect(calls).to.equal(0);
    await collect(new DataLoader(toySource(10, [4, 4, 1], 10, count), 4, { augment: true }).epoch(null));
    expect(calls).to.equal(10);
  });

  it('reuses one buffer when asked to, and fresh ones by default', async () => {
    const seen = new Set<ArrayBufferLike>();
    for await (const b of new DataLoader(toySource(10), 4, { reuseBuffers: true }).epoch(null)) seen.add(b.images.buffer);
    expect(seen.size).to.equal(1);
    seen.clear();
    for await (const b of new DataLoader(toySource(10), 4).epoch(null)) seen.add(b.images.buffer);
    expect(seen.size).to.equal(3);
  });

  it('rejects a bad batch size', () => {
    expect(() => new DataLoader(toySource(3), 0)).to.throw(/batch_size/);
  });
});
