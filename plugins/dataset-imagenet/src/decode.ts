import sharp, { type OutputInfo } from 'sharp';
import { readRegularFileSync, Rng } from '@lth/kernel';
import { BilinearResize } from '@lth/data';
import { centerCropBox, randomResizedCropBox, shorterSideSize, type CropBox } from './crop-geometry';

/** Side of the square images the model sees. */
export const IMAGENET_SIZE = 224;
/** Shorter side of the evaluation resize before the center crop. */
export const IMAGENET_RESIZE = 256;

/** A file that could not be decoded as an image (corrupt, truncated, not an image, unreadable). */
export class CorruptImageError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'CorruptImageError';
  }
}

/** One decoded image: RGB bytes, HWC. */
interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** The largest image file lth decodes (ImageNet's largest JPEG is about 15 MB). */
export const MAX_IMAGE_BYTES = 64 * 1024 * 1024;

async function readRgb(file: string): Promise<RgbImage> {
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    const bytes = readRegularFileSync(file, MAX_IMAGE_BYTES, { code: 'CORRUPT_IMAGE', advice: '' });
    decoded = await sharp(bytes, { failOn: 'truncated' }).toColourspace('srgb').removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new CorruptImageError(file, (e as Error).message.split('\n')[0].replace(`${file} `, 'it ').trim());
  }
  const { data, info } = decoded;
  if (info.channels === 3) return { data, width: info.width, height: info.height };
  if (info.channels !== 1) throw new CorruptImageError(file, `decoded to ${info.channels} channels`);
  const rgb = new Uint8Array(info.width * info.height * 3);
  for (let i = 0; i < data.length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = data[i];
  return { data: rgb, width: info.width, height: info.height };
}

function cropToFloat(img: RgbImage, box: CropBox): Float32Array {
  const out = new Float32Array(box.height * box.width * 3);
  for (let y = 0; y < box.height; y++) {
    const src = ((box.top + y) * img.width + box.left) * 3;
    const dst = y * box.width * 3;
    for (let x = 0; x < box.width * 3; x++) out[dst + x] = img.data[src + x];
  }
  return out;
}

/** Writes `src` (H × W × 3 floats in [0, 255]) cropped to `box` as rounded bytes, mirrored when `flip`. */
function toBytes(src: Float32Array, srcWidth: number, box: CropBox, flip: boolean): Uint8Array {
  const out = new Uint8Array(box.height * box.width * 3);
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      const sx = box.left + (flip ? box.width - 1 - x : x);
      const s = ((box.top + y) * srcWidth + sx) * 3;
      const d = (y * box.width + x) * 3;
      for (let c = 0; c < 3; c++) {
        const v = Math.floor(src[s + c] + 0.5);
        out[d + c] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
  return out;
}

/**
 * Decodes one ImageNet file to the 224 × 224 RGB bytes (HWC) the model sees, before
 * normalisation, as OpenLTH's torchvision pipeline on PIL images makes them:
 *
 * - training (`seed` given): `RandomResizedCrop(224, scale=(0.1, 1), ratio=(0.8, 1.25))`, then
 *   `RandomHorizontalFlip()`, every draw from `new Rng('imagenet_augment', seed)`;
 * - evaluation (`seed === null`): `Resize(256)` (shorter side), then `CenterCrop(224)`.
 *
 * Decoding is sharp's (libjpeg-turbo), converted to sRGB; grayscale is replicated to three
 * channels. Resizing is Pillow's bilinear filter (antialiased when shrinking), rounded to bytes
 * at the end. The result depends only on the file and the seed. A file that cannot be decoded
 * is a `CorruptImageError`.
 */
export async function decodeExample(file: string, seed: number | null): Promise<Uint8Array> {
  const img = await readRgb(file);
  const whole: CropBox = { top: 0, left: 0, height: IMAGENET_SIZE, width: IMAGENET_SIZE };
  if (seed !== null) {
    const rng = new Rng('imagenet_augment', seed);
    const box = randomResizedCropBox(img.width, img.height, rng);
    const resized = new Float32Array(IMAGENET_SIZE * IMAGENET_SIZE * 3);
    new BilinearResize(box.height, box.width, IMAGENET_SIZE, IMAGENET_SIZE, 3).apply(cropToFloat(img, box), resized);
    const flip = rng.uniform() < 0.5;
    return toBytes(resized, IMAGENET_SIZE, whole, flip);
  }
  const size = shorterSideSize(img.width, img.height, IMAGENET_RESIZE);
  const resized = new Float32Array(size.width * size.height * 3);
  new BilinearResize(img.height, img.width, size.height, size.width, 3).apply(cropToFloat(img, { top: 0, left: 0, height: img.height, width: img.width }), resized);
  return toBytes(resized, size.width, centerCropBox(size.width, size.height, IMAGENET_SIZE), false);
}
