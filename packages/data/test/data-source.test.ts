import { expect } from 'chai';
import { DatasetHparams, Rng } from '@lth/kernel';
import { InMemoryImageSource, iterationsPerEpoch, numClasses, type Augmentation } from '../src';

const info = { numTrainExamples: 60000, numTestExamples: 10000, numClasses: 10, imageShape: [28, 28, 1] as const };

describe('data: sizes', () => {
  it('computes OpenLTH iterations per epoch, with and without subsampling', () => {
    expect(iterationsPerEpoch(DatasetHparams.create({ dataset_name: 'mnist', batch_size: 128 }), info)).to.equal(469);
    expect(iterationsPerEpoch(DatasetHparams.create({ dataset_name: 'mnist', batch_size: 60000 }), info)).to.equal(1);
    expect(iterationsPerEpoch(DatasetHparams.create({ dataset_name: 'mnist', batch_size: 128, subsample_fraction: 0.1 }), info)).to.equal(47);
    expect(iterationsPerEpoch(DatasetHparams.create({ dataset_name: 'mnist', batch_size: 7, subsample_fraction: 0.5 }), info)).to.equal(4286);
  });
  it('has 4 classes with rotation labels', () => {
    expect(numClasses(DatasetHparams.create({ dataset_name: 'mnist', batch_size: 1 }), info)).to.equal(10);
    expect(numClasses(DatasetHparams.create({ dataset_name: 'mnist', batch_size: 1, unsupervised_labels: 'rotation' }), info)).to.equal(4);
  });
});

describe('data: InMemoryImageSource', () => {
  const mnistLike = (n: number) => {
    const images = new Uint8Array(n * 4);
    for (let i = 0; i < images.length; i++) images[i] = (i * 37) % 256;
    return new InMemoryImageSource({ images, labels: Int32Array.from({ length: n }, (_, i) => i), imageShape: [2, 2, 1], numClasses: 10, mean: [0.1307], std: [0.3081] });
  };

  it('normalises as ToTensor + Normalize in float32', () => {
    const src = mnistLike(3);
    const out = new Float32Array(8);
    src.fill(Int32Array.of(2, 0), out, null);
    const expected = (v: number) => Math.fround(Math.fround(Math.fround(v / 255) - Math.fround(0.1307)) / Math.fround(0.3081));
    const bytes = [8, 9, 10, 11, 0, 1, 2, 3].map((i) => (i * 37) % 256);
    expect(Array.from(out)).to.deep.equal(bytes.map(expected));
    expect(expected(0)).to.be.closeTo(-0.4242129, 1e-6);
    expect(expected(255)).to.be.closeTo(2.8214867, 1e-6);
  });

  it('normalises each channel with its own mean and std, keeping HWC', () => {
    const images = Uint8Array.of(0, 255, 51, 255, 0, 102);
    const src = new InMemoryImageSource({ images, labels: Int32Array.of(1), imageShape: [1, 2, 3], numClasses: 2, mean: [0, 0.5, 0.2], std: [1, 0.5, 0.1] });
    const out = new Float32Array(6);
    src.fill(Int32Array.of(0), out, null);
    expect(Array.from(out).map((v) => Number(v.toFixed(5)) + 0)).to.deep.equal([0, 1, 0, 1, -1, 2]);
  });

  it('gives augmentation the [0, 1] image and the rng, then normalises', () => {
    const seen: number[][] = [];
    const flipAll: Augmentation = (img, shape, rng) => {
      seen.push([img[0], shape[0], shape[1], shape[2]]);
      if (rng.uniform() >= 0) for (let i = 0; i < img.length; i++) img[i] = 1 - img[i];
    };
    const images = Uint8Array.of(0, 255, 51, 102);
    const src = new InMemoryImageSource({ images, labels: Int32Array.of(0), imageShape: [2, 2, 1], numClasses: 2, mean: [0.5], std: [0.5], augmentation: flipAll });
    const out = new Float32Array(4);
    src.fill(Int32Array.of(0), out, new Rng('t'));
    expect(seen).to.deep.equal([[0, 2, 2, 1]]);
    expect(Array.from(out).map((v) => Number(v.toFixed(4)) + 0)).to.deep.equal([1, -1, 0.6, 0.2]);
    src.fill(Int32Array.of(0), out, null);
    expect(seen.length, 'no augmentation without an rng').to.equal(1);
    expect(out[0]).to.equal(-1);
  });

  it('rejects inconsistent arrays and bad indices', () => {
    expect(() => new InMemoryImageSource({ images: new Uint8Array(5), labels: new Int32Array(2), imageShape: [2, 2, 1], numClasses: 2, mean: [0], std: [1] })).to.throw(/disagree/);
    expect(() => mnistLike(2).fill(Int32Array.of(2), new Float32Array(4), null)).to.throw(RangeError);
  });
});
