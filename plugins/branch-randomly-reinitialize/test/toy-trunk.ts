import '@tensorflow/tfjs-backend-cpu';
import '@lth/plugin-model-lenet';
import '@lth/plugin-pruning-sparse-global';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  dataset,
  DatasetHparams,
  ensureGradients,
  InMemoryImageSource,
  ModelHparams,
  Rng,
  TrainingHparams,
  type DatasetFamily,
  type DatasetInfo,
  type ImageSource,
  type Output,
  type Platform,
} from '@lth/kernel';
import { BranchRunner, LotteryDesc, LotteryRunner } from '@lth/lottery';
import { SparseGlobalPruningHparams } from '@lth/plugin-pruning-sparse-global';

/**
 * A small lottery trunk for this plugin's tests: LeNet 20_10 on synthetic 28×28 images whose
 * class is a bright block at a class-dependent place (240 training images, 8 iterations per
 * epoch at batch size 30).
 */
export const TOY = 'randomly_reinitialize_toy';

@dataset({ names: [TOY], description: 'Synthetic test images (randomly_reinitialize tests).' })
export class ToyImages implements DatasetFamily {
  info(): DatasetInfo {
    return { numTrainExamples: 240, numTestExamples: 100, numClasses: 10, imageShape: [28, 28, 1] };
  }

  async load(name: string, split: 'train' | 'test'): Promise<ImageSource> {
    const n = split === 'train' ? 240 : 100;
    const rng = new Rng(name, split);
    const images = new Uint8Array(n * 784);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = i % 10;
      labels[i] = c;
      for (let p = 0; p < 784; p++) images[i * 784 + p] = rng.int(90);
      const r0 = 3 + 7 * Math.floor(c / 3);
      const c0 = 3 + 7 * (c % 3);
      for (let r = r0; r < r0 + 7; r++) for (let q = c0; q < c0 + 7; q++) images[i * 784 + r * 28 + q] = 200 + rng.int(56);
    }
    return new InMemoryImageSource({ images, labels, imageShape: [28, 28, 1], numClasses: 10, mean: [0.1307], std: [0.3081] });
  }
}

export function toyDesc(rewindingSteps: string | null = null): LotteryDesc {
  return LotteryDesc.create({
    dataset: DatasetHparams.create({ dataset_name: TOY, batch_size: 30 }),
    model: ModelHparams.create({ model_name: 'mnist_lenet_20_10', model_init: 'kaiming_normal', batchnorm_init: 'uniform' }),
    training: TrainingHparams.create({ optimizer_name: 'sgd', lr: 0.1, training_steps: '2ep', data_order_seed: 1 }),
    pruning: SparseGlobalPruningHparams.create({ pruning_strategy: 'sparse_global', pruning_layers_to_ignore: 'fc.weight' }),
    rewindingSteps,
  });
}

export class QuietOutput implements Output {
  readonly lines: string[] = [];
  readonly quiet = false;
  readonly isTTY = false;
  line(text: string): void {
    this.lines.push(text);
  }
  progress() {
    return { update() {}, stop() {} };
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

export function testPlatform(root: string): Platform {
  return {
    name: 'test',
    root,
    datasetRoot: path.join(root, '..', 'datasets'),
    imagenetRoot: null,
    numWorkers: 0,
    backend: 'cpu',
    async setup() {},
    isDistributed: false,
    rank: 0,
    worldSize: 1,
    isPrimary: true,
    async barrier() {},
  };
}

export async function useCpuBackend(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
  await ensureGradients();
}

export function tempDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `lth-${tag}-`));
}

/** Trains the trunk (levels 0..levels) under `root`. */
export async function trainTrunk(root: string, desc: LotteryDesc, levels: number): Promise<void> {
  await new LotteryRunner({ desc, levels, replicate: 1, platform: testPlatform(root), out: new QuietOutput(), evaluateEveryEpoch: false }).run();
}

/** A runner of branch `name` at `levels` of the trunk under `root`. */
export function branchRunner(root: string, desc: LotteryDesc, name: string, levels: number[], args: Record<string, unknown>): BranchRunner {
  return new BranchRunner({ branch: name, args, desc, levels, replicate: 1, platform: testPlatform(root), out: new QuietOutput(), evaluateEveryEpoch: false });
}

/** Every file under `dir`, relative, sorted. */
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

/** The golden branch hashes of @lth/lottery's tests (an independent Python rendering of OpenLTH's hashing). */
export function goldenHash(name: string): string {
  const file = path.resolve(__dirname, '../../../../packages/lottery/test/branch-golden-hashes.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, { hash: string }>)[name].hash;
}
