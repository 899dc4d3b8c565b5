import * as path from 'node:path';
import {
  dataset,
  DatasetHparams,
  ModelHparams,
  PruningHparams,
  Rng,
  TrainingHparams,
  type DatasetFamily,
  type DatasetInfo,
  type ImageSource,
  type InlinePlugin,
  type Registry,
  type Output,
  type Platform,
} from '@lth/kernel';
import { InMemoryImageSource } from '@lth/data';
import { readGoldenHashes } from './golden';
import { RecordingOutput } from './output';
import { testPlatform } from './platform';

/** How many examples a toy dataset has, and how many classes. */
export interface ToyImagesSize {
  readonly train: number;
  readonly test: number;
  readonly classes: number;
}

/**
 * The images of toy dataset `name`'s `split`: 28×28×1 bytes in MNIST's format whose class is a
 * bright 7×7 block at a class-dependent place over seeded noise, so a small LeNet learns them
 * in a few epochs. Example `i` has class `i % classes`; the noise comes from
 * `Rng('lottery-toy', name, split)`.
 */
export function toyImages(name: string, split: 'train' | 'test', size: ToyImagesSize): InMemoryImageSource {
  const n = split === 'train' ? size.train : size.test;
  const rng = new Rng('lottery-toy', name, split);
  const images = new Uint8Array(n * 784);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % size.classes;
    labels[i] = c;
    for (let p = 0; p < 784; p++) images[i * 784 + p] = rng.int(90);
    const r0 = 3 + 7 * Math.floor(c / 3);
    const c0 = 3 + 7 * (c % 3);
    for (let r = r0; r < r0 + 7; r++) for (let q = c0; q < c0 + 7; q++) images[i * 784 + r * 28 + q] = 200 + rng.int(56);
  }
  return new InMemoryImageSource({ images, labels, imageShape: [28, 28, 1], numClasses: size.classes, mean: [0.1307], std: [0.3081] });
}

/**
 * An inline plugin (load it into a test session: `useTestSession({ plugins: [..., toyImagesPlugin(...)] })`)
 * of toy datasets (see {@link toyImages}) under the names of `sizes`, described by `description`.
 */
export function toyImagesPlugin(sizes: Readonly<Record<string, ToyImagesSize>>, description: string): InlinePlugin {
  class ToyImages implements DatasetFamily {
    info(name: string): DatasetInfo {
      const s = sizes[name];
      return { numTrainExamples: s.train, numTestExamples: s.test, numClasses: s.classes, imageShape: [28, 28, 1] };
    }

    async load(name: string, split: 'train' | 'test'): Promise<ImageSource> {
      return toyImages(name, split, sizes[name]);
    }
  }
  dataset({ names: Object.keys(sizes), description })(ToyImages);
  return { name: `toy-images (${Object.keys(sizes).join(', ')})`, classes: [ToyImages] };
}

/** What a toy lottery experiment changes: each record overrides the hparams fields it names. */
export interface ToyExperiment {
  readonly dataset?: Record<string, unknown>;
  readonly model?: Record<string, unknown>;
  readonly training?: Record<string, unknown>;
  readonly pruning?: Record<string, unknown>;
  readonly rewindingSteps?: string | null;
  /** Pretraining groups (on the same toy dataset, 1 epoch unless overridden). */
  readonly pretrain?: { dataset: Record<string, unknown>; training: Record<string, unknown> };
}

/** The parts of a toy lottery experiment, as `LotteryDesc.create` of @lth/lottery takes them. */
export interface ToyLotteryParts {
  readonly model: ModelHparams;
  readonly dataset: DatasetHparams;
  readonly training: TrainingHparams;
  readonly pruning: PruningHparams;
  readonly rewindingSteps: string | null;
  readonly pretrain: boolean;
  readonly pretrainDataset: DatasetHparams | null;
  readonly pretrainTraining: TrainingHparams | null;
  readonly registry: Registry;
}

/**
 * The parts of a small lottery experiment on toy dataset `datasetName` (pass them to
 * `LotteryDesc.create`, which binds the desc to `registry`): LeNet 20_10 (Kaiming-normal, uniform batch norm), batch size 30, SGD
 * at 0.1 for 2 epochs with data order seed 1, `sparse_global` pruning that leaves `fc.weight`
 * alone, no rewinding; `x` overrides any of it. The strategy's hparams class is looked up in
 * `registry` (a session's, with `@lth/plugin-pruning-sparse-global` or the strategy's plugin loaded).
 */
export function toyLotteryParts(registry: Registry, datasetName: string, x: ToyExperiment = {}): ToyLotteryParts {
  const pruning = { pruning_strategy: 'sparse_global', pruning_layers_to_ignore: 'fc.weight', ...x.pruning };
  const pruningClass = registry.strategy(String(pruning.pruning_strategy)).meta.hparams as unknown as typeof PruningHparams;
  return {
    model: ModelHparams.create({ model_name: 'mnist_lenet_20_10', model_init: 'kaiming_normal', batchnorm_init: 'uniform', ...x.model }),
    dataset: DatasetHparams.create({ dataset_name: datasetName, batch_size: 30, ...x.dataset }),
    training: TrainingHparams.create({ optimizer_name: 'sgd', lr: 0.1, training_steps: '2ep', data_order_seed: 1, ...x.training }),
    pruning: pruningClass.create(pruning),
    rewindingSteps: x.rewindingSteps ?? null,
    pretrain: !!x.pretrain,
    pretrainDataset: x.pretrain ? DatasetHparams.create({ dataset_name: datasetName, batch_size: 30, ...x.pretrain.dataset }) : null,
    pretrainTraining: x.pretrain ? TrainingHparams.create({ optimizer_name: 'sgd', lr: 0.1, training_steps: '1ep', data_order_seed: 1, ...x.pretrain.training }) : null,
    registry,
  };
}

/** The run options, besides the experiment, of a quiet one-replicate lottery or branch run under `root`. */
export interface QuietRunOptions {
  readonly replicate: number;
  readonly platform: Platform;
  readonly out: Output;
  readonly evaluateEveryEpoch: boolean;
}

/**
 * Options for `new LotteryRunner({ desc, levels, ...quietRun(root) })` or `new BranchRunner(...)`:
 * replicate 1 on {@link testPlatform}`(root)`, lines recorded (not printed), no per-epoch evaluation.
 */
export function quietRun(root: string): QuietRunOptions {
  return { replicate: 1, platform: testPlatform(root), out: new RecordingOutput(), evaluateEveryEpoch: false };
}

/** The hash @lth/lottery's golden table (an independent Python rendering of OpenLTH's hashing) gives the branch case `name`. */
export function branchGoldenHash(name: string): string {
  const file = path.resolve(__dirname, '../../../lottery/test/branch-golden-hashes.json');
  const table = readGoldenHashes(file);
  if (!table[name]) throw new Error(`${file} has no case '${name}'`);
  return table[name].hash;
}
