import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { idxImages, idxLabels, labelOf, listFiles, pixelOf, removeTempDirs, SMALL_MNIST, smallMnistFiles, tempDir, toyImages, writeMnistFiles } from '../src';

describe('scratch folders', () => {
  it('makes fresh lth-<tag>- folders, lists their files recursively, and removes them all', () => {
    const a = tempDir('testing');
    const b = tempDir('testing');
    expect(a).to.not.equal(b);
    expect(path.basename(a)).to.match(/^lth-testing-/);
    expect(listFiles(a)).to.deep.equal([]);
    fs.mkdirSync(path.join(a, 'x', 'y'), { recursive: true });
    fs.writeFileSync(path.join(a, 'x', 'y', 'z.bin'), '');
    fs.writeFileSync(path.join(a, '.hidden'), '');
    fs.writeFileSync(path.join(a, 'b'), '');
    expect(listFiles(a)).to.deep.equal(['.hidden', 'b', path.join('x', 'y', 'z.bin')]);
    removeTempDirs();
    expect([fs.existsSync(a), fs.existsSync(b)]).to.deep.equal([false, false]);
    expect(listFiles(a)).to.deep.equal([]);
  });
});

describe('MNIST IDX fixtures', () => {
  it('writes IDX headers and bytes in MNIST\'s format', () => {
    const images = idxImages(3);
    expect([images.readUInt32BE(0), images.readUInt32BE(4), images.readUInt32BE(8), images.readUInt32BE(12), images.length]).to.deep.equal([0x803, 3, 28, 28, 16 + 3 * 784]);
    expect(images[16 + 784 * 2 + 5]).to.equal(pixelOf(2, 5));
    const labels = idxLabels(4, { declaredCount: 9 });
    expect([labels.readUInt32BE(0), labels.readUInt32BE(4), labels.length]).to.deep.equal([0x801, 9, 12]);
    expect(Array.from(labels.subarray(8))).to.deep.equal([0, 1, 2, 3].map(labelOf));
  });

  it('writes the four files, gzipped or plain', () => {
    const dir = tempDir('testing');
    writeMnistFiles(dir, smallMnistFiles(), true);
    expect(listFiles(dir)).to.deep.equal(['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']);
    expect(zlib.gunzipSync(fs.readFileSync(path.join(dir, 't10k-labels-idx1-ubyte.gz'))).readUInt32BE(4)).to.equal(SMALL_MNIST.test);
    removeTempDirs();
  });
});

describe('toy images', () => {
  it('are seeded by name and split, with classes in turn and a bright block per class', () => {
    const size = { train: 12, test: 4, classes: 4 };
    const a = toyImages('toy_a', 'train', size);
    expect([a.size, a.numClasses]).to.deep.equal([12, 4]);
    expect(Array.from(a.labels)).to.deep.equal([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
    const pixels = (name: string, split: 'train' | 'test') => {
      const out = new Float32Array(784);
      void toyImages(name, split, size).fill(Int32Array.from([1]), out, null);
      return out;
    };
    expect(pixels('toy_a', 'train')).to.deep.equal(pixels('toy_a', 'train'));
    expect(pixels('toy_a', 'train')).to.not.deep.equal(pixels('toy_b', 'train'));
    expect(pixels('toy_a', 'train')).to.not.deep.equal(pixels('toy_a', 'test'));
    const img = pixels('toy_a', 'train');
    const at = (r: number, c: number) => img[r * 28 + c];
    // class 1: the block is at rows 3..9, columns 10..16; outside it there is only dim noise.
    expect(at(5, 12)).to.be.above(at(5, 3));
    expect(Math.min(...[3, 9].flatMap((r) => [10, 16].map((c) => at(r, c))))).to.be.above(Math.max(...[0, 20, 27].map((r) => at(r, 12))));
  });
});
