import { expect } from 'chai';
import { DatasetHparams, Registry, Rng, type ImageSource } from '@lth/kernel';
import {
  BilinearResize,
  blur,
  DataLoader,
  ImageBlur,
  InMemoryImageSource,
  loadSplit,
  randomizeLabels,
  rotateQuarterTurns,
  rotationLabels,
  subsample,
} from '../src';
import { emptyRegistry } from '@lth/testing';
import { quietContext, toyIndexOf, toySource, ToyFamily } from './data-fixtures';

function fillAll(src: ImageSource): Float32Array {
  const [h, w, c] = src.imageShape;
  const out = new Float32Array(src.size * h * w * c);
  void src.fill(Int32Array.from({ length: src.size }, (_, i) => i), out, null);
  return out;
}

describe('data: random labels and subsampling', () => {
  it('randomises exactly the first ceil(N*f) examples of the seed+1 permutation, seeded', () => {
    const base = toySource(1000, [1, 1, 1], 1000);
    const r = randomizeLabels(base, 5, 0.2501);
    expect(r.size).to.equal(1000);
    const picked = new Set(new Rng('permutation', 6).permutation(1000).slice(0, 251));
    const draws = new Rng('random_labels', 5);
    const perm = new Rng('permutation', 6).permutation(1000);
    const expected = Int32Array.from(base.labels);
    for (let i = 0; i < 251; i++) expected[perm[i]] = draws.int(1000);
    expect(Array.from(r.labels)).to.deep.equal(Array.from(expected));
    let changed = 0;
    for (let i = 0; i < 1000; i++) {
      if (r.labels[i] !== base.labels[i]) {
        changed++;
        expect(picked.has(i)).to.equal(true);
      }
    }
    expect(changed).to.be.within(245, 251);
    expect(Array.from(randomizeLabels(base, 5, 0.2501).labels)).to.deep.equal(Array.from(r.labels));
    expect(Array.from(randomizeLabels(base, 6, 0.2501).labels)).to.not.deep.equal(Array.from(r.labels));
    expect(Array.from(base.labels.slice(0, 5))).to.deep.equal([0, 1, 2, 3, 4]);
  });

  it('subsamples ceil(N*f) examples in permuted order, images following labels', () => {
    for (const [n, f] of [[10, 0.25], [1000, 0.333], [200, 1], [7, 0.01]] as const) {
      expect(subsample(toySource(n), 0, f).size).to.equal(Math.ceil(n * f));
    }
    const base = toySource(200, [4, 4, 1], 200);
    const s = subsample(base, 3, 0.1);
    const kept = Array.from(new Rng('permutation', 4).permutation(200).slice(0, 20));
    expect(Array.from(s.labels)).to.deep.equal(kept);
    expect(kept).to.not.deep.equal([...kept].sort((a, b) => a - b));
    const images = fillAll(s);
    expect(Array.from({ length: 20 }, (_, k) => toyIndexOf(images, k, 16, 200))).to.deep.equal(kept);
  });

  it('keeps the randomised examples first when both run (quirk 37)', () => {
    const base = toySource(1000, [1, 1, 1], 1000);
    const both = subsample(randomizeLabels(base, 9, 0.05), 9, 0.2);
    const perm = new Rng('permutation', 10).permutation(1000);
    let changedFirst = 0;
    for (let k = 0; k < 200; k++) {
      const changed = both.labels[k] !== base.labels[perm[k]];
      if (k >= 50) expect(changed).to.equal(false);
      else if (changed) changedFirst++;
    }
    expect(changedFirst).to.be.greaterThan(45);
  });

  it('rejects fractions outside (0, 1]', () => {
    expect(() => subsample(toySource(5), 0, 0)).to.throw(/subsample_fraction/);
    expect(() => randomizeLabels(toySource(5), 0, 1.5)).to.throw(/random_labels_fraction/);
  });
});

describe('data: rotation labels', () => {
  const asym = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const rot90 = (m: number[][]) => m[0].map((_, j) => m.map((row) => row[row.length - 1 - j]));
  const grid = (v: number[], n: number) => Array.from({ length: n }, (_, i) => v.slice(i * n, i * n + n));

  it('rotates exactly by quarter turns, counter-clockwise like numpy rot90', () => {
    const src = Float32Array.from(asym);
    const out = new Float32Array(9);
    let expected = grid(asym, 3);
    for (let k = 0; k < 4; k++) {
      rotateQuarterTurns(src, out, 3, 1, k);
      expect(grid(Array.from(out), 3)).to.deep.equal(expected);
      expected = rot90(expected);
    }
    rotateQuarterTurns(src, out, 3, 1, 1);
    expect(grid(Array.from(out), 3)).to.deep.equal([[3, 6, 9], [2, 5, 8], [1, 4, 7]]);
  });

  it('rotates multi-channel pixels as units', () => {
    const src = Float32Array.of(1, 10, 2, 20, 3, 30, 4, 40);
    const out = new Float32Array(8);
    rotateQuarterTurns(src, out, 2, 2, 1);
    expect(Array.from(out)).to.deep.equal([2, 20, 4, 40, 1, 10, 3, 30]);
  });

  it('labels each image with its exact rotation, seeded', () => {
    const n = 400;
    const images = new Uint8Array(n * 9);
    for (let i = 0; i < n; i++) images.set(asym, i * 9);
    const base = new InMemoryImageSource({ images, labels: new Int32Array(n), imageShape: [3, 3, 1], numClasses: 10, mean: [0], std: [1 / 255] });
    const rot = rotationLabels(base, 2);
    expect(rot.numClasses).to.equal(4);
    const draws = new Rng('rotation', 2);
    expect(Array.from(rot.labels)).to.deep.equal(Array.from({ length: n }, () => draws.int(4)));
    const counts = [0, 0, 0, 0];
    for (const l of rot.labels) counts[l]++;
    for (const c of counts) expect(c).to.be.within(70, 130);
    const out = fillAll(rot);
    const rotations = [grid(asym, 3)];
    for (let k = 1; k < 4; k++) rotations.push(rot90(rotations[k - 1]));
    for (let i = 0; i < n; i++) {
      const img = grid(Array.from(out.subarray(i * 9, i * 9 + 9), (v) => Math.round(v)), 3);
      expect(img).to.deep.equal(rotations[rot.labels[i]]);
    }
  });

  it('refuses non-square images', () => {
    expect(() => rotationLabels(toySource(2, [2, 3, 1]), 0)).to.throw(/square/);
  });
});

describe('data: blur', () => {
  it('resizes like Pillow bilinear (antialiased shrink, then enlarge)', () => {
    const img = new Float32Array(16);
    img[0] = 1;
    new ImageBlur(4, 4, 1, 2).apply(img);
    const u = [3 / 7, 9 / 28, 3 / 28, 0];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(img[i * 4 + j]).to.be.closeTo(u[i] * u[j], 1e-6);
    const down = new Float32Array(2);
    new BilinearResize(1, 4, 1, 2, 1).apply(Float32Array.of(7, 0, 0, 0), down);
    expect(Array.from(down)).to.deep.equal([3, 0]);
  });

  it('keeps constant images and the identity factor unchanged, blurs edges', () => {
    const flat = new Float32Array(28 * 28).fill(0.25);
    new ImageBlur(28, 28, 1, 4).apply(flat);
    for (const v of flat) expect(v).to.be.closeTo(0.25, 1e-6);
    const edge = Float32Array.from({ length: 64 }, (_, i) => (i % 8 < 4 ? 0 : 1));
    const same = edge.slice();
    new ImageBlur(8, 8, 1, 1).apply(same);
    expect(Array.from(same)).to.deep.equal(Array.from(edge));
    new ImageBlur(8, 8, 1, 2).apply(edge);
    expect(edge[3]).to.be.within(0.01, 0.99);
    expect(edge[4]).to.be.within(0.01, 0.99);
  });

  it('blurs every image of a batch, in place', () => {
    const src = toySource(3, [8, 8, 1]);
    const plain = fillAll(src);
    const blurred = fillAll(blur(src, 2));
    const single = plain.slice(64, 128);
    new ImageBlur(8, 8, 1, 2).apply(single);
    expect(Array.from(blurred.subarray(64, 128))).to.deep.equal(Array.from(single));
    expect(Array.from(blurred.subarray(0, 64))).to.not.deep.equal(Array.from(plain.subarray(0, 64)));
  });

  it('rejects a factor larger than the image', () => {
    expect(() => blur(toySource(1, [4, 4, 1]), 5)).to.throw(/blur_factor/);
  });
});

describe('data: loadSplit', () => {
  const reg = emptyRegistry();
  const family = new ToyFamily(100, 20);
  reg.add('dataset', 'toy', family);
  reg.add('dataset', 'toy2', family);
  const hp = (v: Record<string, unknown>) => DatasetHparams.create({ dataset_name: 'toy', batch_size: 10, ...v });

  it('names the known datasets when the name is unknown', async () => {
    const err = await loadSplit(hp({ dataset_name: 'nope' }), 'train', quietContext, reg).catch((e: Error) => e);
    expect(err).to.include({ code: 'UNKNOWN_DATASET' });
    expect((err as Error).message).to.match(/'nope'.*toy, toy2/);
  });

  it('asks for augmentation on the train split unless do_not_augment', async () => {
    family.calls.length = 0;
    await loadSplit(hp({}), 'train', quietContext, reg);
    await loadSplit(hp({ do_not_augment: true }), 'train', quietContext, reg);
    await loadSplit(hp({}), 'test', quietContext, reg);
    expect(family.calls.map((c) => c.augment)).to.deep.equal([true, false, false]);
  });

  it('applies random labels, subsampling and blur to train only, rotation to both, seeded by transformation_seed', async () => {
    const h = hp({ subsample_fraction: 0.5, random_labels_fraction: 0.1, blur_factor: 2, transformation_seed: 7 });
    const train = await loadSplit(h, 'train', quietContext, reg);
    const test = await loadSplit(h, 'test', quietContext, reg);
    expect([train.size, test.size]).to.deep.equal([50, 20]);
    const expectedTrain = subsample(randomizeLabels(toySource(100), 7, 0.1), 7, 0.5);
    expect(Array.from(train.labels)).to.deep.equal(Array.from(expectedTrain.labels));
    expect(Array.from(fillAll(train))).to.deep.equal(Array.from(fillAll(blur(expectedTrain, 2))));
    expect(Array.from(fillAll(test))).to.deep.equal(Array.from(fillAll(toySource(20))));

    const rot = hp({ unsupervised_labels: 'rotation', transformation_seed: 3 });
    const rtrain = await loadSplit(rot, 'train', quietContext, reg);
    const rtest = await loadSplit(rot, 'test', quietContext, reg);
    expect([rtrain.numClasses, rtest.numClasses]).to.deep.equal([4, 4]);
    expect(Array.from(rtest.labels)).to.deep.equal(Array.from(rotationLabels(toySource(20), 3).labels));
    const dflt = await loadSplit(hp({ unsupervised_labels: 'rotation' }), 'test', quietContext, reg);
    expect(Array.from(dflt.labels)).to.deep.equal(Array.from(rotationLabels(toySource(20), 0).labels));
  });

  it('feeds a DataLoader end to end', async () => {
    const train = await loadSplit(hp({ subsample_fraction: 0.33 }), 'train', quietContext, reg);
    const loader = new DataLoader(train, 10);
    let seen = 0;
    for await (const b of loader.epoch(1)) seen += b.size;
    expect([loader.iterationsPerEpoch, seen]).to.deep.equal([4, 33]);
  });
});
