import { expect } from 'chai';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { downloadFile, isGzip, readMaybeGzipped } from '../src';

describe('data: downloadFile', () => {
  const body = Buffer.from('0123456789'.repeat(5000));
  const md5 = createHash('md5').update(body).digest('hex');
  const sha256 = createHash('sha256').update(body).digest('hex');
  let server: http.Server;
  let base: string;
  let dir: string;
  const requests: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === '/file') {
        res.writeHead(200, { 'content-length': body.length });
        res.end(body);
      } else if (req.url === '/moved') {
        res.writeHead(302, { location: '/file' });
        res.end();
      } else if (req.url === '/loop') {
        res.writeHead(301, { location: '/loop' });
        res.end();
      } else if (req.url === '/cut') {
        res.writeHead(200, { 'content-length': body.length });
        res.write(body.subarray(0, 1000), () => res.destroy());
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lth-dl-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('downloads, verifies md5 and sha256, and follows redirects', async () => {
    await downloadFile(`${base}/file`, path.join(dir, 'a', 'f.bin'), { md5, sha256 });
    expect(fs.readFileSync(path.join(dir, 'a', 'f.bin')).equals(body)).to.equal(true);
    await downloadFile(`${base}/moved`, path.join(dir, 'g.bin'), { md5: md5.toUpperCase() });
    expect(fs.readFileSync(path.join(dir, 'g.bin')).equals(body)).to.equal(true);
    expect(fs.readdirSync(dir).sort()).to.deep.equal(['a', 'g.bin']);
  });

  it('discards a download whose checksum does not match', async () => {
    const err = await downloadFile(`${base}/file`, path.join(dir, 'f.bin'), { md5: '0'.repeat(32) }).catch((e: Error) => e);
    expect(err).to.include({ code: 'CHECKSUM_MISMATCH' });
    expect((err as Error).message).to.contain(md5);
    expect(fs.readdirSync(dir)).to.deep.equal([]);
    const err2 = await downloadFile(`${base}/file`, path.join(dir, 'f.bin'), { md5, sha256: 'ab'.repeat(32) }).catch((e: Error) => e);
    expect(err2).to.include({ code: 'CHECKSUM_MISMATCH' });
    expect(fs.readdirSync(dir)).to.deep.equal([]);
  });

  it('reports HTTP errors, redirect loops, cut connections and refused connections as DOWNLOAD_FAILED, leaving nothing', async () => {
    for (const url of [`${base}/missing`, `${base}/loop`, `${base}/cut`, 'http://127.0.0.1:1/file', 'ftp://example.org/x', 'not a url']) {
      const err = await downloadFile(url, path.join(dir, 'f.bin')).catch((e: Error) => e);
      expect(err, url).to.include({ code: 'DOWNLOAD_FAILED' });
      expect(fs.readdirSync(dir), url).to.deep.equal([]);
    }
    const err = await downloadFile(`${base}/missing`, path.join(dir, 'f.bin')).catch((e: Error) => e);
    expect((err as Error).message).to.contain('HTTP 404');
  });
});

describe('data: gzip', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lth-gz-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads plain and gzipped files by their magic bytes', async () => {
    const data = Buffer.from('hello world '.repeat(100));
    const gz = zlib.gzipSync(data);
    expect([isGzip(gz), isGzip(data), isGzip(new Uint8Array([0x1f]))]).to.deep.equal([true, false, false]);
    fs.writeFileSync(path.join(dir, 'plain'), data);
    fs.writeFileSync(path.join(dir, 'named-plain-but-gzipped'), gz);
    expect((await readMaybeGzipped(path.join(dir, 'plain'), '')).equals(data)).to.equal(true);
    expect((await readMaybeGzipped(path.join(dir, 'named-plain-but-gzipped'), '')).equals(data)).to.equal(true);
  });

  it('names a truncated gzip file as CORRUPT_DATASET with the advice', async () => {
    const gz = zlib.gzipSync(Buffer.alloc(100000, 7));
    fs.writeFileSync(path.join(dir, 'x.gz'), gz.subarray(0, gz.length - 20));
    const err = await readMaybeGzipped(path.join(dir, 'x.gz'), 'Delete it.').catch((e: Error) => e);
    expect(err).to.include({ code: 'CORRUPT_DATASET' });
    expect((err as Error).message).to.match(/x\.gz .*Delete it\./);
  });
});
