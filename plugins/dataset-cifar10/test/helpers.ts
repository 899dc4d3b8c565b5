import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DatasetContext } from '@lth/kernel';
import { cifarBinaryBatch, cifarImages, cifarLabel, cifarPixel, writeCifar10Binary } from '@lth/testing';

/** The pixel formula of the fixtures (see fixtures/make-fixtures.py), @lth/testing's. */
export const pixel = cifarPixel;
export const label = cifarLabel;

export const TRAIN_EXAMPLES = Array.from({ length: 15 }, (_, i) => i);
export const TEST_EXAMPLES = [100, 101, 102, 103];

/** The fixtures folder (in the source tree, beside the compiled tests' sources). */
export const FIXTURES = path.resolve(__dirname, '../../test/fixtures');

/** Expected HWC bytes of examples `ns`. */
export const expectedImages = cifarImages;

/** One binary-distribution batch file of examples `ns`: label byte + CHW bytes per record. */
export const binaryBatch = cifarBinaryBatch;

/** Writes `cifar-10-batches-bin/` with the fixtures' examples into `dir`. */
export function writeBinaryFolder(dir: string): void {
  writeCifar10Binary(dir, TRAIN_EXAMPLES, TEST_EXAMPLES);
}

/** Copies the Python-distribution fixtures into `dir`. */
export function copyPythonFolder(dir: string): void {
  fs.cpSync(path.join(FIXTURES, 'cifar-10-batches-py'), path.join(dir, 'cifar-10-batches-py'), { recursive: true });
}

export function context(datasetRoot: string, lines: string[] = []): DatasetContext {
  return { datasetRoot, setting: () => null, numWorkers: 0, log: (l) => lines.push(l) };
}
