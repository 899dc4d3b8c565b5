import type { ImageSource } from '@lth/kernel';
import { LthError, Rng } from '@lth/kernel';
import { ImageBlur, rotateQuarterTurns } from './image-ops';

/**
 * A source that passes images through from another one, with its own labels, an optional
 * index mapping (a subset) and an optional in-place post-processing step on the filled batch.
 * The dataset transformations below are all built from it.
 */
export class DerivedImageSource implements ImageSource {
  readonly size: number;
  readonly imageShape: readonly [number, number, number];

  constructor(
    readonly base: ImageSource,
    readonly labels: Int32Array,
    readonly numClasses: number,
    /** For each example of this source, the index of the base example; null for the identity. */
    readonly baseIndices: Int32Array | null = null,
    private readonly postProcess: ((indices: Int32Array, out: Float32Array) => void) | null = null,
  ) {
    this.size = labels.length;
    this.imageShape = base.imageShape;
    if (baseIndices && baseIndices.length !== labels.length) throw new Error('DerivedImageSource: one base index per label is needed.');
  }

  fill(indices: Int32Array, out: Float32Array, augment: Rng | null): void | Promise<void> {
    let baseIdx = indices;
    if (this.baseIndices) {
      baseIdx = new Int32Array(indices.length);
      for (let k = 0; k < indices.length; k++) {
        const i = indices[k];
        if (!(i >= 0 && i < this.size)) throw new RangeError(`fill: index ${i} is outside 0..${this.size - 1}.`);
        baseIdx[k] = this.baseIndices[i];
      }
    }
    const post = this.postProcess;
    const pending = this.base.fill(baseIdx, out, augment);
    if (!post) return pending;
    if (pending instanceof Promise) return pending.then(() => post(indices, out));
    post(indices, out);
  }

  close(): void | Promise<void> {
    return this.base.close?.();
  }
}

/** The examples OpenLTH's `randomize_labels` and `subsample` pick: the first `ceil(N·fraction)` of one permutation. */
function permutedPrefix(size: number, seed: number, fraction: number): Int32Array {
  const n = Math.ceil(size * fraction);
  return new Rng('permutation', seed + 1).permutation(size).slice(0, n);
}

function checkFraction(flag: string, fraction: number): void {
  if (!(fraction > 0 && fraction <= 1)) throw new LthError('BAD_HPARAM', `--${flag}=${fraction} is invalid: it must be in (0, 1].`);
}

/**
 * OpenLTH's `randomize_labels(seed, fraction)`: `n = ceil(N·fraction)` examples, the first `n`
 * of `Rng('permutation', seed + 1).permutation(N)`, get labels drawn uniformly from the classes
 * by `Rng('random_labels', seed)` (draw `i` goes to the `i`-th picked example). A new label may
 * equal the true one.
 */
export function randomizeLabels(source: ImageSource, seed: number, fraction: number): ImageSource {
  checkFraction('random_labels_fraction', fraction);
  const picked = permutedPrefix(source.size, seed, fraction);
  const rng = new Rng('random_labels', seed);
  const labels = Int32Array.from(source.labels);
  for (let i = 0; i < picked.length; i++) labels[picked[i]] = rng.int(source.numClasses);
  return new DerivedImageSource(source, labels, source.numClasses);
}

/**
 * OpenLTH's `subsample(seed, fraction)`: keeps the first `ceil(N·fraction)` examples of
 * `Rng('permutation', seed + 1).permutation(N)`, in that (permuted) order. It is the same
 * permutation `randomizeLabels` uses, so with both the randomised examples are the first kept
 * (quirk 37, kept).
 */
export function subsample(source: ImageSource, seed: number, fraction: number): ImageSource {
  checkFraction('subsample_fraction', fraction);
  const kept = permutedPrefix(source.size, seed, fraction);
  const labels = new Int32Array(kept.length);
  for (let i = 0; i < kept.length; i++) labels[i] = source.labels[kept[i]];
  return new DerivedImageSource(source, labels, source.numClasses, kept);
}

/**
 * OpenLTH's `blur(blur_factor)`, which OpenLTH itself cannot reach (quirk 35, fixed): each image
 * is resized down to `floor(size / factor)` and back up, bilinear as Pillow does it. It runs on
 * the normalised batch, which equals blurring before normalising because the filter weights sum
 * to one (Pillow's uint8 rounding aside).
 */
export function blur(source: ImageSource, factor: number): ImageSource {
  const [h, w, c] = source.imageShape;
  const blurrer = new ImageBlur(h, w, c, factor);
  const len = h * w * c;
  return new DerivedImageSource(source, source.labels, source.numClasses, null, (indices, out) => {
    for (let k = 0; k < indices.length; k++) blurrer.apply(out, k * len);
  });
}

/**
 * The self-supervised rotation task (`--unsupervised_labels=rotation`): labels become
 * `Rng('rotation', seed)` draws in {0, 1, 2, 3} and each image is rotated counter-clockwise by
 * exactly 90° × label (OpenLTH's `RandomRotation(label*90)` drew a random angle instead: quirk
 * 36, fixed). The rotation is applied to the finished (augmented, normalised) image, so the
 * label always states the image's exact rotation. Square images only.
 */
export function rotationLabels(source: ImageSource, seed: number): ImageSource {
  const [h, w, c] = source.imageShape;
  if (h !== w) throw new LthError('BAD_HPARAM', `--unsupervised_labels=rotation needs square images; this dataset's are ${h}x${w}.`);
  const rng = new Rng('rotation', seed);
  const labels = new Int32Array(source.size);
  for (let i = 0; i < labels.length; i++) labels[i] = rng.int(4);
  const len = h * w * c;
  const scratch = new Float32Array(len);
  return new DerivedImageSource(source, labels, 4, null, (indices, out) => {
    for (let k = 0; k < indices.length; k++) {
      const turns = labels[indices[k]];
      if (turns === 0) continue;
      const at = k * len;
      for (let j = 0; j < len; j++) scratch[j] = out[at + j];
      rotateQuarterTurns(scratch, out, h, c, turns, 0, at);
    }
  });
}
