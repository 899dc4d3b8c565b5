import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatasetHparams, Hparams, ModelHparams, TrainingHparams, type PruningHparams } from '@lth/kernel';
import { LOTTERY_RUN_FILE, LotteryDesc } from '@lth/lottery';
import { openTestSession } from '@lth/testing';

/** The plugins of the report tests' session: the lottery package, Fashion-MNIST, LeNet, sparse_global and the report workflows. */
export const REPORT_PLUGINS = ['@lth/training', '@lth/lottery', '@lth/plugin-dataset-mnist', '@lth/plugin-model-lenet', '@lth/plugin-pruning-sparse-global', '@lth/plugin-workflow-report'];

/** The report tests' session (`REPORT_PLUGINS`). */
export const { registry } = openTestSession({ plugins: REPORT_PLUGINS });

/** The synthetic experiment's trunk: LeNet-300-100's defaults on Fashion-MNIST, 2 epochs (469 iterations each), data order seed 1. */
export function fixtureDesc(): LotteryDesc {
  const cls = registry.strategy('sparse_global').meta.hparams;
  const pruning = Hparams.create.call(cls, { pruning_strategy: 'sparse_global', pruning_layers_to_ignore: 'fc.weight' }) as PruningHparams;
  return new LotteryDesc(
    ModelHparams.create({ model_name: 'mnist_lenet_300_100', model_init: 'kaiming_normal', batchnorm_init: 'uniform' }),
    DatasetHparams.create({ dataset_name: 'fashion_mnist', batch_size: 128 }),
    TrainingHparams.create({ optimizer_name: 'sgd', lr: 0.1, training_steps: '2ep', data_order_seed: 1 }),
    pruning,
  ).bind(registry);
}

/** The flags that name `fixtureDesc()` on the command line. */
export const FIXTURE_FLAGS = ['--default_hparams=mnist_lenet_300_100', '--dataset_name=fashion_mnist', '--training_steps=2ep', '--data_order_seed=1'];

const LAYERS = { 'fc_layers.0.weight': 235200, 'fc_layers.1.weight': 30000, 'fc.weight': 1000 };
export const BRANCH = 'lottery_branch_randomly_reinitialize_7b99794732481fff503d5290ee43fb4b';

/** Final test accuracy of the trunk (`trunk`) and the branch (`branch`) at level L, replicate R: distinct, known numbers. */
export function accuracy(line: 'trunk' | 'branch', level: number, replicate: number): number {
  return Math.round(10000 * (0.8 + 0.01 * level + (line === 'branch' ? -0.005 : 0) + 0.002 * replicate)) / 10000;
}

function logger(final: number, best: number): string {
  return [
    'test_loss,0,2.3',
    'test_accuracy,0,0.1',
    'test_examples,0,10000.0',
    'test_loss,469,0.5',
    `test_accuracy,469,${best}`,
    'test_examples,469,10000.0',
    'test_loss,938,0.45',
    `test_accuracy,938,${final}`,
    'test_examples,938,10000.0',
  ].join('\n');
}

function sparsity(level: number): string {
  const layers: Record<string, { total: number; unpruned: number }> = {};
  let total = 0;
  let unpruned = 0;
  for (const [name, n] of Object.entries(LAYERS)) {
    const kept = name === 'fc.weight' ? n : Math.round(n * 0.8 ** level);
    layers[name] = { total: n, unpruned: kept };
    total += n;
    unpruned += kept;
  }
  return JSON.stringify({ total, unpruned, layers }, null, 4);
}

function run(dir: string, final: number, best: number, complete = true): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'logger'), complete ? logger(final, best) : logger(final, best).split('\n').slice(0, 6).join('\n'));
  fs.writeFileSync(path.join(dir, 'model_ep0_it0.safetensors'), '');
  if (complete) fs.writeFileSync(path.join(dir, 'model_ep2_it0.safetensors'), '');
}

/**
 * Writes a synthetic lottery experiment under `root`: `fixtureDesc()`, levels 0-3, replicates
 * 1 and 2, a `randomly_reinitialize` branch at every level; each run's logger evaluates at 0, 469
 * and 938 with final accuracy `accuracy(...)` and a best one 0.01 above it at iteration 469.
 * With `inProgress`, replicate 2's level 3 (trunk and branch) has stopped after its first epoch.
 * Returns the experiment's directory.
 */
export function writeFixture(root: string, o: { inProgress?: boolean } = {}): string {
  const desc = fixtureDesc();
  for (const replicate of [1, 2]) {
    const level0 = desc.runPath(root, replicate, 0);
    fs.mkdirSync(level0, { recursive: true });
    desc.save(level0);
    fs.writeFileSync(path.join(level0, LOTTERY_RUN_FILE), JSON.stringify({ hashname: desc.hashname, replicate, levels: 3 }));
    for (let level = 0; level <= 3; level++) {
      const complete = !(o.inProgress && replicate === 2 && level === 3);
      const main = desc.runPath(root, replicate, level);
      const t = accuracy('trunk', level, replicate);
      run(main, t, t + 0.01, complete);
      fs.writeFileSync(path.join(main, 'sparsity_report.json'), sparsity(level));
      const b = accuracy('branch', level, replicate);
      const bdir = desc.runPath(root, replicate, level, BRANCH);
      run(bdir, b, b + 0.01, complete);
      fs.writeFileSync(
        path.join(bdir, 'desc.json'),
        JSON.stringify({ branch: 'randomly_reinitialize', hashname: BRANCH, canonical: 'Hparams()', hparams: { branch_hparams: {} }, level, replicate }),
      );
    }
  }
  return path.join(root, desc.hashname);
}
