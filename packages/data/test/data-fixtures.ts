import type { DatasetContext, DatasetFamily, DatasetInfo, ImageSource } from '@lth/kernel';
import { InMemoryImageSource, type Augmentation } from '../src';

/** A toy in-memory split: example `i` has every pixel byte `(i * 7 + j) % 256` and label `i % classes`. */
export function toySource(size: number, shape: [number, number, number] = [4, 4, 1], classes = 10, augmentation?: Augmentation): InMemoryImageSource {
  const len = shape[0] * shape[1] * shape[2];
  const images = new Uint8Array(size * len);
  for (let i = 0; i < size; i++) for (let j = 0; j < len; j++) images[i * len + j] = (i * 7 + j) % 256;
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) labels[i] = i % classes;
  const c = shape[2];
  return new InMemoryImageSource({ images, labels, imageShape: shape, numClasses: classes, mean: new Array(c).fill(0), std: new Array(c).fill(1), augmentation });
}

/** Decodes the example index back from a toy image filled with mean 0 and std 1 (first byte = i*7 mod 256). */
export function toyIndexOf(images: Float32Array, k: number, len: number, size: number): number {
  const first = Math.round(images[k * len] * 255);
  for (let i = 0; i < size; i++) if ((i * 7) % 256 === first) return i;
  return -1;
}

/** A dataset family serving toy splits, recording how it was asked. */
export class ToyFamily implements DatasetFamily {
  readonly calls: Array<{ name: string; split: string; augment: boolean }> = [];
  constructor(private readonly train = 100, private readonly test = 20, private readonly shape: [number, number, number] = [4, 4, 1]) {}
  info(): DatasetInfo {
    return { numTrainExamples: this.train, numTestExamples: this.test, numClasses: 10, imageShape: this.shape };
  }
  async load(name: string, split: 'train' | 'test', _ctx: DatasetContext, augment: boolean): Promise<ImageSource> {
    this.calls.push({ name, split, augment });
    return toySource(split === 'train' ? this.train : this.test, this.shape);
  }
}

export const quietContext: DatasetContext = { datasetRoot: '/nonexistent', setting: () => null, numWorkers: 0, log: () => undefined };
