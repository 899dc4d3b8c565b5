import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { expect } from 'chai';
import { readMaybeGzipped } from '@lth/data';
import { encodeSafetensors, loadSafetensors, LthError, readRegularFileSync } from '../src';

function lthError(f: () => unknown): LthError {
  try {
    f();
  } catch (e) {
    if (e instanceof LthError) return e;
    throw e;
  }
  throw new Error('no error');
}

/** A safetensors file from a header object and a data section, as given. */
function rawSafetensors(header: unknown, data: Uint8Array = new Uint8Array(0)): Buffer {
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(head.length));
  return Buffer.concat([len, head, data]);
}

describe('bounded reads', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lth-bounded-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const problem = { code: 'CORRUPT_FILE', advice: 'Delete it.' } as const;

  it('refuses a symlink to /dev/zero and a FIFO at once, without opening them', function () {
    const zero = path.join(dir, 'checkpoint.safetensors');
    fs.symlinkSync('/dev/zero', zero);
    const t0 = Date.now();
    expect(lthError(() => loadSafetensors(zero)).message).to.match(/is a character device, not a regular file/);
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(lthError(() => readRegularFileSync(fifo, 100, problem)).message).to.match(/is a named pipe \(FIFO\), not a regular file/);
    expect(lthError(() => loadSafetensors(fifo)).code).to.equal('CORRUPT_FILE');
    expect(Date.now() - t0).to.be.below(2000);
  });

  it('refuses a file larger than the limit before reading it', () => {
    const f = path.join(dir, 'big');
    fs.writeFileSync(f, Buffer.alloc(1000));
    expect(readRegularFileSync(f, 1000, problem).length).to.equal(1000);
    expect(lthError(() => readRegularFileSync(f, 999, problem)).message).to.match(/is 1000 bytes, more than the 999 bytes its format allows\. Delete it\./);
  });

  it('stops a gzip bomb at the size the format implies', async function () {
    this.timeout(20000);
    const f = path.join(dir, 'train-images-idx3-ubyte.gz');
    fs.writeFileSync(f, zlib.gzipSync(Buffer.alloc(50 * 1024 * 1024)));
    const before = process.memoryUsage().rss;
    const err = await readMaybeGzipped(f, 'Delete it.', 16 + 1000 * 784).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(LthError);
    expect((err as LthError).code).to.equal('CORRUPT_DATASET');
    expect((err as LthError).message).to.match(/decompresses to more than 784016 bytes, the size its header implies \(a damaged file or a gzip bomb\); lth stopped there\. Delete it\./);
    expect(process.memoryUsage().rss - before).to.be.below(100 * 1024 * 1024);
    const header = Buffer.alloc(16);
    header.writeUInt32BE(0x803, 0);
    header.writeUInt32BE(1000, 4);
    header.writeUInt32BE(28, 8);
    header.writeUInt32BE(28, 12);
    fs.writeFileSync(f, zlib.gzipSync(Buffer.concat([header, Buffer.alloc(20 * 1024 * 1024)])));
    const bound = { headerBytes: 16, max: 16 + 1000 * 784, size: (h: Buffer) => (h.readUInt32BE(4) === 1000 ? 16 + h.readUInt32BE(4) * 784 : null) };
    const byHeader = await readMaybeGzipped(f, 'Delete it.', bound).catch((e: unknown) => e);
    expect((byHeader as LthError).message).to.match(/decompresses to more than 784016 bytes, the size its header implies/);
    header.writeUInt32BE(7, 4);
    fs.writeFileSync(f, zlib.gzipSync(Buffer.concat([header, Buffer.alloc(20 * 1024 * 1024)])));
    expect((await readMaybeGzipped(f, 'x', bound)).equals(header), 'an unexpected header alone, for the parser to report').to.equal(true);
    expect(process.memoryUsage().rss - before).to.be.below(100 * 1024 * 1024);
    const ok = path.join(dir, 'ok.gz');
    fs.writeFileSync(ok, zlib.gzipSync(Buffer.alloc(500, 7)));
    expect((await readMaybeGzipped(ok, 'x', 500)).length).to.equal(500);
  });
});

describe('safetensors reader validation', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lth-st-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function load(bytes: Uint8Array): LthError {
    const f = path.join(dir, 'x.safetensors');
    fs.writeFileSync(f, bytes);
    return lthError(() => loadSafetensors(f));
  }
  const f32 = (n: number) => new Uint8Array(new Float32Array(n).buffer);

  it('reads what it writes', () => {
    const f = path.join(dir, 'ok.safetensors');
    fs.writeFileSync(f, Buffer.concat(encodeSafetensors([['a', { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) }], ['b', { dtype: 'I64', shape: [], data: new Int32Array([5]) }]], { k: 'v' })));
    const r = loadSafetensors(f);
    expect([...(r.tensors.get('a')!.data as Float32Array)]).to.deep.equal([1, 2]);
    expect([...r.tensors.get('b')!.data]).to.deep.equal([5]);
    expect(r.metadata).to.deep.equal({ k: 'v' });
  });

  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['a null header', rawSafetensors(null), /its header is null/],
    ['a header that is a list', rawSafetensors([1]), /not a JSON object/],
    ['a null entry', rawSafetensors({ a: null }), /the entry of a is null/],
    ['null metadata', rawSafetensors({ __metadata__: null }), /__metadata__ is not a map of strings/],
    ['negative offsets', rawSafetensors({ a: { dtype: 'F32', shape: [1], data_offsets: [-4, 0] } }, f32(1)), /data_offsets \[-4,0\], not two non-negative integers/],
    ['fractional offsets', rawSafetensors({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4.5] } }, f32(1)), /not two non-negative integers/],
    ['a negative dimension', rawSafetensors({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32(1)), /shape \[-1\], not a list of non-negative integers/],
    ['an unknown dtype', rawSafetensors({ a: { dtype: 'F16', shape: [1], data_offsets: [0, 2] } }, new Uint8Array(2)), /dtype "F16", not one of/],
    ['offsets that do not fit the shape', rawSafetensors({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, f32(1)), /do not hold 2 values of F32/],
    [
      'overlapping tensors',
      rawSafetensors({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, f32(3)),
      /overlaps another tensor/,
    ],
    ['a gap between tensors', rawSafetensors({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32(2)), /a gap of 4 bytes before the data of a/],
    ['trailing data', rawSafetensors({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(2)), /4 bytes of trailing data/],
    ['truncated data', rawSafetensors({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, f32(1)), /truncated/],
    ['a huge header length', Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]), /header length/],
  ];
  for (const [what, bytes, message] of cases) {
    it(`rejects ${what} as CORRUPT_FILE`, () => {
      const e = load(bytes);
      expect(e.code).to.equal('CORRUPT_FILE');
      expect(e.message).to.match(message);
      expect(e.message).to.match(/is not a valid safetensors file .* Delete it to recompute it/);
    });
  }
});
