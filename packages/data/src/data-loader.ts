import type { ImageSource } from '@lth/kernel';
import { LthError, Rng } from '@lth/kernel';

/** One mini-batch: normalised images (float32 NHWC) and their integer labels. */
export interface Batch {
  /** `size * H * W * C` floats, NHWC. */
  readonly images: Float32Array;
  readonly labels: Int32Array;
  /** Examples in this batch (the last batch of an epoch may be smaller). */
  readonly size: number;
  /** `[size, H, W, C]`. */
  readonly shape: [number, number, number, number];
}

/** How a `DataLoader` batches. */
export interface DataLoaderOptions {
  /** Ask the source for training augmentation (seeded per batch). Default false. */
  readonly augment?: boolean;
  /**
   * Reuse one images/labels buffer for every batch of an epoch. Only safe when the consumer is
   * done with a batch (has copied it into a tensor) before asking for the next; tfjs' CPU
   * backend keeps a reference to the array `tf.tensor` is given, so the default is a fresh
   * buffer per batch.
   */
  readonly reuseBuffers?: boolean;
}

/**
 * OpenLTH's `DataLoader` (spec §6.1) over an `ImageSource`: batches of `batchSize` with the
 * last partial batch kept (no `drop_last`), so `iterationsPerEpoch = ceil(size / batchSize)`.
 *
 * `epoch(orderSeed)` yields one epoch. With `orderSeed === null` the order is sequential (the
 * test set); otherwise it is `new Rng('data_order', orderSeed).permutation(size)`. With
 * augmentation on, batch `b` draws its randomness from `new Rng('augment', orderSeed, b)`, so
 * a batch depends only on (orderSeed, b): `epoch(seed, skip)` skips the first `skip` batches
 * without producing their images (a fast resume mid-epoch, quirk 17 fixed) and still yields
 * exactly the batches an unskipped epoch yields from there on.
 */
export class DataLoader {
  readonly iterationsPerEpoch: number;
  readonly augment: boolean;
  private readonly reuseBuffers: boolean;

  constructor(
    readonly source: ImageSource,
    readonly batchSize: number,
    options: DataLoaderOptions = {},
  ) {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new LthError('BAD_HPARAM', `--batch_size=${batchSize} is invalid: it must be a positive integer.`);
    this.iterationsPerEpoch = Math.ceil(source.size / batchSize);
    this.augment = options.augment ?? false;
    this.reuseBuffers = options.reuseBuffers ?? false;
  }

  /** The example order of an epoch: sequential for `null`, else the seeded permutation. */
  order(orderSeed: number | string | null): Int32Array {
    if (orderSeed === null) {
      const seq = new Int32Array(this.source.size);
      for (let i = 0; i < seq.length; i++) seq[i] = i;
      return seq;
    }
    return new Rng('data_order', orderSeed).permutation(this.source.size);
  }

  /** One epoch of batches, from batch `skip` on. */
  async *epoch(orderSeed: number | string | null, skip = 0): AsyncGenerator<Batch> {
    if (!Number.isInteger(skip) || skip < 0) throw new Error(`DataLoader.epoch: skip must be a non-negative integer, got ${skip}.`);
    const order = this.order(orderSeed);
    const [h, w, c] = this.source.imageShape;
    const exampleLength = h * w * c;
    const sourceLabels = this.source.labels;
    let images: Float32Array | null = null;
    let labels: Int32Array | null = null;
    for (let b = skip; b < this.iterationsPerEpoch; b++) {
      const start = b * this.batchSize;
      const size = Math.min(this.batchSize, order.length - start);
      const indices = order.subarray(start, start + size);
      if (this.reuseBuffers && images && labels) {
        if (images.length !== size * exampleLength) {
          images = images.subarray(0, size * exampleLength);
          labels = labels.subarray(0, size);
        }
      } else {
        images = new Float32Array(size * exampleLength);
        labels = new Int32Array(size);
      }
      for (let k = 0; k < size; k++) labels[k] = sourceLabels[indices[k]];
      const rng = this.augment ? new Rng('augment', orderSeed ?? 'sequential', b) : null;
      const pending = this.source.fill(indices, images, rng);
      if (pending) await pending;
      yield { images, labels: labels!, size, shape: [size, h, w, c] };
    }
  }
}
