import { expect } from 'chai';
import {
  DatasetHparams,
  float,
  group,
  Mask,
  ModelHparams,
  PruningHparams,
  strategy,
  TrainingHparams,
  type FlagGroup,
  type Hparams,
  type Model,
  type PruningStrategy,
} from '@lth/kernel';
import { SparseGlobalPruningHparams } from '@lth/plugin-pruning-sparse-global';
import { openTestSession, RecordingOutput, testJob, testPlatform } from '@lth/testing';
import { buildLotteryModel, LotteryArgs, LotteryDesc, LotteryWorkflow, modelBuildOptions, RewindingArgs, runnerFor } from '../src';
import { TOY_IMAGES } from './fixtures';
import { toyDesc } from './helpers';

/* eslint-disable @typescript-eslint/naming-convention */
@group({ name: 'Hyperparameters for Keep-All Pruning', description: 'test strategy' })
class KeepAllHparams extends PruningHparams {
  @float({ default: 0.5, help: 'unused' }) keep_fraction!: number;
}

@strategy({ name: 'lottery_test_keep_all', hparams: KeepAllHparams })
class KeepAll implements PruningStrategy {
  prune(_h: PruningHparams, _m: Model, current: Mask): Mask {
    return current;
  }
}

const session = openTestSession({
  plugins: ['@lth/training', '@lth/lottery', '@lth/plugin-model-lenet', '@lth/plugin-pruning-sparse-global', TOY_IMAGES, { name: 'lottery workflow tests', classes: [KeepAll] }],
});
const registry = session.registry;

const byKey = (gs: FlagGroup[]) => Object.fromEntries(gs.map((g) => [g.key, g]));

describe('lottery workflow', () => {
  const wf = () => registry.workflow('lottery').instance as LotteryWorkflow;

  it('is registered as lottery with OpenLTH description', () => {
    const c = registry.workflow('lottery');
    expect(c.description).to.equal('Run a lottery ticket hypothesis experiment.');
    expect(c.instance).to.be.instanceOf(LotteryWorkflow);
    expect(KeepAll).to.be.a('function');
  });

  it('has OpenLTH groups in order, with --default_hparams filling defaults and the strategy own fields', () => {
    const gs = wf().flagGroups({ default_hparams: 'mnist_lenet_300_100', positionals: [] });
    expect(gs.map((g) => g.key)).to.deep.equal(['lottery', 'rewinding', 'dataset', 'model', 'training', 'pruning']);
    const g = byKey(gs);
    expect(g.lottery.hparams).to.equal(LotteryArgs);
    expect(g.rewinding.hparams).to.equal(RewindingArgs);
    expect(g.dataset.defaults).to.include({ dataset_name: 'mnist', batch_size: 128 });
    expect(g.model.defaults).to.include({ model_name: 'mnist_lenet_300_100' });
    expect(g.pruning.hparams).to.equal(SparseGlobalPruningHparams);
    expect(g.pruning.defaults).to.include({ pruning_strategy: 'sparse_global', pruning_layers_to_ignore: 'fc.weight' });
  });

  it('shows only --pruning_strategy without a strategy, and the chosen strategy without foreign defaults', () => {
    expect(byKey(wf().flagGroups({ positionals: [] })).pruning.hparams).to.equal(PruningHparams);
    const g = byKey(wf().flagGroups({ positionals: [], pruning_strategy: 'sparse_global' })).pruning;
    expect(g.hparams).to.equal(SparseGlobalPruningHparams);
    const other = byKey(wf().flagGroups({ default_hparams: 'mnist_lenet_300_100', pruning_strategy: 'lottery_test_keep_all', positionals: [] })).pruning;
    expect(other.hparams).to.equal(KeepAllHparams);
    expect(other.defaults).to.deep.equal({ pruning_strategy: 'lottery_test_keep_all' });
  });

  it('adds the --pretrain_* groups with --pretrain, pretraining steps defaulting to 0ep', () => {
    const gs = wf().flagGroups({ default_hparams: 'mnist_lenet_300_100', pretrain: true, positionals: [] });
    const g = byKey(gs);
    expect(gs.map((x) => x.key).slice(-2)).to.deep.equal(['pretrain_training', 'pretrain_dataset']);
    expect(g.pretrain_training).to.include({ hparams: TrainingHparams, prefix: 'pretrain', title: 'Training Hyperparameters for Pretraining' });
    expect(g.pretrain_training.defaults).to.include({ training_steps: '0ep', lr: 0.1 });
    expect(g.pretrain_dataset).to.include({ hparams: DatasetHparams, prefix: 'pretrain', title: 'Dataset Hyperparameters for Pretraining' });
    expect(g.training.defaults).to.include({ training_steps: '40ep' });
  });

  it('builds the desc and runner from a job and prints level_0/main as the output location', () => {
    const groups: Record<string, Hparams> = {
      lottery: LotteryArgs.create({ levels: '3' }),
      rewinding: RewindingArgs.create({ rewinding_steps: '1ep' }),
      dataset: DatasetHparams.create({ dataset_name: 'lottery_toy', batch_size: 30 }),
      model: ModelHparams.create({ model_name: 'mnist_lenet_20_10', model_init: 'kaiming_normal', batchnorm_init: 'uniform' }),
      training: TrainingHparams.create({ optimizer_name: 'sgd', lr: 0.1, training_steps: '2ep' }),
      pruning: SparseGlobalPruningHparams.create({ pruning_strategy: 'sparse_global' }),
    };
    const job = testJob(session, { groups, args: { replicate: 2 }, platform: testPlatform('/results'), out: new RecordingOutput() });
    const desc = LotteryDesc.fromGroups(groups, registry);
    expect(desc.pretrain_training_hparams!.training_steps).to.equal('1ep');
    expect(wf().outputLocations(job)).to.deep.equal([`/results/${desc.hashname}/replicate_2/level_0/main`]);
    const runner = runnerFor(job);
    expect(runner.desc.hashname).to.equal(desc.hashname);
    expect(runner.levelRoot(3)).to.equal(`/results/${desc.hashname}/replicate_2/level_3/main`);
  });

  it('sizes the output layer by the class count (4 with rotation labels; quirk 14 fixed) and seeds by replicate', () => {
    const rotation = toyDesc({ dataset: { unsupervised_labels: 'rotation' } });
    expect(modelBuildOptions(rotation, 1)).to.deep.equal({ outputs: 4, inputShape: [28, 28, 1], seed: 'replicate_1', registry: rotation.registry });
    const m = buildLotteryModel(rotation, 1);
    expect(m.state.find((e) => e.name === 'fc.weight')!.variable.shape).to.deep.equal([4, 10]);
    m.dispose();
    expect(modelBuildOptions(toyDesc({ model: { model_seed: 7 } }), 3).seed).to.equal(7);
    const pre = toyDesc({ pretrain: { dataset: { dataset_name: 'lottery_toy_4' }, training: {} } });
    expect(modelBuildOptions(pre, 1, true).outputs).to.equal(4);
    expect(modelBuildOptions(pre, 1).outputs).to.equal(10);
  });
});
