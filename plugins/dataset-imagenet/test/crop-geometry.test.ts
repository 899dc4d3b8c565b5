import { expect } from 'chai';
import { Rng } from '@lth/kernel';
import { centerCropBox, pythonRound, randomResizedCropBox, shorterSideSize } from '../src/crop-geometry';

/** A generator that returns scripted draws, to check the algorithm step by step. */
function scripted(uniforms: number[], ints: number[]): Rng {
  const intsSeen: number[] = [];
  return {
    uniform: () => {
      const v = uniforms.shift();
      if (v === undefined) throw new Error('no uniform draw left');
      return v;
    },
    int: (n: number) => {
      intsSeen.push(n);
      const v = ints.shift();
      if (v === undefined) throw new Error('no int draw left');
      expect(v).to.be.lessThan(n);
      return v;
    },
  } as unknown as Rng;
}

describe('crop geometry (torchvision transforms)', () => {
  it('rounds halves to even like Python', () => {
    expect([0.5, 1.5, 2.5, -0.5, 2.4999, 2.5001, 12.5, 13.5].map(pythonRound)).to.deep.equal([0, 2, 2, 0, 2, 3, 12, 14]);
  });

  it('RandomResizedCrop: area fraction and log-ratio from two uniforms, then top and left', () => {
    // 100x100, scale draw 0.5 -> area 5500; ratio draw 0.5 -> aspect 1; w = h = round(74.16) = 74.
    const box = randomResizedCropBox(100, 100, scripted([0.5, 0.5], [20, 3]));
    expect(box).to.deep.equal({ top: 20, left: 3, height: 74, width: 74 });
    // 300x200, scale draw 1 -> area 60000; ratio draw 1 -> aspect 1.25: w = round(273.86) = 274 > 300? no: fits width; h = round(219.09) = 219 > 200 -> retry.
    // Second try: scale draw 0 -> area 6000, ratio draw 0 -> aspect 0.8: w = round(69.28) = 69, h = round(86.60) = 87.
    const retry = randomResizedCropBox(300, 200, scripted([1, 1, 0, 0], [113, 231]));
    expect(retry).to.deep.equal({ top: 113, left: 231, height: 87, width: 69 });
  });

  it('RandomResizedCrop falls back to the central crop clamped to the ratio after 10 failed tries', () => {
    const wide = randomResizedCropBox(1000, 10, new Rng('wide', 1));
    expect(wide).to.deep.equal({ top: 0, left: 494, height: 10, width: 12 });
    const tall = randomResizedCropBox(10, 1000, new Rng('tall', 1));
    expect(tall).to.deep.equal({ top: 494, left: 0, height: 12, width: 10 });
  });

  it('RandomResizedCrop keeps boxes inside the image with the requested scale and ratio', () => {
    const rng = new Rng('boxes', 0);
    for (let t = 0; t < 500; t++) {
      const w = 50 + rng.int(500);
      const h = 50 + rng.int(500);
      const b = randomResizedCropBox(w, h, rng);
      expect(b.top).to.be.at.least(0);
      expect(b.left).to.be.at.least(0);
      expect(b.top + b.height).to.be.at.most(h);
      expect(b.left + b.width).to.be.at.most(w);
      expect(b.width / b.height).to.be.within(0.8 * 0.95, 1.25 * 1.05);
    }
  });

  it('Resize(256) on the shorter side and CenterCrop(224)', () => {
    expect(shorterSideSize(500, 375, 256)).to.deep.equal({ width: 341, height: 256 });
    expect(shorterSideSize(375, 500, 256)).to.deep.equal({ width: 256, height: 341 });
    expect(shorterSideSize(256, 256, 256)).to.deep.equal({ width: 256, height: 256 });
    expect(centerCropBox(341, 256, 224)).to.deep.equal({ top: 16, left: 58, height: 224, width: 224 });
    expect(centerCropBox(256, 259, 224)).to.deep.equal({ top: 18, left: 16, height: 224, width: 224 });
  });
});
