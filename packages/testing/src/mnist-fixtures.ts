import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

/** Pixel byte `j` of example `i` in the generated IDX image files. */
export const pixelOf = (i: number, j: number): number => (i * 31 + j * 7) % 256;
/** Label of example `i` in the generated IDX label files. */
export const labelOf = (i: number): number => (i * 3) % 10;

/** What a generated IDX3 image file gets wrong on purpose (everything is right by default). */
export interface IdxImagesOptions {
  readonly rows?: number;
  readonly cols?: number;
  readonly magic?: number;
  /** The count the header declares (the file holds `count` images whatever this says). */
  readonly declaredCount?: number;
}

/** What a generated IDX1 label file gets wrong on purpose, and its labels (`labelOf` by default). */
export interface IdxLabelsOptions {
  readonly magic?: number;
  readonly declaredCount?: number;
  readonly label?: (i: number) => number;
}

/** An IDX3 image file in MNIST's format: `count` images of 28×28 bytes `pixelOf(i, j)`. */
export function idxImages(count: number, opts: IdxImagesOptions = {}): Buffer {
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

/** An IDX1 label file in MNIST's format: `count` labels `labelOf(i)`. */
export function idxLabels(count: number, opts: IdxLabelsOptions = {}): Buffer {
  const buf = Buffer.alloc(8 + count);
  buf.writeUInt32BE(opts.magic ?? 0x801, 0);
  buf.writeUInt32BE(opts.declaredCount ?? count, 4);
  for (let i = 0; i < count; i++) buf[8 + i] = (opts.label ?? labelOf)(i);
  return buf;
}

/** The sizes of {@link smallMnistFiles}: 300 training and 100 test images. */
export const SMALL_MNIST = { train: 300, test: 100 } as const;

/** The four files of an MNIST-format dataset with `train` and `test` examples, by base name (without `.gz`). */
export function mnistFiles(train: number, test: number): Record<string, Buffer> {
  return {
    'train-images-idx3-ubyte': idxImages(train),
    'train-labels-idx1-ubyte': idxLabels(train),
    't10k-images-idx3-ubyte': idxImages(test),
    't10k-labels-idx1-ubyte': idxLabels(test),
  };
}

/** A small dataset's four files ({@link SMALL_MNIST} sizes), for a plugin told to expect those sizes. */
export function smallMnistFiles(): Record<string, Buffer> {
  return mnistFiles(SMALL_MNIST.train, SMALL_MNIST.test);
}

/** Files of MNIST's real sizes (60000 training and 10000 test images; the plugin checks them), generated. */
export function fullSizeMnistFiles(): Record<string, Buffer> {
  return mnistFiles(60000, 10000);
}

/** Writes `files` into `dir` (made if needed), gzipped (named with `.gz`) or plain. */
export function writeMnistFiles(dir: string, files: Record<string, Buffer>, gzip: boolean): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(dir, gzip ? `${name}.gz` : name), gzip ? zlib.gzipSync(data) : data);
}
