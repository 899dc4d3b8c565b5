import { expect } from 'chai';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SparseGlobalPruningHparams } from '@lth/plugin-pruning-sparse-global';
import { expectLthRejection, listFiles, removeDir, tempDir, useCpuBackend } from '@lth/testing';
import { LotteryArgs, LotteryWorkflow, RewindingArgs } from '../src';
import { RecordingOutput, registry } from './fixtures';
import { toyDesc, toyRunner, type ToyExperiment } from './helpers';

/** Every file under `dir` with its content hash and modification time. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of listFiles(dir)) {
    const p = path.join(dir, f);
    out[f] = `${crypto.createHash('md5').update(fs.readFileSync(p)).digest('hex')}@${fs.statSync(p).mtimeMs}`;
  }
  return out;
}

describe('lottery: bad input is one clear error and harms nothing on disk', function () {
  this.timeout(60000);
  let root: string;
  let original: Record<string, string>;

  before(async () => {
    await useCpuBackend();
    root = tempDir('bad');
    await toyRunner(root, toyDesc(), 0).runner.run();
    original = snapshot(root);
  });
  after(() => removeDir(root));
  afterEach(() => expect(snapshot(root)).to.deep.equal(original));

  const run = (x: ToyExperiment, levels = 1) => toyRunner(root, toyDesc(x), levels).runner.run();

  it('--levels=-1', async () => {
    await expectLthRejection(() => LotteryArgs.create({ levels: '-1' }), 'BAD_HPARAM', /--levels=-1 is invalid/);
    await expectLthRejection(() => toyRunner(root, toyDesc(), -1).runner.run(), 'BAD_HPARAM', /--levels=-1/);
  });

  it('--pruning_fraction=0 and 1.5', async () => {
    for (const f of ['0', '1.5']) {
      await expectLthRejection(() => SparseGlobalPruningHparams.create({ pruning_strategy: 'sparse_global', pruning_fraction: f }), 'BAD_HPARAM', /--pruning_fraction=.* is invalid: must be a fraction in \(0, 1\]/);
    }
  });

  it('an unknown pruning strategy', async () => {
    await expectLthRejection(() => new LotteryWorkflow(registry).flagGroups({ pruning_strategy: 'sparse_lokal', positionals: [] }), 'UNKNOWN_STRATEGY', /'sparse_lokal'.*sparse_global/);
  });

  it('an ignored layer that is not a prunable weight of the model', async () => {
    await expectLthRejection(() => run({ pruning: { pruning_layers_to_ignore: 'fc.weight,fc_layers.5.weight' } }), 'UNKNOWN_LAYER', /'fc_layers\.5\.weight'.*mnist_lenet_20_10/);
    await expectLthRejection(() => run({ pruning: { pruning_layers_to_ignore: 'fc.bias' } }), 'UNKNOWN_LAYER');
  });

  it('--rewinding_steps beyond (or at) training_steps', async () => {
    await expectLthRejection(() => run({ rewindingSteps: '3ep' }), 'BAD_STEP', /rewind point 3ep \(24 iterations\) is not before the end of training, --training_steps=2ep \(16 iterations\)/);
    await expectLthRejection(() => run({ rewindingSteps: '16it' }), 'BAD_STEP');
    await expectLthRejection(() => run({ pretrain: { dataset: {}, training: { training_steps: '5ep' } } }), 'BAD_STEP');
    await expectLthRejection(() => run({ training: { training_steps: '0ep' } }), 'BAD_STEP', /--training_steps=0ep trains for no iterations/);
  });

  it('a --blur_factor larger than the images, --others_frozen_exceptions naming no layer, before any banner', async () => {
    const out = new RecordingOutput();
    const runQuiet = (x: ToyExperiment) => toyRunner(root, toyDesc(x), 1, out).runner.run();
    await expectLthRejection(() => runQuiet({ dataset: { blur_factor: 29 } }), 'BAD_HPARAM', /--blur_factor=29 is invalid for lottery_toy's 28x28 images: it must be at least 1 and at most 28/);
    await expectLthRejection(() => runQuiet({ model: { others_frozen: true, others_frozen_exceptions: 'fc.weight,nope.bias' } }), 'BAD_HPARAM', /--others_frozen_exceptions names 'nope\.bias'/);
    expect(out.lines).to.deep.equal([]);
  });

  it('--rewinding_steps together with --pretrain', async () => {
    await expectLthRejection(() => new LotteryWorkflow(registry).flagGroups({ pretrain: true, rewinding_steps: '1ep', positionals: [] }), 'BAD_ARGS', /--rewinding_steps and --pretrain/);
    await expectLthRejection(() => toyDesc({ rewindingSteps: '1ep', pretrain: { dataset: {}, training: {} } }), 'BAD_ARGS');
  });

  it('a malformed --rewinding_steps', async () => {
    await expectLthRejection(() => toyDesc({ rewindingSteps: '1epoch' }), 'BAD_STEP', /--rewinding_steps=1epoch/);
    expect(RewindingArgs.create({ rewinding_steps: '1epoch' }).rewinding_steps).to.equal('1epoch');
  });

  it('unknown datasets and models, and bad training hyperparameters', async () => {
    await expectLthRejection(() => run({ dataset: { dataset_name: 'lottery_nope' } }), 'UNKNOWN_DATASET');
    await expectLthRejection(() => run({ model: { model_name: 'mnist_lenetX_20' } }), 'UNKNOWN_MODEL');
    await expectLthRejection(() => run({ model: { model_init: 'nope' } }), 'UNKNOWN_INITIALIZER');
    await expectLthRejection(() => run({ training: { optimizer_name: 'sgdd' } }), 'UNKNOWN_OPTIMIZER');
    await expectLthRejection(() => run({ pretrain: { dataset: {}, training: { optimizer_name: 'sgdd' } } }), 'UNKNOWN_OPTIMIZER');
  });
});
