import * as fs from 'node:fs';
import * as path from 'node:path';

/** The byte of channel `c` at row `y`, column `x` of synthetic CIFAR-10 example `n`. */
export const cifarPixel = (n: number, c: number, y: number, x: number): number => (n * 37 + c * 101 + y * 7 + x * 3) % 256;

/** The label of synthetic CIFAR-10 example `n`. */
export const cifarLabel = (n: number): number => (n * 7 + 3) % 10;

/** The HWC bytes of synthetic examples `ns`, as a CIFAR-10 dataset should decode them. */
export function cifarImages(ns: readonly number[]): Uint8Array {
  const out = new Uint8Array(ns.length * 3072);
  ns.forEach((n, k) => {
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) for (let c = 0; c < 3; c++) out[k * 3072 + (y * 32 + x) * 3 + c] = cifarPixel(n, c, y, x);
  });
  return out;
}

/** One batch file of CIFAR-10's binary distribution holding examples `ns`: a label byte and CHW bytes per record. */
export function cifarBinaryBatch(ns: readonly number[]): Buffer {
  const out = Buffer.alloc(ns.length * 3073);
  ns.forEach((n, k) => {
    out[k * 3073] = cifarLabel(n);
    for (let c = 0; c < 3; c++) for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) out[k * 3073 + 1 + c * 1024 + y * 32 + x] = cifarPixel(n, c, y, x);
  });
  return out;
}

/**
 * Writes `<dir>/cifar-10-batches-bin/` as CIFAR-10's binary distribution lays it out: the
 * synthetic examples `train` split over `data_batch_1.bin` .. `data_batch_5.bin` in order, and
 * `test` in `test_batch.bin`.
 */
export function writeCifar10Binary(dir: string, train: readonly number[], test: readonly number[]): void {
  const d = path.join(dir, 'cifar-10-batches-bin');
  fs.mkdirSync(d, { recursive: true });
  const per = Math.ceil(train.length / 5);
  for (let b = 1; b <= 5; b++) fs.writeFileSync(path.join(d, `data_batch_${b}.bin`), cifarBinaryBatch(train.slice(per * (b - 1), per * b)));
  fs.writeFileSync(path.join(d, 'test_batch.bin'), cifarBinaryBatch(test));
}
