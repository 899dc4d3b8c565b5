import { expect } from 'chai';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { DatasetContext } from '@lth/kernel';
import { MnistFamily, type MnistMirror } from '../src';
import { labelOf, listFiles, SMALL_MNIST, smallMnistFiles } from '@lth/testing';

const { train: TRAIN, test: TEST } = SMALL_MNIST;

describe('dataset-mnist downloads', () => {
  const served = new Map<string, Buffer>();
  const md5: Record<string, string> = {};
  for (const [name, data] of Object.entries(smallMnistFiles())) {
    const gz = zlib.gzipSync(data);
    served.set(`/${name}.gz`, gz);
    md5[`${name}.gz`] = createHash('md5').update(gz).digest('hex');
  }
  const requests: string[] = [];
  let server: http.Server;
  let base: string;
  let root: string;
  let ctx: DatasetContext;
  const log: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      const url = (req.url ?? '').replace(/^\/mirror/, '');
      const body = served.get(url);
      if (!body) {
        res.writeHead(404);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-length': body.length });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mirror/`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lth-mnist-dl-'));
    ctx = { datasetRoot: root, setting: () => null, numWorkers: 0, log: (l) => log.push(l) };
    requests.length = 0;
    log.length = 0;
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const family = (mirror: MnistMirror) => new MnistFamily({ sizes: { train: TRAIN, test: TEST }, systemDirs: { fashion_mnist: [] }, mirrors: { mnist: mirror, fashion_mnist: mirror } });

  it('downloads the missing files of a split into <root>/<name>/, verified, then reuses them', async () => {
    const fam = family({ baseUrl: base, md5 });
    const train = await fam.load('mnist', 'train', ctx);
    expect(train.size).to.equal(TRAIN);
    expect(Array.from(train.labels.subarray(0, 5))).to.deep.equal([0, 1, 2, 3, 4].map(labelOf));
    expect(requests.sort()).to.deep.equal(['/mirror/train-images-idx3-ubyte.gz', '/mirror/train-labels-idx1-ubyte.gz']);
    expect(listFiles(root)).to.deep.equal(['mnist/train-images-idx3-ubyte.gz', 'mnist/train-labels-idx1-ubyte.gz']);
    expect(log.join('\n')).to.contain('Downloading MNIST');
    await family({ baseUrl: base, md5 }).load('mnist', 'train', ctx);
    expect(requests.length, 'no second download').to.equal(2);
    await fam.load('fashion_mnist', 'test', ctx);
    expect(listFiles(root)).to.include.members(['fashion_mnist/t10k-images-idx3-ubyte.gz', 'fashion_mnist/t10k-labels-idx1-ubyte.gz']);
  });

  it('refuses a file whose md5 is wrong and leaves nothing behind', async () => {
    const err = await family({ baseUrl: base, md5: { ...md5, 't10k-images-idx3-ubyte.gz': 'f'.repeat(32) } }).load('mnist', 'test', ctx).catch((e: Error) => e);
    expect(err).to.include({ code: 'CHECKSUM_MISMATCH' });
    expect((err as Error).message).to.contain(md5['t10k-images-idx3-ubyte.gz']);
    expect(listFiles(root).filter((f) => f.includes('images'))).to.deep.equal([]);
    expect(listFiles(root).every((f) => !f.includes('.download'))).to.equal(true);
  });

  it('turns a 404 into DATASET_MISSING', async () => {
    const err = await family({ baseUrl: `${base}nothing-here/`, md5 }).load('mnist', 'test', ctx).catch((e: Error) => e);
    expect(err).to.include({ code: 'DATASET_MISSING' });
    expect((err as Error).message).to.contain('HTTP 404');
    expect(listFiles(root)).to.deep.equal([]);
  });

  it('takes the mirror from LTH_FASHION_MNIST_MIRROR, checked against the real md5 table', async () => {
    const fam = new MnistFamily({ sizes: { train: TRAIN, test: TEST }, systemDirs: { fashion_mnist: [] }, env: { LTH_FASHION_MNIST_MIRROR: base.replace(/\/$/, '') } });
    const err = await fam.load('fashion_mnist', 'test', ctx).catch((e: Error) => e);
    expect(requests).to.deep.equal(['/mirror/t10k-images-idx3-ubyte.gz']);
    expect(err).to.include({ code: 'CHECKSUM_MISMATCH' });
    expect((err as Error).message).to.contain('bef4ecab320f06d8554ea6380940ec79');
    expect(listFiles(root)).to.deep.equal([]);
  });
});
