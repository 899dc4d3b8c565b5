import type { ImageSource, Rng } from '@lth/kernel';
import { LthError } from '@lth/kernel';

/**
 * Training augmentation of one image, in place. It receives the image as ToTensor gives it
 * (float32 HWC scaled to [0, 1], before Normalize), so padding with 0 is black as in
 * torchvision, and draws all its randomness from `rng`.
 */
export type Augmentation = (image: Float32Array, shape: readonly [number, number, number], rng: Rng) => void;

/** The decoded contents of one split held in memory, and how to normalise it. */
export interface InMemoryImageData {
  /** All images, uint8, `N * H * W * C`, each example HWC. */
  readonly images: Uint8Array;
  /** One label per example. */
  readonly labels: Int32Array;
  readonly imageShape: readonly [number, number, number];
  readonly numClasses: number;
  /** Per-channel mean and standard deviation of torchvision's `Normalize`. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
  /** Applied to each example when the loader asks for augmentation; omit for none. */
  readonly augmentation?: Augmentation | null;
}

/**
 * An `ImageSource` over uint8 images held in memory (MNIST, CIFAR-10). `fill` gathers the
 * requested examples and produces what OpenLTH's `ToTensor()` + `Normalize(mean, std)` give,
 * bit for bit in float32: `(x/255 - mean) / std`, through a 256-entry table per channel.
 * With augmentation on, each example is scaled to [0, 1] in a scratch buffer, augmented, then
 * normalised. No allocation per example.
 */
export class InMemoryImageSource implements ImageSource {
  readonly size: number;
  readonly numClasses: number;
  readonly imageShape: readonly [number, number, number];
  readonly labels: Int32Array;
  readonly augmentation: Augmentation | null;
  private readonly images: Uint8Array;
  private readonly exampleLength: number;
  private readonly normalizeTable: Float32Array;
  private readonly toTensorTable: Float32Array;
  private readonly mean32: Float32Array;
  private readonly std32: Float32Array;
  private readonly scratch: Float32Array;

  constructor(data: InMemoryImageData) {
    const [h, w, c] = data.imageShape;
    this.exampleLength = h * w * c;
    this.size = data.labels.length;
    if (data.images.length !== this.size * this.exampleLength) {
      throw new LthError('CORRUPT_DATASET', `Dataset arrays disagree: ${data.images.length} image bytes for ${this.size} labels of shape ${h}x${w}x${c}.`);
    }
    if (data.mean.length !== c || data.std.length !== c) {
      throw new Error(`InMemoryImageSource: mean and std need ${c} entries (one per channel).`);
    }
    this.images = data.images;
    this.labels = data.labels;
    this.imageShape = [h, w, c];
    this.numClasses = data.numClasses;
    this.augmentation = data.augmentation ?? null;
    this.mean32 = Float32Array.from(data.mean);
    this.std32 = Float32Array.from(data.std);
    this.toTensorTable = new Float32Array(256);
    for (let v = 0; v < 256; v++) this.toTensorTable[v] = v / 255;
    this.normalizeTable = new Float32Array(256 * c);
    for (let ch = 0; ch < c; ch++) {
      for (let v = 0; v < 256; v++) {
        this.normalizeTable[ch * 256 + v] = Math.fround(this.toTensorTable[v] - this.mean32[ch]) / this.std32[ch];
      }
    }
    this.scratch = new Float32Array(this.exampleLength);
  }

  fill(indices: Int32Array, out: Float32Array, augment: Rng | null): void {
    const len = this.exampleLength;
    const c = this.imageShape[2];
    const img = this.images;
    const n = indices.length;
    if (out.length < n * len) throw new Error(`fill: output holds ${out.length} floats, needs ${n * len}.`);
    if (augment && this.augmentation) {
      this.fillAugmented(indices, out, augment);
      return;
    }
    const table = this.normalizeTable;
    for (let k = 0; k < n; k++) {
      const idx = indices[k];
      if (!(idx >= 0 && idx < this.size)) throw new RangeError(`fill: index ${idx} is outside 0..${this.size - 1}.`);
      const src = idx * len;
      const dst = k * len;
      if (c === 1) {
        for (let j = 0; j < len; j++) out[dst + j] = table[img[src + j]];
      } else {
        for (let j = 0; j < len; j += c) {
          for (let ch = 0; ch < c; ch++) out[dst + j + ch] = table[ch * 256 + img[src + j + ch]];
        }
      }
    }
  }

  private fillAugmented(indices: Int32Array, out: Float32Array, rng: Rng): void {
    const len = this.exampleLength;
    const c = this.imageShape[2];
    const img = this.images;
    const scratch = this.scratch;
    const toTensor = this.toTensorTable;
    const augmentation = this.augmentation!;
    for (let k = 0; k < indices.length; k++) {
      const idx = indices[k];
      if (!(idx >= 0 && idx < this.size)) throw new RangeError(`fill: index ${idx} is outside 0..${this.size - 1}.`);
      const src = idx * len;
      for (let j = 0; j < len; j++) scratch[j] = toTensor[img[src + j]];
      augmentation(scratch, this.imageShape, rng);
      const dst = k * len;
      for (let j = 0; j < len; j += c) {
        for (let ch = 0; ch < c; ch++) out[dst + j + ch] = Math.fround(scratch[j + ch] - this.mean32[ch]) / this.std32[ch];
      }
    }
  }
}
