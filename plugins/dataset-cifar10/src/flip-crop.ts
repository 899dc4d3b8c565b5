import type { Rng } from '@lth/kernel';
import type { Augmentation } from '@lth/data';

/**
 * torchvision's `RandomHorizontalFlip(p=0.5)` followed by `RandomCrop(size, padding)` on one
 * HWC image as `ToTensor` gives it (values in [0, 1]), for square images of side `size`. The
 * draws are torchvision's, in its order: one uniform for the flip (flip when below 0.5), then
 * the crop's top and left, each uniform in `0..2·padding`. The image is padded with 0 (black,
 * as the PIL image is padded before `ToTensor` and `Normalize`) and cropped back to its size.
 * The returned function keeps one scratch buffer; it is not reentrant.
 */
export function flipAndCrop(padding: number): Augmentation {
  let scratch = new Float32Array(0);
  return (image: Float32Array, shape: readonly [number, number, number], rng: Rng): void => {
    const [h, w, c] = shape;
    const flip = rng.uniform() < 0.5;
    const top = rng.int(2 * padding + 1) - padding;
    const left = rng.int(2 * padding + 1) - padding;
    if (!flip && top === 0 && left === 0) return;
    if (scratch.length !== image.length) scratch = new Float32Array(image.length);
    scratch.set(image);
    for (let y = 0; y < h; y++) {
      const sy = y + top;
      for (let x = 0; x < w; x++) {
        const px = x + left;
        const d = (y * w + x) * c;
        if (sy < 0 || sy >= h || px < 0 || px >= w) {
          for (let ch = 0; ch < c; ch++) image[d + ch] = 0;
          continue;
        }
        const sx = flip ? w - 1 - px : px;
        const s = (sy * w + sx) * c;
        for (let ch = 0; ch < c; ch++) image[d + ch] = scratch[s + ch];
      }
    }
  };
}
