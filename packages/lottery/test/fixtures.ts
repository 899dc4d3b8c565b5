import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  dataset,
  ensureGradients,
  InMemoryImageSource,
  Rng,
  type DatasetFamily,
  type DatasetInfo,
  type ImageSource,
  type Output,
  type Platform,
} from '@lth/kernel';

/**
 * Small synthetic MNIST-format datasets for end-to-end lottery tests: 28×28×1 uint8 images
 * whose class is a bright 7×7 block at a class-dependent position over seeded noise, so a
 * small LeNet learns them in a few epochs. `lottery_toy` has 10 classes, `lottery_toy_4` 4.
 */
const SIZES: Record<string, { train: number; test: number; classes: number }> = {
  lottery_toy: { train: 240, test: 100, classes: 10 },
  lottery_toy_4: { train: 160, test: 80, classes: 4 },
};

@dataset({ names: Object.keys(SIZES), description: 'Synthetic test images (lottery tests).' })
export class ToyDatasets implements DatasetFamily {
  info(name: string): DatasetInfo {
    const s = SIZES[name];
    return { numTrainExamples: s.train, numTestExamples: s.test, numClasses: s.classes, imageShape: [28, 28, 1] };
  }

  async load(name: string, split: 'train' | 'test'): Promise<ImageSource> {
    const s = SIZES[name];
    const n = split === 'train' ? s.train : s.test;
    const rng = new Rng('lottery-toy', name, split);
    const images = new Uint8Array(n * 784);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = i % s.classes;
      labels[i] = c;
      for (let p = 0; p < 784; p++) images[i * 784 + p] = rng.int(90);
      const r0 = 3 + 7 * Math.floor(c / 3);
      const c0 = 3 + 7 * (c % 3);
      for (let r = r0; r < r0 + 7; r++) for (let q = c0; q < c0 + 7; q++) images[i * 784 + r * 28 + q] = 200 + rng.int(56);
    }
    return new InMemoryImageSource({ images, labels, imageShape: [28, 28, 1], numClasses: s.classes, mean: [0.1307], std: [0.3081] });
  }
}

/** A one-process platform on the CPU backend whose results root is `root`. */
export function testPlatform(root: string): Platform {
  return {
    name: 'test',
    root,
    datasetRoot: path.join(root, '..', 'datasets'),
    imagenetRoot: null,
    numWorkers: 0,
    backend: 'cpu',
    async setup() {
      await useCpuBackend();
    },
    isDistributed: false,
    rank: 0,
    worldSize: 1,
    isPrimary: true,
    async barrier() {},
  };
}

/** An `Output` that records every line (and optionally echoes it). */
export class RecordingOutput implements Output {
  readonly lines: string[] = [];
  readonly quiet = false;
  readonly isTTY = false;
  constructor(private readonly echo: ((l: string) => void) | null = null) {}
  line(text: string): void {
    this.lines.push(text);
    this.echo?.(text);
  }
  progress() {
    return { update() {}, stop() {} };
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

/** A fresh temporary directory (removed by `removeDir`). */
export function tempDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `lth-lottery-${tag}-`));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Every file under `dir`, relative, sorted (dot-files and temporaries included). */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** Selects tfjs' CPU backend and registers gradients (call from a `before` hook). */
export async function useCpuBackend(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
  await ensureGradients();
}
