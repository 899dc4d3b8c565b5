import { LthError, Rng, type ImageSource, type Model, type Output, type Platform, type PruningBatch, type PruningContext } from '@lth/kernel';
import { loadModelState } from '@lth/nn';
import { loadSplit, numClasses } from '@lth/data';
import { datasetContext } from '@lth/training';
import type { LotteryDesc } from './desc';
import { buildLotteryModel, levelModelFile } from './levels';

/** What a lottery experiment's `PruningContext` is made from. */
export interface LotteryPruningContextOptions {
  readonly desc: LotteryDesc;
  readonly root: string;
  readonly replicate: number;
  /** The level whose mask is being made. */
  readonly level: number;
  readonly platform: Platform;
  readonly out: Output;
}

/**
 * The `PruningContext` of a lottery experiment's level: the initial network is level 0's
 * weights at the rewind step (step 0 without rewinding; the unpruned network every level
 * starts training from), and the examples come from the experiment's training split, loaded
 * once, on first use.
 */
export function lotteryPruningContext(o: LotteryPruningContextOptions): PruningContext {
  const info = o.desc.datasetInfo();
  let source: Promise<ImageSource> | null = null;
  return {
    level: o.level,
    replicate: o.replicate,
    inputShape: info.imageShape,
    numClasses: numClasses(o.desc.dataset_hparams, info),
    batchSize: o.desc.dataset_hparams.batch_size,
    initialModel(): Model {
      const model = buildLotteryModel(o.desc, o.replicate);
      try {
        loadModelState(model, levelModelFile(o.desc, o.root, o.replicate, 0, o.desc.trainStartStep));
      } catch (e) {
        model.dispose();
        throw e;
      }
      return model;
    },
    async trainExamples(count: number, seed: string | number): Promise<PruningBatch> {
      source ??= loadSplit(o.desc.dataset_hparams, 'train', datasetContext(o.platform, o.out), o.desc.registry);
      return examplesOf(await source, count, seed);
    },
  };
}

/** `count` examples of `source` in the order of `new Rng('pruning_examples', seed)`, without augmentation. */
export async function examplesOf(source: ImageSource, count: number, seed: string | number): Promise<PruningBatch> {
  if (!Number.isInteger(count) || count < 1 || count > source.size) {
    throw new LthError('BAD_HPARAM', `A pruning strategy asked for ${count} training examples; the training split has ${source.size}. Use a number of examples between 1 and ${source.size}.`);
  }
  const indices = new Rng('pruning_examples', seed).permutation(source.size).slice(0, count);
  const [h, w, c] = source.imageShape;
  const images = new Float32Array(count * h * w * c);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) labels[i] = source.labels[indices[i]];
  await source.fill(indices, images, null);
  return { images, labels, shape: [count, h, w, c] };
}
