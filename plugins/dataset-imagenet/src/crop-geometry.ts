import type { Rng } from '@lth/kernel';

/** A rectangle of an image, in pixels: top row, left column, height and width. */
export interface CropBox {
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
}

/** Python's `round(x)` to an integer: halves go to the even neighbour. */
export function pythonRound(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * torchvision's `RandomResizedCrop.get_params` for an image of `width` × `height`: up to 10
 * tries of an area fraction uniform in `scale` and an aspect ratio log-uniform in `ratio`,
 * keeping the first box that fits (its top and left uniform over the positions); otherwise
 * the central crop clamped to `ratio`. The draws are torchvision's, in its order, from `rng`.
 */
export function randomResizedCropBox(width: number, height: number, rng: Rng, scale: readonly [number, number] = [0.1, 1], ratio: readonly [number, number] = [0.8, 1.25]): CropBox {
  const area = width * height;
  const logLo = Math.log(ratio[0]);
  const logHi = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * (scale[0] + (scale[1] - scale[0]) * rng.uniform());
    const aspect = Math.exp(logLo + (logHi - logLo) * rng.uniform());
    const w = pythonRound(Math.sqrt(targetArea * aspect));
    const h = pythonRound(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = rng.int(height - h + 1);
      const left = rng.int(width - w + 1);
      return { top, left, height: h, width: w };
    }
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < Math.min(ratio[0], ratio[1])) {
    h = pythonRound(w / Math.min(ratio[0], ratio[1]));
  } else if (inRatio > Math.max(ratio[0], ratio[1])) {
    w = pythonRound(h * Math.max(ratio[0], ratio[1]));
  }
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

/** torchvision's `Resize(size)` with an int: the shorter side becomes `size`, the longer `int(size · long / short)`. */
export function shorterSideSize(width: number, height: number, size: number): { width: number; height: number } {
  if (width <= height) return { width: size, height: Math.trunc((size * height) / width) };
  return { width: Math.trunc((size * width) / height), height: size };
}

/** torchvision's `CenterCrop(size)` box on an image at least `size` on each side. */
export function centerCropBox(width: number, height: number, size: number): CropBox {
  return { top: pythonRound((height - size) / 2), left: pythonRound((width - size) / 2), height: size, width: size };
}
