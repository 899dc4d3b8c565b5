import { LthError, type ImageSource, type Rng } from '@lth/kernel';
import { CorruptImageError, IMAGENET_SIZE } from './decode';
import { DecodePool, MainThreadDecoder, type ImageDecoder } from './decode-pool';
import { examplePath, type ImageFolderListing } from './image-folder';

/** ImageNet's per-channel mean and std (`Normalize` in OpenLTH's pipeline). */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/** How an `ImagenetImageSource` decodes and what it does with files it cannot decode. */
export interface ImagenetSourceOptions {
  /** Training augmentation when `fill` is given a generator (else the evaluation transform). */
  readonly augment: boolean;
  /** Worker threads for decoding; 0 decodes on the main thread. */
  readonly numWorkers: number;
  /** `fail`: a corrupt file stops with an error naming it; `skip`: another image of its class is used. */
  readonly onCorruptImage: 'fail' | 'skip';
  readonly log: (line: string) => void;
}

/**
 * One ImageNet split as an `ImageSource`: labels in memory, images decoded per batch from
 * their files (`decodeExample`), in `numWorkers` worker threads or on the main thread, then
 * normalised (`(x/255 - mean) / std`). Each example's augmentation seed is drawn in batch
 * order from the generator `fill` is given, so a batch is the same whichever thread decodes
 * which file. Workers start at the first `fill`; `close()` stops them.
 */
export class ImagenetImageSource implements ImageSource {
  readonly size: number;
  readonly numClasses: number;
  readonly imageShape = [IMAGENET_SIZE, IMAGENET_SIZE, 3] as const;
  readonly labels: Int32Array;
  private decoder: ImageDecoder | null = null;
  private readonly normalizeTable: Float32Array;
  private readonly classStart: Int32Array;
  private readonly corrupt = new Set<number>();

  constructor(
    readonly listing: ImageFolderListing,
    private readonly options: ImagenetSourceOptions,
  ) {
    this.labels = listing.labels;
    this.size = listing.labels.length;
    this.numClasses = listing.classes.length;
    this.normalizeTable = new Float32Array(256 * 3);
    for (let c = 0; c < 3; c++) {
      for (let v = 0; v < 256; v++) this.normalizeTable[c * 256 + v] = Math.fround(Math.fround(v / 255) - Math.fround(IMAGENET_MEAN[c])) / Math.fround(IMAGENET_STD[c]);
    }
    this.classStart = new Int32Array(this.numClasses + 1).fill(-1);
    for (let i = this.size - 1; i >= 0; i--) this.classStart[this.labels[i]] = i;
    this.classStart[this.numClasses] = this.size;
    for (let c = this.numClasses - 1; c >= 0; c--) if (this.classStart[c] < 0) this.classStart[c] = this.classStart[c + 1];
  }

  async fill(indices: Int32Array, out: Float32Array, augment: Rng | null): Promise<void> {
    const len = IMAGENET_SIZE * IMAGENET_SIZE * 3;
    if (out.length < indices.length * len) throw new Error(`fill: output holds ${out.length} floats, needs ${indices.length * len}.`);
    const seeds = Array.from(indices, (i) => {
      if (!(i >= 0 && i < this.size)) throw new RangeError(`fill: index ${i} is outside 0..${this.size - 1}.`);
      return augment && this.options.augment ? augment.int(2 ** 32) : null;
    });
    const decoder = this.decoderStarted();
    await Promise.all(
      Array.from(indices, async (index, k) => {
        const image = await this.decodeOrReplace(decoder, index, seeds[k]);
        const table = this.normalizeTable;
        const at = k * len;
        for (let j = 0; j < len; j += 3) {
          out[at + j] = table[image[j]];
          out[at + j + 1] = table[256 + image[j + 1]];
          out[at + j + 2] = table[512 + image[j + 2]];
        }
      }),
    );
  }

  async close(): Promise<void> {
    const d = this.decoder;
    this.decoder = null;
    await d?.close();
  }

  private decoderStarted(): ImageDecoder {
    if (!this.decoder) this.decoder = this.options.numWorkers > 0 ? new DecodePool(this.options.numWorkers) : new MainThreadDecoder();
    return this.decoder;
  }

  /** Decodes example `index`; in `skip` mode a corrupt file gives way to the next file of its class. */
  private async decodeOrReplace(decoder: ImageDecoder, index: number, seed: number | null): Promise<Uint8Array> {
    const label = this.labels[index];
    const start = this.classStart[label];
    const count = this.classStart[label + 1] - start;
    let i = index;
    for (let attempt = 0; attempt < count; attempt++, i = start + ((i - start + 1) % count)) {
      if (this.corrupt.has(i)) continue;
      try {
        return await decoder.decode(examplePath(this.listing, i), seed);
      } catch (e) {
        if (!(e instanceof CorruptImageError)) throw e;
        if (this.options.onCorruptImage !== 'skip') {
          throw new LthError('CORRUPT_IMAGE', `Cannot decode ${e.file} (${e.reason}). Replace or delete the file, or set platform.onCorruptImage: 'skip' in lth.config.ts (or LTH_ON_CORRUPT_IMAGE=skip) to use another image of its class in its place.`);
        }
        if (!this.corrupt.has(i)) {
          this.corrupt.add(i);
          this.options.log(`Skipping ${e.file}: cannot decode it (${e.reason}); another image of class ${this.listing.classes[label]} takes its place.`);
        }
      }
    }
    throw new LthError('CORRUPT_DATASET', `No image of class ${this.listing.classes[label]} in ${this.listing.dir} can be decoded.`);
  }
}
