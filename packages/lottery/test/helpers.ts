import '@tensorflow/tfjs-backend-cpu';
import '@lth/plugin-model-lenet';
import '@lth/plugin-pruning-sparse-global';
import { DatasetHparams, ModelHparams, TrainingHparams } from '@lth/kernel';
import { SparseGlobalPruningHparams } from '@lth/plugin-pruning-sparse-global';
import { LotteryDesc, LotteryRunner, type LotteryDescParts } from '../src';
import { RecordingOutput, testPlatform } from './fixtures';

/** The small experiment the end-to-end tests run: LeNet 20_10 on 240 synthetic images, 8 iterations per epoch. */
export interface ToyExperiment {
  readonly training?: Record<string, unknown>;
  readonly pruning?: Record<string, unknown>;
  readonly dataset?: Record<string, unknown>;
  readonly model?: Record<string, unknown>;
  readonly rewindingSteps?: string | null;
  readonly pretrain?: { dataset: Record<string, unknown>; training: Record<string, unknown> };
}

export function toyDesc(x: ToyExperiment = {}): LotteryDesc {
  const dataset = DatasetHparams.create({ dataset_name: 'lottery_toy', batch_size: 30, ...x.dataset });
  const training = TrainingHparams.create({ optimizer_name: 'sgd', lr: 0.1, training_steps: '2ep', data_order_seed: 1, ...x.training });
  const parts: LotteryDescParts = {
    model: ModelHparams.create({ model_name: 'mnist_lenet_20_10', model_init: 'kaiming_normal', batchnorm_init: 'uniform', ...x.model }),
    dataset,
    training,
    pruning: SparseGlobalPruningHparams.create({ pruning_strategy: 'sparse_global', pruning_layers_to_ignore: 'fc.weight', ...x.pruning }),
    rewindingSteps: x.rewindingSteps ?? null,
    pretrain: !!x.pretrain,
    pretrainDataset: x.pretrain ? DatasetHparams.create({ dataset_name: 'lottery_toy', batch_size: 30, ...x.pretrain.dataset }) : null,
    pretrainTraining: x.pretrain ? TrainingHparams.create({ optimizer_name: 'sgd', lr: 0.1, training_steps: '1ep', data_order_seed: 1, ...x.pretrain.training }) : null,
  };
  return LotteryDesc.create(parts);
}

export function toyRunner(root: string, desc: LotteryDesc, levels: number, out = new RecordingOutput(), replicate = 1): { runner: LotteryRunner; out: RecordingOutput } {
  return { runner: new LotteryRunner({ desc, levels, replicate, platform: testPlatform(root), out, evaluateEveryEpoch: true }), out };
}

/** The experiment of the kill-and-resume test (run in child processes and in the test's own). */
export function resumeTestDesc(): LotteryDesc {
  return toyDesc({ training: { training_steps: '3ep', momentum: 0.9 } });
}
