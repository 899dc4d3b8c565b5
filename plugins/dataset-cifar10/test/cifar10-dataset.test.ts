import { expect } from 'chai';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as tar from 'tar';
import { DatasetHparams, Rng, type ImageSource, packageManifest } from '@lth/kernel';
import { DataLoader, loadSplit } from '@lth/data';
import { CIFAR10_MEAN, CIFAR10_STD, Cifar10Dataset, cifar10Download } from '../src/index';
import { expectLthRejection, removeTempDirs, tempDir, openTestSession } from '@lth/testing';
import { TEST_EXAMPLES, TRAIN_EXAMPLES, context, copyPythonFolder, expectedImages, label, writeBinaryFolder } from './helpers';

const { registry } = openTestSession({ plugins: ['@lth/plugin-dataset-cifar10'] });


async function allImages(source: ImageSource, augment: Rng | null = null): Promise<Float32Array> {
  const out = new Float32Array(source.size * 3072);
  await source.fill(Int32Array.from({ length: source.size }, (_, i) => i), out, augment);
  return out;
}

function normalised(ns: readonly number[]): Float32Array {
  const bytes = expectedImages(ns);
  return Float32Array.from(bytes, (v, i) => Math.fround(Math.fround(v / 255) - Math.fround(CIFAR10_MEAN[i % 3])) / Math.fround(CIFAR10_STD[i % 3]));
}

/** `<root>/cifar10/<archive>` holding `folder` (taken from a folder built in a scratch dir). */
async function makeArchive(file: string, build: (dir: string) => void, folder: string): Promise<void> {
  const src = tempDir('cifar10');
  build(src);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await tar.c({ gzip: true, file, cwd: src }, [folder]);
}

function leftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.startsWith('.'));
}

describe('cifar10 dataset', () => {
  const ds = new Cifar10Dataset();
  after(removeTempDirs);

  it('registers cifar10 with OpenLTH sizes', () => {
    expect(packageManifest('test', require.resolve('../src'))?.name).to.equal('@lth/plugin-dataset-cifar10');
    expect(registry.dataset('cifar10').instance).to.be.instanceOf(Cifar10Dataset);
    expect(ds.info('cifar10')).to.deep.equal({ numTrainExamples: 50000, numTestExamples: 10000, numClasses: 10, imageShape: [32, 32, 3] });
  });

  it('loads torchvision\'s cifar-10-batches-py folder, normalised with the ImageNet mean and std (quirk 39)', async () => {
    const root = tempDir('cifar10');
    copyPythonFolder(path.join(root, 'cifar10'));
    const lines: string[] = [];
    const train = await ds.load('cifar10', 'train', context(root, lines), false);
    expect(train.size).to.equal(15);
    expect(train.numClasses).to.equal(10);
    expect(train.imageShape).to.deep.equal([32, 32, 3]);
    expect([...train.labels]).to.deep.equal(TRAIN_EXAMPLES.map(label));
    const got = await allImages(train);
    const want = normalised(TRAIN_EXAMPLES);
    let maxDiff = 0;
    for (let i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
    expect(got.length).to.equal(want.length);
    expect(maxDiff).to.be.lessThan(1e-6);
    expect(got[0]).to.be.closeTo((0 / 255 - 0.485) / 0.229, 1e-6);
    expect(lines.join('\n')).to.match(/cifar10 train: 15 examples from .*cifar-10-batches-py/);
    const test = await ds.load('cifar10', 'test', context(root), false);
    expect([...test.labels]).to.deep.equal(TEST_EXAMPLES.map(label));
  });

  it('loads the binary distribution to the same examples', async () => {
    const root = tempDir('cifar10');
    writeBinaryFolder(path.join(root, 'cifar10'));
    const bin = await ds.load('cifar10', 'test', context(root), false);
    const pyRoot = tempDir('cifar10');
    copyPythonFolder(path.join(pyRoot, 'cifar10'));
    const py = await ds.load('cifar10', 'test', context(pyRoot), false);
    expect([...bin.labels]).to.deep.equal([...py.labels]);
    expect(Buffer.from((await allImages(bin)).buffer).equals(Buffer.from((await allImages(py)).buffer))).to.equal(true);
  });

  it('augments training images only when asked, deterministically from the generator', async () => {
    const root = tempDir('cifar10');
    copyPythonFolder(path.join(root, 'cifar10'));
    const plain = await ds.load('cifar10', 'train', context(root), false);
    const aug = await ds.load('cifar10', 'train', context(root), true);
    expect(Buffer.from((await allImages(plain, new Rng('a', 1))).buffer).equals(Buffer.from((await allImages(plain)).buffer))).to.equal(true);
    const a1 = await allImages(aug, new Rng('a', 1));
    const a2 = await allImages(aug, new Rng('a', 1));
    const b = await allImages(aug, new Rng('a', 2));
    expect(Buffer.from(a1.buffer).equals(Buffer.from(a2.buffer))).to.equal(true);
    expect(Buffer.from(a1.buffer).equals(Buffer.from(b.buffer))).to.equal(false);
    const padValue = (0 - 0.485) / 0.229;
    expect([...a1].filter((v) => Math.abs(v - padValue) < 1e-6).length).to.be.greaterThan(0);
  });

  it('works through the kernel loader: loadSplit + DataLoader with do_not_augment off', async () => {
    const root = tempDir('cifar10');
    copyPythonFolder(path.join(root, 'cifar10'));
    const hp = DatasetHparams.create({ dataset_name: 'cifar10', batch_size: 4, do_not_augment: false });
    const source = await loadSplit(hp, 'train', context(root), registry);
    const loader = new DataLoader(source, 4, { augment: true });
    const batches = [];
    for await (const b of loader.epoch(0)) batches.push(b);
    expect(batches.map((b) => b.size)).to.deep.equal([4, 4, 4, 3]);
    expect(batches[0].shape).to.deep.equal([4, 32, 32, 3]);
  });

  it('extracts cifar-10-python.tar.gz or cifar-10-binary.tar.gz atomically when only an archive is there', async () => {
    const root = tempDir('cifar10');
    const dir = path.join(root, 'cifar10');
    await makeArchive(path.join(dir, 'cifar-10-python.tar.gz'), copyPythonFolder, 'cifar-10-batches-py');
    const lines: string[] = [];
    const train = await ds.load('cifar10', 'train', context(root, lines), false);
    expect(train.size).to.equal(15);
    expect(fs.existsSync(path.join(dir, 'cifar-10-batches-py', 'test_batch'))).to.equal(true);
    expect(leftovers(dir)).to.deep.equal([]);
    expect(lines.join('\n')).to.match(/Extracting .*cifar-10-python\.tar\.gz/);

    const binRoot = tempDir('cifar10');
    await makeArchive(path.join(binRoot, 'cifar10', 'cifar-10-binary.tar.gz'), writeBinaryFolder, 'cifar-10-batches-bin');
    const test = await ds.load('cifar10', 'test', context(binRoot), false);
    expect([...test.labels]).to.deep.equal(TEST_EXAMPLES.map(label));
  });

  it('reports a corrupt archive by name and leaves no partial folder', async () => {
    const root = tempDir('cifar10');
    const dir = path.join(root, 'cifar10');
    fs.mkdirSync(dir);
    await makeArchive(path.join(dir, 'cifar-10-python.tar.gz'), copyPythonFolder, 'cifar-10-batches-py');
    const whole = fs.readFileSync(path.join(dir, 'cifar-10-python.tar.gz'));
    fs.writeFileSync(path.join(dir, 'cifar-10-python.tar.gz'), whole.subarray(0, Math.floor(whole.length / 2)));
    await expectLthRejection(() => ds.load('cifar10', 'train', context(root), false), 'CORRUPT_DATASET', /cifar-10-python\.tar\.gz is not a valid \.tar\.gz archive/);
    expect(fs.readdirSync(dir)).to.deep.equal(['cifar-10-python.tar.gz']);
  });

  it('names missing files of an incomplete folder', async () => {
    const root = tempDir('cifar10');
    const dir = path.join(root, 'cifar10');
    copyPythonFolder(dir);
    fs.rmSync(path.join(dir, 'cifar-10-batches-py', 'data_batch_3'));
    await expectLthRejection(() => ds.load('cifar10', 'train', context(root), false), 'DATASET_MISSING', /data_batch_3 is missing/);
    expect((await ds.load('cifar10', 'test', context(root), false)).size).to.equal(4);
  });

  it('names a truncated batch file when loading', async () => {
    const root = tempDir('cifar10');
    const dir = path.join(root, 'cifar10');
    writeBinaryFolder(dir);
    const f = path.join(dir, 'cifar-10-batches-bin', 'data_batch_2.bin');
    fs.writeFileSync(f, fs.readFileSync(f).subarray(0, 5000));
    await expectLthRejection(() => ds.load('cifar10', 'train', context(root), false), 'CORRUPT_DATASET', /data_batch_2\.bin is not a valid CIFAR-10 batch/);
  });

  describe('download', () => {
    let server: http.Server;
    let base = '';
    let binary: Buffer;
    let python: Buffer;
    let requests: string[] = [];
    const md5 = (b: Buffer) => crypto.createHash('md5').update(b).digest('hex');
    const downloads = () => [
      { url: 'https://unused/cifar-10-binary.tar.gz', md5: md5(binary) },
      { url: 'https://unused/cifar-10-python.tar.gz', md5: md5(python) },
    ];

    before(async () => {
      const dir = tempDir('cifar10');
      await makeArchive(path.join(dir, 'cifar-10-binary.tar.gz'), writeBinaryFolder, 'cifar-10-batches-bin');
      await makeArchive(path.join(dir, 'cifar-10-python.tar.gz'), copyPythonFolder, 'cifar-10-batches-py');
      binary = fs.readFileSync(path.join(dir, 'cifar-10-binary.tar.gz'));
      python = fs.readFileSync(path.join(dir, 'cifar-10-python.tar.gz'));
      server = http.createServer((req, res) => {
        requests.push(req.url ?? '');
        if (req.url === '/mirror/cifar-10-binary.tar.gz') res.end(binary);
        else if (req.url === '/mirror/cifar-10-python.tar.gz') res.end(python);
        else res.writeHead(404).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    beforeEach(() => {
      requests = [];
    });

    it('fetches the binary archive by default; LTH_CIFAR10_MIRROR is a base URL or names either archive, keeping its checksum', () => {
      expect(cifar10Download({})).to.deep.equal({ url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz', md5: 'c32a1d4ab5d03f1284b67883e8d87530' });
      expect(cifar10Download({ LTH_CIFAR10_MIRROR: 'http://host/x/' })).to.deep.equal({ url: 'http://host/x/cifar-10-binary.tar.gz', md5: 'c32a1d4ab5d03f1284b67883e8d87530' });
      expect(cifar10Download({ LTH_CIFAR10_MIRROR: 'http://host/x/cifar-10-python.tar.gz' })).to.deep.equal({ url: 'http://host/x/cifar-10-python.tar.gz', md5: 'c58f30108f718f92721af3b95e74349a' });
      expect(cifar10Download({ LTH_CIFAR10_MIRROR: 'http://host/x/cifar-10-binary.tar.gz' }).md5).to.equal('c32a1d4ab5d03f1284b67883e8d87530');
    });

    it('downloads the binary archive, checks its md5, extracts it and loads it', async () => {
      const local = new Cifar10Dataset();
      local.download = cifar10Download({ LTH_CIFAR10_MIRROR: `${base}/mirror` }, downloads());
      const root = tempDir('cifar10');
      const lines: string[] = [];
      const test = await local.load('cifar10', 'test', context(root, lines), false);
      expect([...test.labels]).to.deep.equal(TEST_EXAMPLES.map(label));
      expect(requests).to.deep.equal(['/mirror/cifar-10-binary.tar.gz']);
      expect(lines[0]).to.match(/Downloading CIFAR-10 from http:\/\/127\.0\.0\.1:\d+\/mirror\/cifar-10-binary\.tar\.gz/);
      expect(fs.readdirSync(path.join(root, 'cifar10')).sort()).to.deep.equal(['cifar-10-batches-bin', 'cifar-10-binary.tar.gz']);
      await local.load('cifar10', 'train', context(root), false);
      expect(requests.length).to.equal(1);
    });

    it('downloads the Python archive from a mirror that names it, and loads it', async () => {
      const local = new Cifar10Dataset();
      local.download = cifar10Download({ LTH_CIFAR10_MIRROR: `${base}/mirror/cifar-10-python.tar.gz` }, downloads());
      const root = tempDir('cifar10');
      const test = await local.load('cifar10', 'test', context(root), false);
      expect(test.size).to.equal(4);
      expect(requests).to.deep.equal(['/mirror/cifar-10-python.tar.gz']);
      expect(fs.readdirSync(path.join(root, 'cifar10')).sort()).to.deep.equal(['cifar-10-batches-py', 'cifar-10-python.tar.gz']);
    });

    it('is one DATASET_MISSING error saying what to put where when the checksum or the server fails', async () => {
      const local = new Cifar10Dataset();
      local.download = { url: `${base}/mirror/cifar-10-binary.tar.gz`, md5: '0'.repeat(32) };
      const root = tempDir('cifar10');
      await expectLthRejection(() => local.load('cifar10', 'train', context(root), false), 'DATASET_MISSING', /CIFAR-10 is not in .*cifar10 and downloading it failed \(.*md5.*\)\. Put there either cifar-10-batches-py\/ \(data_batch_1 \.\.\. data_batch_5, test_batch/);
      expect(fs.readdirSync(path.join(root, 'cifar10'))).to.deep.equal([]);
      local.download = { url: `${base}/elsewhere/cifar-10-binary.tar.gz`, md5: '0'.repeat(32) };
      await expectLthRejection(() => local.load('cifar10', 'train', context(root), false), 'DATASET_MISSING', /HTTP 404.*cifar-10-binary\.tar\.gz/);
    });
  });
});
