import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

/** Pixel byte `j` of example `i` in the generated files. */
export const pixelOf = (i: number, j: number): number => (i * 31 + j * 7) % 256;
/** Label of example `i` in the generated files. */
export const labelOf = (i: number): number => (i * 3) % 10;

/** An IDX3 image file in the real format; `rows`/`cols`/`magic` may be wrong on purpose. */
export function idxImages(count: number, opts: { rows?: number; cols?: number; magic?: number; declaredCount?: number } = {}): Buffer {
  const rows = opts.rows ?? 28;
  const cols = opts.cols ?? 28;
  const buf = Buffer.alloc(16 + count * rows * cols);
  buf.writeUInt32BE(opts.magic ?? 0x803, 0);
  buf.writeUInt32BE(opts.declaredCount ?? count, 4);
  buf.writeUInt32BE(rows, 8);
  buf.writeUInt32BE(cols, 12);
  const len = rows * cols;
  for (let i = 0; i < count; i++) for (let j = 0; j < len; j++) buf[16 + i * len + j] = pixelOf(i, j);
  return buf;
}

/** An IDX1 label file. */
export function idxLabels(count: number, opts: { magic?: number; declaredCount?: number; label?: (i: number) => number } = {}): Buffer {
  const buf = Buffer.alloc(8 + count);
  buf.writeUInt32BE(opts.magic ?? 0x801, 0);
  buf.writeUInt32BE(opts.declaredCount ?? count, 4);
  for (let i = 0; i < count; i++) buf[8 + i] = (opts.label ?? labelOf)(i);
  return buf;
}

export const TRAIN = 300;
export const TEST = 100;

/** The four files of a small dataset, by base name (without `.gz`). */
export function smallDataset(): Record<string, Buffer> {
  return {
    'train-images-idx3-ubyte': idxImages(TRAIN),
    'train-labels-idx1-ubyte': idxLabels(TRAIN),
    't10k-images-idx3-ubyte': idxImages(TEST),
    't10k-labels-idx1-ubyte': idxLabels(TEST),
  };
}

/** Writes `files` into `dir`, gzipped (with `.gz`) or plain. */
export function writeDataset(dir: string, files: Record<string, Buffer>, gzip: boolean): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(dir, gzip ? `${name}.gz` : name), gzip ? zlib.gzipSync(data) : data);
}

/** Every file under `dir`, relative, sorted. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}
