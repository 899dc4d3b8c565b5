import { LthError } from '@lth/kernel';

/**
 * Rotates a square HWC image counter-clockwise by `quarterTurns` × 90° (numpy's `rot90`,
 * PIL's `rotate(90 * k)`), exactly: pixels move, nothing is interpolated. Reads the image at
 * `src[srcOffset..]` and writes it at `dst[dstOffset..]`; the two must not overlap.
 */
export function rotateQuarterTurns(src: Float32Array, dst: Float32Array, size: number, channels: number, quarterTurns: number, srcOffset = 0, dstOffset = 0): void {
  const n = size;
  const c = channels;
  const k = ((quarterTurns % 4) + 4) % 4;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let si: number;
      let sj: number;
      if (k === 0) {
        si = i;
        sj = j;
      } else if (k === 1) {
        si = j;
        sj = n - 1 - i;
      } else if (k === 2) {
        si = n - 1 - i;
        sj = n - 1 - j;
      } else {
        si = n - 1 - j;
        sj = i;
      }
      const d = dstOffset + (i * n + j) * c;
      const s = srcOffset + (si * n + sj) * c;
      for (let ch = 0; ch < c; ch++) dst[d + ch] = src[s + ch];
    }
  }
}

/** Resampling weights from `inSize` samples to `outSize`: per output, the first input and `ksize` weights. */
interface ResampleCoefficients {
  readonly ksize: number;
  readonly first: Int32Array;
  readonly count: Int32Array;
  readonly weights: Float64Array;
}

function triangle(x: number): number {
  const a = x < 0 ? -x : x;
  return a < 1 ? 1 - a : 0;
}

/** Pillow's `precompute_coeffs` for the bilinear filter (antialiased when shrinking). */
function bilinearCoefficients(inSize: number, outSize: number): ResampleCoefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const w = triangle((x + xmin - center + 0.5) / filterScale);
      weights[xx * ksize + x] = w;
      total += w;
    }
    if (total !== 0) for (let x = 0; x < xmax; x++) weights[xx * ksize + x] /= total;
    first[xx] = xmin;
    count[xx] = xmax;
  }
  return { ksize, first, count, weights };
}

/**
 * Bilinear resizing of HWC float images the way Pillow's `Image.resize(size, BILINEAR)` (and so
 * torchvision's `Resize` on PIL images) computes it: a triangle filter widened by the scale
 * when shrinking (antialiasing), horizontal pass then vertical pass. Pillow rounds to uint8
 * after each pass for 8-bit images; this keeps floats. Coefficients and the scratch buffer
 * are computed once per shape.
 */
export class BilinearResize {
  private readonly horizontal: ResampleCoefficients;
  private readonly vertical: ResampleCoefficients;
  private readonly scratch: Float32Array;

  constructor(
    readonly inHeight: number,
    readonly inWidth: number,
    readonly outHeight: number,
    readonly outWidth: number,
    readonly channels: number,
  ) {
    if (![inHeight, inWidth, outHeight, outWidth, channels].every((v) => Number.isInteger(v) && v > 0)) {
      throw new LthError('BAD_RESIZE', `Cannot resize ${inHeight}x${inWidth} to ${outHeight}x${outWidth}: sizes must be positive integers.`);
    }
    this.horizontal = bilinearCoefficients(inWidth, outWidth);
    this.vertical = bilinearCoefficients(inHeight, outHeight);
    this.scratch = new Float32Array(inHeight * outWidth * channels);
  }

  /** Resizes the image at `src[srcOffset..]` (inHeight × inWidth × C) into `dst[dstOffset..]` (outHeight × outWidth × C); `src` and `dst` must be distinct arrays. */
  apply(src: Float32Array, dst: Float32Array, srcOffset = 0, dstOffset = 0): void {
    const c = this.channels;
    const { ksize: kh, first: fh, count: nh, weights: wh } = this.horizontal;
    const tmp = this.scratch;
    const inW = this.inWidth;
    const outW = this.outWidth;
    for (let y = 0; y < this.inHeight; y++) {
      const row = srcOffset + y * inW * c;
      for (let xx = 0; xx < outW; xx++) {
        const x0 = fh[xx];
        const n = nh[xx];
        const wo = xx * kh;
        for (let ch = 0; ch < c; ch++) {
          let acc = 0;
          for (let x = 0; x < n; x++) acc += wh[wo + x] * src[row + (x0 + x) * c + ch];
          tmp[(y * outW + xx) * c + ch] = acc;
        }
      }
    }
    const { ksize: kv, first: fv, count: nv, weights: wv } = this.vertical;
    const rowLen = outW * c;
    for (let yy = 0; yy < this.outHeight; yy++) {
      const y0 = fv[yy];
      const n = nv[yy];
      const wo = yy * kv;
      const out = dstOffset + yy * rowLen;
      for (let i = 0; i < rowLen; i++) {
        let acc = 0;
        for (let y = 0; y < n; y++) acc += wv[wo + y] * tmp[(y0 + y) * rowLen + i];
        dst[out + i] = acc;
      }
    }
  }
}

/**
 * OpenLTH's `blur(blur_factor)`: resize an image down to `floor(size / factor)` per dimension,
 * then back up to its size, both bilinear as Pillow does it. Buffers are allocated once;
 * `apply` blurs one image in place.
 */
export class ImageBlur {
  private readonly down: BilinearResize;
  private readonly up: BilinearResize;
  private readonly small: Float32Array;

  constructor(height: number, width: number, channels: number, readonly factor: number) {
    const h = Math.floor(height / factor);
    const w = Math.floor(width / factor);
    if (!(factor >= 1) || h < 1 || w < 1) {
      throw new LthError('BAD_HPARAM', `--blur_factor=${factor} is invalid for ${height}x${width} images: it must be at least 1 and at most ${Math.min(height, width)}.`);
    }
    this.down = new BilinearResize(height, width, h, w, channels);
    this.up = new BilinearResize(h, w, height, width, channels);
    this.small = new Float32Array(h * w * channels);
  }

  /** Blurs the HWC image at `images[offset..]` in place. */
  apply(images: Float32Array, offset = 0): void {
    this.down.apply(images, this.small, offset, 0);
    this.up.apply(this.small, images, 0, offset);
  }
}
