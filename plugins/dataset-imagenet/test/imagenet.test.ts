import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import * as os from 'node:os';
import { DatasetHparams, declaredPlatformKeys, platformSettings, Rng, type ImageSource, packageManifest } from '@lth/kernel';
import { DataLoader, loadSplit } from '@lth/data';
import { randomResizedCropBox } from '../src/crop-geometry';
import { CorruptImageError, decodeExample } from '../src/decode';
import { DecodePool } from '../src/decode-pool';
import { IMAGENET_MEAN, IMAGENET_STD, ImagenetDataset, corruptImagePolicy } from '../src/index';
import { expectLthRejection, removeDir, removeTempDirs, tempDir, openTestSession } from '@lth/testing';
import { context, corruptJpeg, writeImagenetTree, writeJpeg } from './helpers';

const { registry } = openTestSession({ plugins: ['@lth/plugin-dataset-imagenet'] });

const LEN = 224 * 224 * 3;


async function fillAll(source: ImageSource, rng: Rng | null, indices?: number[]): Promise<Float32Array> {
  const idx = Int32Array.from(indices ?? Array.from({ length: source.size }, (_, i) => i));
  const out = new Float32Array(idx.length * LEN);
  await source.fill(idx, out, rng);
  return out;
}

const same = (a: Float32Array | Uint8Array, b: Float32Array | Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('imagenet dataset', function () {
  this.timeout(60000);
  let root = '';
  const ds = new ImagenetDataset();

  before(async () => {
    root = tempDir('imagenet');
    await writeImagenetTree(root);
  });
  after(removeTempDirs);

  it('registers imagenet with OpenLTH nominal sizes', () => {
    expect(packageManifest('test', require.resolve('../src'))?.name).to.equal('@lth/plugin-dataset-imagenet');
    expect(registry.dataset('imagenet').instance).to.be.instanceOf(ImagenetDataset);
    expect(ds.info('imagenet')).to.deep.equal({ numTrainExamples: 1281167, numTestExamples: 50000, numClasses: 1000, imageShape: [224, 224, 3] });
  });

  it('declares the platform setting imagenetRoot, which LTH_IMAGENET_ROOT overrides', () => {
    expect(declaredPlatformKeys(registry).get('imagenetRoot')).to.include({ env: 'LTH_IMAGENET_ROOT', plugin: registry.dataset('imagenet').plugin });
    expect(platformSettings({ imagenetRoot: '~/inet' }, registry, {}).imagenetRoot).to.equal(path.join(os.homedir(), 'inet'));
    expect(platformSettings({ imagenetRoot: '~/inet' }, registry, { LTH_IMAGENET_ROOT: '/data/in' }).imagenetRoot).to.equal('/data/in');
    expect(platformSettings({}, registry, {}).imagenetRoot).to.equal(null);
  });

  it('needs platform.imagenetRoot', async () => {
    await expectLthRejection(() => ds.load('imagenet', 'train', context(null), true), 'IMAGENET_ROOT_UNSET', /set platform\.imagenetRoot in lth\.config\.ts/);
    await expectLthRejection(() => ds.load('imagenet', 'train', context(path.join(root, 'nowhere')), true), 'DATASET_MISSING', /nowhere.train does not exist/);
  });

  it('lists train and val deterministically, val labelled by the training classes', async () => {
    const lines: string[] = [];
    const train = await ds.load('imagenet', 'train', context(root, {}, lines), true);
    expect(train.size).to.equal(12);
    expect(train.numClasses).to.equal(3);
    expect(train.imageShape).to.deep.equal([224, 224, 3]);
    expect([...train.labels]).to.deep.equal([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(lines[0]).to.match(/imagenet train: 12 images in 3 classes from .*train/);
    const val = await ds.load('imagenet', 'test', context(root), false);
    expect([...val.labels]).to.deep.equal([0, 2, 2]);
  });

  it('evaluation transform: Resize(256) then CenterCrop(224), normalised with the ImageNet mean and std', async () => {
    const file = path.join(root, 'train', 'n01_bird', 'a_3.jpg');
    const raw = await sharp(file).raw().toBuffer();
    const img = await decodeExample(file, null);
    expect(img.length).to.equal(LEN);
    for (let y = 0; y < 224; y += 37) for (let x = 0; x < 224; x += 29) for (let c = 0; c < 3; c++) expect(img[(y * 224 + x) * 3 + c]).to.equal(raw[((y + 16) * 256 + x + 16) * 3 + c]);
    const val = await ds.load('imagenet', 'test', context(root), false);
    const out = await fillAll(val, null, [1]);
    const want = await decodeExample(path.join(root, 'val', 'n03_dog', 'v0.JPEG'), null);
    for (let j = 0; j < LEN; j += 101) expect(out[j]).to.be.closeTo((want[j] / 255 - IMAGENET_MEAN[j % 3]) / IMAGENET_STD[j % 3], 1e-5);
  });

  it('evaluation transform of a larger image is close to a plain bilinear resize and crop', async () => {
    const file = path.join(root, 'train', 'n02_cat', 'y.JPEG');
    const img = await decodeExample(file, null);
    const ref = await sharp(file).resize(341, 256, { kernel: 'linear' }).extract({ left: 58, top: 16, width: 224, height: 224 }).raw().toBuffer();
    let diff = 0;
    for (let j = 0; j < LEN; j++) diff += Math.abs(img[j] - ref[j]);
    expect(diff / LEN).to.be.lessThan(3);
  });

  it('training transform: RandomResizedCrop + flip from the seed only, grayscale and CMYK files as RGB', async () => {
    const file = path.join(root, 'train', 'n02_cat', 'w.JPEG');
    const a = await decodeExample(file, 7);
    expect(same(a, await decodeExample(file, 7))).to.equal(true);
    expect(same(a, await decodeExample(file, 8))).to.equal(false);
    const gray = await decodeExample(path.join(root, 'train', 'n02_cat', 'x.JPEG'), 3);
    for (let j = 0; j < LEN; j += 3) expect(gray[j + 1]).to.equal(gray[j]);
    const cmyk = await decodeExample(path.join(root, 'train', 'n03_dog', 'd4.JPEG'), 3);
    expect(cmyk.length).to.equal(LEN);
  });

  it('training transform flips exactly when its draw after the crop says so', async () => {
    const dir = tempDir('imagenet');
    const file = path.join(dir, 'ramp.JPEG');
    await writeJpeg(file, 320, 240, 0);
    let flips = 0;
    for (let seed = 0; seed < 12; seed++) {
      const rng = new Rng('imagenet_augment', seed);
      randomResizedCropBox(320, 240, rng);
      const flip = rng.uniform() < 0.5;
      flips += flip ? 1 : 0;
      const img = await decodeExample(file, seed);
      let left = 0;
      let right = 0;
      for (let y = 0; y < 224; y++) {
        left += img[y * 224 * 3];
        right += img[(y * 224 + 223) * 3];
      }
      expect(left > right, `seed ${seed}`).to.equal(flip);
    }
    expect(flips).to.be.within(1, 11);
  });

  it('decodes in worker threads exactly as on the main thread, in both transforms', async () => {
    const main = await ds.load('imagenet', 'train', context(root, { numWorkers: 0 }), true);
    const pooled = await ds.load('imagenet', 'train', context(root, { numWorkers: 2 }), true);
    try {
      const order = [5, 0, 11, 3, 3, 8, 1, 10];
      const a = await fillAll(main, new Rng('augment', 1, 0), order);
      const b = await fillAll(pooled, new Rng('augment', 1, 0), order);
      expect(same(a, b)).to.equal(true);
      expect(same(a.subarray(3 * LEN, 4 * LEN), a.subarray(4 * LEN, 5 * LEN))).to.equal(false);
      const c = await fillAll(pooled, new Rng('augment', 1, 1), order);
      expect(same(a, c)).to.equal(false);
      const evalMain = await fillAll(main, null);
      const evalPooled = await fillAll(pooled, null);
      expect(same(evalMain, evalPooled)).to.equal(true);
    } finally {
      await main.close?.();
      await pooled.close?.();
    }
  });

  it('uses the evaluation transform when augmentation is off, whatever generator it is given', async () => {
    const plain = await ds.load('imagenet', 'train', context(root), false);
    expect(same(await fillAll(plain, new Rng('augment', 0, 0), [2]), await fillAll(plain, null, [2]))).to.equal(true);
  });

  it('works through the kernel loader: loadSplit + DataLoader', async () => {
    const hp = DatasetHparams.create({ dataset_name: 'imagenet', batch_size: 5, do_not_augment: false });
    const source = await loadSplit(hp, 'train', context(root, { numWorkers: 1 }), registry);
    try {
      const loader = new DataLoader(source, 5, { augment: true });
      const sizes: number[] = [];
      for await (const b of loader.epoch(0)) {
        sizes.push(b.size);
        expect(b.shape).to.deep.equal([b.size, 224, 224, 3]);
      }
      expect(sizes).to.deep.equal([5, 5, 2]);
    } finally {
      await source.close?.();
    }
  });

  describe('corrupt images', () => {
    let broken = '';
    before(() => {
      broken = tempDir('imagenet');
      fs.cpSync(root, broken, { recursive: true });
      corruptJpeg(path.join(broken, 'train', 'n01_bird', 'a_3.jpg'));
    });

    it('fail (default): one error naming the file and the switch', async () => {
      for (const numWorkers of [0, 2]) {
        const src = await ds.load('imagenet', 'train', context(broken, { numWorkers }), true);
        try {
          await expectLthRejection(() => fillAll(src, new Rng('augment', 0, 0), [0, 1, 4]), 'CORRUPT_IMAGE', /Cannot decode .*n01_bird.a_3\.jpg \(.*\)\. .*platform\.onCorruptImage: 'skip'/);
        } finally {
          await src.close?.();
        }
      }
    });

    it('a FIFO or a link to /dev/zero named like an image is a corrupt image at once, never read', async () => {
      const dir = tempDir('imagenet-special');
      try {
        const fifo = path.join(dir, 'fifo.JPEG');
        execFileSync('mkfifo', [fifo]);
        const zero = path.join(dir, 'zero.JPEG');
        fs.symlinkSync('/dev/zero', zero);
        for (const [file, kind] of [[fifo, 'a named pipe'], [zero, 'a character device']]) {
          const err = await decodeExample(file, null).catch((e: unknown) => e);
          expect(err).to.be.instanceOf(CorruptImageError);
          expect((err as CorruptImageError).reason).to.match(new RegExp(`^it is ${kind}.*not a regular file`));
        }
      } finally {
        removeDir(dir);
      }
    });

    it('skip: reported once, replaced by the next image of the same class, the same on workers', async () => {
      const outs: Float32Array[] = [];
      for (const numWorkers of [0, 2]) {
        const lines: string[] = [];
        const src = await ds.load('imagenet', 'train', context(broken, { numWorkers, onCorruptImage: 'skip' }, lines), false);
        try {
          const out = await fillAll(src, null, [1, 2, 1]);
          expect(same(out.subarray(0, LEN), out.subarray(LEN, 2 * LEN))).to.equal(true);
          expect(same(out.subarray(0, LEN), out.subarray(2 * LEN))).to.equal(true);
          expect(lines.filter((l) => l.startsWith('Skipping')).length).to.equal(1);
          expect(lines.join('\n')).to.match(/Skipping .*a_3\.jpg: cannot decode it .*class n01_bird/);
          outs.push(out);
        } finally {
          await src.close?.();
        }
      }
      expect(same(outs[0], outs[1])).to.equal(true);
    });

    it('reads the switch from the context, else LTH_ON_CORRUPT_IMAGE, else fail', () => {
      expect(corruptImagePolicy(context(null), {})).to.equal('fail');
      expect(corruptImagePolicy(context(null), { LTH_ON_CORRUPT_IMAGE: 'skip' })).to.equal('skip');
      expect(corruptImagePolicy(context(null, { onCorruptImage: 'fail' }), { LTH_ON_CORRUPT_IMAGE: 'skip' })).to.equal('fail');
      expect(() => corruptImagePolicy(context(null), { LTH_ON_CORRUPT_IMAGE: 'ignore' })).to.throw(/must be 'fail' or 'skip'/);
    });

    it('a pool reports a file that is not an image, or a truncated JPEG, as corrupt', async () => {
      const file = path.join(broken, 'not-an-image.JPEG');
      fs.writeFileSync(file, 'hello');
      const truncated = path.join(broken, 'truncated.JPEG');
      const whole = fs.readFileSync(path.join(broken, 'train', 'n02_cat', 'y.JPEG'));
      fs.writeFileSync(truncated, whole.subarray(0, whole.length >> 1));
      const pool = new DecodePool(1);
      try {
        for (const f of [file, truncated]) {
          let err: unknown = null;
          await pool.decode(f, null).catch((e) => (err = e));
          expect(err, f).to.be.instanceOf(CorruptImageError);
          expect((err as CorruptImageError).file).to.equal(f);
        }
        expect(await pool.decode(path.join(broken, 'train', 'n03_dog', 'd1.JPEG'), 1)).to.have.length(LEN);
      } finally {
        await pool.close();
      }
    });
  });
});
