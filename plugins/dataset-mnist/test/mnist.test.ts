import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { DatasetHparams, Registry, type DatasetContext, type ImageSource, packageManifest } from '@lth/kernel';
import { DataLoader, loadSplit } from '@lth/data';
import { MNIST_VARIANTS, MnistFamily } from '../src';
import { emptyRegistry, idxImages, idxLabels, labelOf, listFiles, pixelOf, SMALL_MNIST, smallMnistFiles, writeMnistFiles, openTestSession } from '@lth/testing';

const { registry } = openTestSession({ plugins: ['@lth/plugin-dataset-mnist'] });

const { train: TRAIN, test: TEST } = SMALL_MNIST;

const normalized = (v: number) => Math.fround(Math.fround(Math.fround(v / 255) - Math.fround(0.1307)) / Math.fround(0.3081));
const small = (extra: Partial<ConstructorParameters<typeof MnistFamily>[0]> = {}) =>
  new MnistFamily({ sizes: { train: TRAIN, test: TEST }, systemDirs: { fashion_mnist: [] }, mirrors: { mnist: { baseUrl: 'http://127.0.0.1:1/', md5: {} }, fashion_mnist: { baseUrl: 'http://127.0.0.1:1/', md5: {} } }, ...extra });

function imagesOf(src: ImageSource, indices: number[]): Float32Array {
  const out = new Float32Array(indices.length * 784);
  void src.fill(Int32Array.from(indices), out, null);
  return out;
}

describe('dataset-mnist', () => {
  let root: string;
  let ctx: DatasetContext;
  const lines: string[] = [];
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lth-mnist-'));
    lines.length = 0;
    ctx = { datasetRoot: root, setting: () => null, numWorkers: 0, log: (l) => lines.push(l) };
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('registers mnist and fashion_mnist with OpenLTH sizes', () => {
    expect(packageManifest('test', require.resolve('../src'))?.name).to.equal('@lth/plugin-dataset-mnist');
    for (const name of ['mnist', 'fashion_mnist']) {
      const fam = registry.dataset(name).instance;
      expect(fam).to.be.instanceOf(MnistFamily);
      expect(fam.info(name)).to.deep.equal({ numTrainExamples: 60000, numTestExamples: 10000, numClasses: 10, imageShape: [28, 28, 1] });
    }
    expect(() => new MnistFamily().info('kmnist')).to.throw(/kmnist/);
  });

  it('loads plain files from <root>/mnist with labels and MNIST normalisation', async () => {
    writeMnistFiles(path.join(root, 'mnist'), smallMnistFiles(), false);
    const fam = small();
    const train = await fam.load('mnist', 'train', ctx);
    const test = await fam.load('mnist', 'test', ctx);
    expect([train.size, test.size, train.numClasses]).to.deep.equal([TRAIN, TEST, 10]);
    expect(train.imageShape).to.deep.equal([28, 28, 1]);
    expect(Array.from(train.labels)).to.deep.equal(Array.from({ length: TRAIN }, (_, i) => labelOf(i)));
    const img = imagesOf(train, [123, 7]);
    for (const j of [0, 1, 100, 783]) {
      expect(img[j]).to.equal(normalized(pixelOf(123, j)));
      expect(img[784 + j]).to.equal(normalized(pixelOf(7, j)));
    }
    expect(imagesOf(test, [99])[5]).to.equal(normalized(pixelOf(99, 5)));
  });

  it('finds gzipped files in torchvision\'s layout (an OpenLTH folder), for both names', async () => {
    writeMnistFiles(path.join(root, 'mnist', 'MNIST', 'raw'), smallMnistFiles(), true);
    writeMnistFiles(path.join(root, 'fashion_mnist', 'FashionMNIST', 'raw'), smallMnistFiles(), true);
    const fam = small();
    for (const name of ['mnist', 'fashion_mnist']) {
      const test = await fam.load(name, 'test', ctx);
      expect(test.size).to.equal(TEST);
      expect(imagesOf(test, [42])[9]).to.equal(normalized(pixelOf(42, 9)));
    }
  });

  it('never augments, even when asked, and works through loadSplit with the shared transformations', async () => {
    writeMnistFiles(path.join(root, 'mnist'), smallMnistFiles(), true);
    const reg = emptyRegistry();
    reg.add('dataset', 'mnist', small());
    const hp = DatasetHparams.create({ dataset_name: 'mnist', batch_size: 64, subsample_fraction: 0.5, unsupervised_labels: 'rotation' });
    const train = await loadSplit(hp, 'train', ctx, reg);
    expect([train.size, train.numClasses]).to.deep.equal([150, 4]);
    const loader = new DataLoader(train, 64, { augment: true });
    const a: number[] = [];
    const b: number[] = [];
    for await (const batch of loader.epoch(5)) a.push(...batch.images.subarray(0, 10));
    for await (const batch of new DataLoader(train, 64).epoch(5)) b.push(...batch.images.subarray(0, 10));
    expect(a).to.deep.equal(b);
    expect(a.length).to.equal(30);
  });

  describe('corrupt files', () => {
    const cases: Array<[string, string, Buffer, RegExp]> = [
      ['bad image magic', 't10k-images-idx3-ubyte', idxImages(TEST, { magic: 0x801 }), /magic number is 0x00000801/],
      ['wrong image count', 't10k-images-idx3-ubyte', idxImages(TEST - 1), /holds 99 images, not 100/],
      ['wrong image size', 't10k-images-idx3-ubyte', idxImages(TEST, { rows: 32, cols: 32 }), /32x32, not 28x28/],
      ['truncated images', 't10k-images-idx3-ubyte', idxImages(TEST).subarray(0, 16 + 784 * 50), /truncated/],
      ['trailing image data', 't10k-images-idx3-ubyte', Buffer.concat([idxImages(TEST), Buffer.alloc(3)]), /trailing data/],
      ['short header', 't10k-images-idx3-ubyte', Buffer.alloc(10), /fewer than the 16-byte header/],
      ['bad label magic', 't10k-labels-idx1-ubyte', idxLabels(TEST, { magic: 0x803 }), /magic number is 0x00000803/],
      ['wrong label count', 't10k-labels-idx1-ubyte', idxLabels(TEST, { declaredCount: 60000 }), /holds 60000 labels, not 100/],
      ['truncated labels', 't10k-labels-idx1-ubyte', idxLabels(TEST).subarray(0, 50), /truncated/],
      ['label out of range', 't10k-labels-idx1-ubyte', idxLabels(TEST, { label: (i) => (i === 17 ? 10 : 1) }), /label 17 is 10/],
      ['bad gzip', 't10k-labels-idx1-ubyte.gz', zlib.gzipSync(idxLabels(TEST)).subarray(0, 30), /not a valid gzip file/],
    ];
    for (const [what, file, data, message] of cases) {
      it(`names the file: ${what}`, async () => {
        const files = smallMnistFiles();
        delete files[file.replace(/\.gz$/, '')];
        writeMnistFiles(path.join(root, 'mnist'), files, false);
        fs.writeFileSync(path.join(root, 'mnist', file), data);
        const err = await small().load('mnist', 'test', ctx).catch((e: Error) => e);
        expect(err).to.include({ code: 'CORRUPT_DATASET' });
        expect((err as Error).message).to.contain(path.join(root, 'mnist', file));
        expect((err as Error).message).to.match(message);
        expect((err as Error).message).to.match(/Delete it and run again/);
        expect((err as Error).message).to.not.contain('\n');
      });
    }

    it('notices a file replaced after it was loaded', async () => {
      writeMnistFiles(path.join(root, 'mnist'), smallMnistFiles(), false);
      const fam = small();
      expect((await fam.load('mnist', 'test', ctx)).size).to.equal(TEST);
      fs.writeFileSync(path.join(root, 'mnist', 't10k-labels-idx1-ubyte'), idxLabels(TEST - 1));
      const err = await fam.load('mnist', 'test', ctx).catch((e: Error) => e);
      expect(err).to.include({ code: 'CORRUPT_DATASET' });
    });
  });

  describe('missing files', () => {
    it('says which files to put where when nothing can be downloaded', async () => {
      const err = await small().load('mnist', 'train', ctx).catch((e: Error) => e);
      expect(err).to.include({ code: 'DATASET_MISSING' });
      const msg = (err as Error).message;
      for (const f of ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) expect(msg).to.contain(f);
      expect(msg).to.contain(`in ${path.join(root, 'mnist')}${path.sep} `);
      expect(msg).to.contain(path.join(root, 'mnist', 'MNIST', 'raw'));
      expect(msg).to.contain('LTH_MNIST_MIRROR');
      expect(msg).to.contain('ECONNREFUSED');
      expect(msg).to.not.contain('apt-get');
      expect(msg).to.not.contain('\n');
      expect(listFiles(root)).to.deep.equal([]);
      expect(fs.readdirSync(root), 'no folders left behind either').to.deep.equal([]);
    });

    it('lists only the files still missing, and mentions the Debian package for fashion_mnist', async () => {
      const files = smallMnistFiles();
      delete files['train-labels-idx1-ubyte'];
      writeMnistFiles(path.join(root, 'fashion_mnist'), files, true);
      const err = await small().load('fashion_mnist', 'train', ctx).catch((e: Error) => e);
      expect(err).to.include({ code: 'DATASET_MISSING' });
      const msg = (err as Error).message;
      expect(msg).to.match(/Fashion-MNIST is missing train-labels-idx1-ubyte\.gz, and downloading failed/);
      expect(msg).to.not.contain('train-images');
      expect(msg).to.contain('apt-get install dataset-fashion-mnist');
      expect(msg).to.contain('LTH_FASHION_MNIST_MIRROR');
      expect((await small().load('fashion_mnist', 'test', ctx)).size, 'the test split is complete').to.equal(TEST);
    });

    it('searches Debian\'s folder for fashion_mnist', async () => {
      const system = path.join(root, 'usr-share-datasets-fashion-mnist');
      writeMnistFiles(system, smallMnistFiles(), true);
      const fam = new MnistFamily({ sizes: { train: TRAIN, test: TEST }, systemDirs: { fashion_mnist: [system] } });
      expect(fam.searchDirs(MNIST_VARIANTS.fashion_mnist, '/r')).to.deep.equal(['/r/fashion_mnist', '/r/fashion_mnist/FashionMNIST/raw', system]);
      expect(new MnistFamily().searchDirs(MNIST_VARIANTS.fashion_mnist, '/r')[2]).to.equal('/usr/share/datasets/fashion-mnist');
      expect((await fam.load('fashion_mnist', 'train', ctx)).size).to.equal(TRAIN);
      fs.writeFileSync(path.join(system, 't10k-labels-idx1-ubyte.gz'), Buffer.from([0x1f, 0x8b, 1, 2]));
      const err = await fam.load('fashion_mnist', 'test', ctx).catch((e: Error) => e);
      expect((err as Error).message).to.contain('apt-get install --reinstall dataset-fashion-mnist');
    });
  });
});
