import { expect } from 'chai';
import { Rng } from '@lth/kernel';
import { flipAndCrop } from '../src/flip-crop';

/** torchvision's steps spelled out: flip the image, pad it with zeros, crop at (top, left). */
function reference(image: Float32Array, h: number, w: number, c: number, flip: boolean, top: number, left: number, pad: number): Float32Array {
  const ph = h + 2 * pad;
  const pw = w + 2 * pad;
  const padded = new Float32Array(ph * pw * c);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) {
    const sx = flip ? w - 1 - x : x;
    padded[((y + pad) * pw + x + pad) * c + ch] = image[(y * w + sx) * c + ch];
  }
  const out = new Float32Array(h * w * c);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) out[(y * w + x) * c + ch] = padded[((y + top) * pw + x + left) * c + ch];
  return out;
}

describe('flipAndCrop (RandomHorizontalFlip + RandomCrop(32, padding=4))', () => {
  const shape = [32, 32, 3] as const;
  const image = (): Float32Array => Float32Array.from({ length: 32 * 32 * 3 }, (_, i) => ((i * 7919) % 255) / 255 + 0.001);

  it('equals flip, zero padding and crop with the draws torchvision makes, in its order', () => {
    const augment = flipAndCrop(4);
    let flips = 0;
    const offsets = new Set<string>();
    for (let t = 0; t < 40; t++) {
      const draws = new Rng('test', t);
      const flip = draws.uniform() < 0.5;
      const top = draws.int(9);
      const left = draws.int(9);
      flips += flip ? 1 : 0;
      offsets.add(`${top},${left}`);
      const img = image();
      const want = reference(img, 32, 32, 3, flip, top, left, 4);
      augment(img, shape, new Rng('test', t));
      expect(Buffer.from(img.buffer).equals(Buffer.from(want.buffer)), `trial ${t}`).to.equal(true);
    }
    expect(flips).to.be.within(5, 35);
    expect(offsets.size).to.be.greaterThan(10);
  });

  it('pads with 0 (black before Normalize) and keeps the image size', () => {
    const augment = flipAndCrop(4);
    for (let t = 0; t < 20; t++) {
      const img = image();
      const draws = new Rng('pad', t);
      draws.uniform();
      const top = draws.int(9);
      augment(img, shape, new Rng('pad', t));
      if (top < 4) for (let x = 0; x < 32 * 3; x++) expect(img[x]).to.equal(0);
      if (top > 4) for (let x = 0; x < 32 * 3; x++) expect(img[31 * 32 * 3 + x]).to.equal(0);
    }
  });
});
