import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import type { DatasetContext } from '@lth/kernel';

/** A smooth RGB test pattern of `width` × `height` (a horizontal ramp in red, vertical in green, `seed` in blue). */
export function pattern(width: number, height: number, seed: number): Buffer {
  const buf = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      buf[i] = Math.round((255 * x) / Math.max(1, width - 1));
      buf[i + 1] = Math.round((255 * y) / Math.max(1, height - 1));
      buf[i + 2] = (seed * 40 + ((x >> 4) + (y >> 4)) * 8) % 256;
    }
  }
  return buf;
}

export async function writeJpeg(file: string, width: number, height: number, seed: number, kind: 'rgb' | 'gray' | 'cmyk' = 'rgb'): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let img = sharp(pattern(width, height, seed), { raw: { width, height, channels: 3 } });
  if (kind === 'gray') img = img.toColourspace('b-w');
  if (kind === 'cmyk') img = img.toColourspace('cmyk');
  await img.jpeg({ quality: 92 }).toFile(file);
}

/** Sizes of the generated training images: varied, portrait and landscape, some smaller than 224. */
export const TRAIN_TREE: Record<string, Array<[string, number, number]>> = {
  n01_bird: [['b_2.JPEG', 300, 200], ['B_1.JPEG', 180, 260], ['a_3.jpg', 256, 256], ['c_4.jpeg', 400, 120]],
  n02_cat: [['x.JPEG', 240, 320], ['y.JPEG', 500, 375], ['z.JPEG', 64, 48], ['w.JPEG', 230, 230]],
  n03_dog: [['d1.JPEG', 320, 240], ['d2.JPEG', 200, 300], ['d3.JPEG', 256, 300], ['d4.JPEG', 333, 222]],
};

/**
 * Writes `<root>/train/<class>/...` per `TRAIN_TREE` (one grayscale and one CMYK file among
 * them, plus a non-image file that must be ignored) and `<root>/val/` with two classes.
 */
export async function writeImagenetTree(root: string): Promise<void> {
  let seed = 0;
  for (const [cls, files] of Object.entries(TRAIN_TREE)) {
    for (const [name, w, h] of files) {
      const kind = name === 'x.JPEG' ? 'gray' : name === 'd4.JPEG' ? 'cmyk' : 'rgb';
      await writeJpeg(path.join(root, 'train', cls, name), w, h, seed++, kind);
    }
  }
  fs.writeFileSync(path.join(root, 'train', 'n02_cat', 'notes.txt'), 'not an image');
  await writeJpeg(path.join(root, 'val', 'n03_dog', 'v1.JPEG'), 256, 256, 50);
  await writeJpeg(path.join(root, 'val', 'n03_dog', 'v0.JPEG'), 300, 260, 51);
  await writeJpeg(path.join(root, 'val', 'n01_bird', 'v2.JPEG'), 280, 256, 52);
}

/** Overwrites `file` with a JPEG whose Huffman tables are garbage. */
export function corruptJpeg(file: string): void {
  const b = fs.readFileSync(file);
  b.fill(0x55, 150, 300);
  fs.writeFileSync(file, b);
}

export function context(imagenetRoot: string | null, extra: Partial<DatasetContext> = {}, lines: string[] = []): DatasetContext {
  return { datasetRoot: '/nonexistent', setting: (key) => (key === 'imagenetRoot' ? imagenetRoot : null), numWorkers: 0, log: (l) => lines.push(l), ...extra };
}
