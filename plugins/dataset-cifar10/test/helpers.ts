import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DatasetContext } from '@lth/kernel';

/** The pixel formula of the fixtures (see fixtures/make-fixtures.py). */
export const pixel = (n: number, c: number, y: number, x: number): number => (n * 37 + c * 101 + y * 7 + x * 3) % 256;
export const label = (n: number): number => (n * 7 + 3) % 10;

export const TRAIN_EXAMPLES = Array.from({ length: 15 }, (_, i) => i);
export const TEST_EXAMPLES = [100, 101, 102, 103];

/** The fixtures folder (in the source tree, beside the compiled tests' sources). */
export const FIXTURES = path.resolve(__dirname, '../../test/fixtures');

/** Expected HWC bytes of examples `ns`. */
export function expectedImages(ns: readonly number[]): Uint8Array {
  const out = new Uint8Array(ns.length * 3072);
  ns.forEach((n, k) => {
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) for (let c = 0; c < 3; c++) out[k * 3072 + (y * 32 + x) * 3 + c] = pixel(n, c, y, x);
  });
  return out;
}

/** One binary-distribution batch file of examples `ns`: label byte + CHW bytes per record. */
export function binaryBatch(ns: readonly number[]): Buffer {
  const out = Buffer.alloc(ns.length * 3073);
  ns.forEach((n, k) => {
    out[k * 3073] = label(n);
    for (let c = 0; c < 3; c++) for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) out[k * 3073 + 1 + c * 1024 + y * 32 + x] = pixel(n, c, y, x);
  });
  return out;
}

/** Writes `cifar-10-batches-bin/` with the fixtures' examples into `dir`. */
export function writeBinaryFolder(dir: string): void {
  const d = path.join(dir, 'cifar-10-batches-bin');
  fs.mkdirSync(d, { recursive: true });
  for (let b = 1; b <= 5; b++) fs.writeFileSync(path.join(d, `data_batch_${b}.bin`), binaryBatch(TRAIN_EXAMPLES.slice(3 * (b - 1), 3 * b)));
  fs.writeFileSync(path.join(d, 'test_batch.bin'), binaryBatch(TEST_EXAMPLES));
}

/** Copies the Python-distribution fixtures into `dir`. */
export function copyPythonFolder(dir: string): void {
  fs.cpSync(path.join(FIXTURES, 'cifar-10-batches-py'), path.join(dir, 'cifar-10-batches-py'), { recursive: true });
}

export function context(datasetRoot: string, lines: string[] = []): DatasetContext {
  return { datasetRoot, setting: () => null, numWorkers: 0, log: (l) => lines.push(l) };
}
