import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DatasetHparams, Registry } from '@lth/kernel';
import { DataLoader, iterationsPerEpoch, loadSplit } from '@lth/data';
import { emptyRegistry } from '@lth/testing';
import { MnistFamily } from '../src';

const DEBIAN_DIR = '/usr/share/datasets/fashion-mnist';

describe("dataset-mnist on Debian's real Fashion-MNIST", function () {
  this.timeout(120_000);
  let root: string;
  before(() => {
    expect(fs.existsSync(path.join(DEBIAN_DIR, 'train-images-idx3-ubyte.gz')), `Fashion-MNIST is not installed in ${DEBIAN_DIR}: run apt-get install dataset-fashion-mnist`).to.equal(true);
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lth-fashion-'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('loads 60000 + 10000 images with balanced labels and batches a full epoch quickly', async () => {
    const reg = emptyRegistry();
    const family = new MnistFamily({ mirrors: { fashion_mnist: { baseUrl: 'http://127.0.0.1:1/', md5: {} } } });
    reg.add('dataset', 'fashion_mnist', family);
    const ctx = { datasetRoot: root, setting: () => null, numWorkers: 0, log: () => undefined };
    const hp = DatasetHparams.create({ dataset_name: 'fashion_mnist', batch_size: 128 });
    const train = await loadSplit(hp, 'train', ctx, reg);
    const test = await loadSplit(hp, 'test', ctx, reg);
    expect([train.size, test.size]).to.deep.equal([60000, 10000]);
    const counts = (labels: Int32Array) => Array.from({ length: 10 }, (_, c) => labels.filter((l) => l === c).length);
    expect(counts(train.labels)).to.deep.equal(new Array(10).fill(6000));
    expect(counts(test.labels)).to.deep.equal(new Array(10).fill(1000));
    expect(Array.from(train.labels.subarray(0, 6))).to.deep.equal([9, 0, 0, 3, 0, 2]);
    expect(Array.from(test.labels.subarray(0, 6))).to.deep.equal([9, 2, 1, 1, 6, 1]);

    const first = new Float32Array(784);
    await test.fill(Int32Array.of(0), first, null);
    expect(first[14 * 28 + 6] * 0.3081 + 0.1307).to.be.closeTo(2 / 255, 1e-6);
    expect(first[14 * 28 + 12] * 0.3081 + 0.1307).to.be.closeTo(0x62 / 255, 1e-6);

    const loader = new DataLoader(train, 128, { augment: true });
    expect(loader.iterationsPerEpoch).to.equal(iterationsPerEpoch(hp, family.info('fashion_mnist')));
    const started = process.hrtime.bigint();
    let batches = 0;
    let seen = 0;
    let sum = 0;
    for await (const b of loader.epoch(0)) {
      batches++;
      seen += b.size;
      for (let i = 0; i < b.images.length; i += 97) sum += b.images[i];
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    expect([batches, seen]).to.deep.equal([469, 60000]);
    const meanPixel = (sum / Math.ceil((60000 * 784) / 97)) * 0.3081 + 0.1307;
    expect(meanPixel).to.be.closeTo(0.286, 0.01);
    expect(seconds, 'a full epoch of batching').to.be.lessThan(5);
  });
});
