import * as path from 'node:path';
import { Mask, type Model, type Step } from '@lth/kernel';
import { buildModel, loadModelState, modelFileName, modelSeed, type BuildModelOptions } from '@lth/nn';
import { numClasses } from '@lth/data';
import type { Level, LotteryDesc } from './desc';

/**
 * Helpers shared by the lottery runner and the branches that run off its levels: where a
 * level lives, how to build the experiment's model, and how to load a level's weights and
 * mask.
 */

/** `<root>/lottery_<md5>/replicate_<R>/level_<L>/main`: a trunk level's directory. */
export function levelRoot(desc: LotteryDesc, root: string, replicate: number, level: Level): string {
  return desc.runPath(root, replicate, level);
}

/**
 * How to build the experiment's network: outputs sized to the (pretraining) dataset's classes
 * (4 with rotation labels; OpenLTH always used the architecture default, quirk 14, fixed),
 * the dataset's input shape, the seed `modelSeed(model_hparams, replicate)`, the desc's registry.
 */
export function modelBuildOptions(desc: LotteryDesc, replicate: number, pretrain = false): BuildModelOptions {
  const info = desc.datasetInfo(pretrain);
  const dataset = pretrain ? desc.pretrain_dataset_hparams! : desc.dataset_hparams;
  return { outputs: numClasses(dataset, info), inputShape: info.imageShape, seed: modelSeed(desc.model_hparams, replicate), registry: desc.registry };
}

/** A freshly initialised network for the main (or pretraining) task; seeded, so reproducible. */
export function buildLotteryModel(desc: LotteryDesc, replicate: number, pretrain = false): Model {
  return buildModel(desc.model_hparams, modelBuildOptions(desc, replicate, pretrain));
}

/** The file of the model saved at `step` in a level's directory. */
export function levelModelFile(desc: LotteryDesc, root: string, replicate: number, level: Level, step: Step): string {
  return path.join(levelRoot(desc, root, replicate, level), modelFileName(step));
}

/**
 * The weights a level saved at `step`, in a new main-task network (pretraining-task network
 * for `level === 'pretrain'`). A missing or mismatched file is an `LthError`.
 */
export function loadLevelWeights(desc: LotteryDesc, root: string, replicate: number, level: Level, step: Step): Model {
  const model = buildLotteryModel(desc, replicate, level === 'pretrain');
  try {
    loadModelState(model, levelModelFile(desc, root, replicate, level, step));
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/**
 * Copies into `model` the pretraining run's weights at `step`: every tensor whose name and shape
 * match, so an output layer for another number of classes keeps `model`'s own initialisation.
 */
export function loadPretrainedInto(model: Model, desc: LotteryDesc, root: string, replicate: number, step: Step): void {
  const pre = loadLevelWeights(desc, root, replicate, 'pretrain', step);
  try {
    const byName = new Map(pre.state.map((e) => [e.name, e]));
    for (const e of model.state) {
      const src = byName.get(e.name);
      if (src && String(src.variable.shape) === String(e.variable.shape)) e.variable.assign(src.variable);
    }
  } finally {
    pre.dispose();
  }
}

/** The mask a level trained with (`mask.safetensors`), checked against `model`. */
export function loadLevelMask(desc: LotteryDesc, root: string, replicate: number, level: number, model: Model): Mask {
  return Mask.load(levelRoot(desc, root, replicate, level), model);
}
