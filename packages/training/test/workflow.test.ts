import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  JobArgs,
  LthError,
  dataset,
  model,
  type DatasetFamily,
  type DatasetInfo,
  type DefaultHparams,
  type Hparams,
  type ImageSource,
  type Job,
  type Model,
  type ModelBuildOptions,
  type ModelFamily,
  type Platform,
} from '@lth/kernel';
import { MetricLogger, TrainWorkflow, TrainingDesc, summarizeLogger } from '../src';
import { openTestSession, removeDir, tempDir, useCpuBackend } from '@lth/testing';
import { RecordingOutput, TinyNet, tinySource } from './helpers';

const DATA = 'tiny_training_workflow_data';

@dataset({ names: [DATA] })
class TinyDatasets implements DatasetFamily {
  info(): DatasetInfo {
    return { numTrainExamples: 12, numTestExamples: 9, numClasses: 3, imageShape: [4, 4, 1] };
  }
  async load(_name: string, split: 'train' | 'test'): Promise<ImageSource> {
    return tinySource(split === 'train' ? 12 : 9, split);
  }
}

@model({ name: 'tiny_training_workflow_net', pattern: 'tinywf_N' })
class TinyNets implements ModelFamily {
  isValidModelName(name: string): boolean {
    return /^tinywf_\d+$/.test(name);
  }
  defaultHparams(name: string): DefaultHparams {
    return {
      dataset: { dataset_name: DATA, batch_size: 4 },
      model: { model_name: name, model_init: 'kaiming_normal', batchnorm_init: 'fixed' },
      training: { optimizer_name: 'sgd', lr: 0.1, training_steps: '2ep', momentum: 0.9, data_order_seed: 3 },
      pruning: { pruning_strategy: 'sparse_global' },
    };
  }
  create(name: string, o: ModelBuildOptions): Model {
    return new TinyNet(o.inputShape, o.outputs, o.rng, Number(name.split('_')[1]), name);
  }
}
const BROKEN = 'tiny_training_workflow_broken_data';

@dataset({ names: [BROKEN] })
class BrokenDatasets implements DatasetFamily {
  info(): DatasetInfo {
    return { numTrainExamples: 12, numTestExamples: 9, numClasses: 3, imageShape: [4, 4, 1] };
  }
  async load(): Promise<ImageSource> {
    throw new LthError('CORRUPT_DATASET', 'tiny data is corrupt.');
  }
}

/** Networks built for 8x8 images whatever the dataset: they cannot take the 4x4 tiny data. */
@model({ name: 'tiny_training_workflow_misfit', pattern: 'tinymisfit_N' })
class MisfitNets extends TinyNets {
  override isValidModelName(name: string): boolean {
    return /^tinymisfit_\d+$/.test(name);
  }
  override create(name: string, o: ModelBuildOptions): Model {
    return new TinyNet([8, 8, 1], o.outputs, o.rng, Number(name.split('_')[1]), name);
  }
}
void TinyDatasets;
void TinyNets;
void BrokenDatasets;
void MisfitNets;

function platform(root: string): Platform {
  return {
    name: 'test',
    root,
    datasetRoot: path.join(root, 'datasets'),
    setting: () => null,
    numWorkers: 0,
    backend: 'cpu',
    setup: async () => undefined,
    isDistributed: false,
    rank: 0,
    worldSize: 1,
    isPrimary: true,
    barrier: async () => undefined,
  };
}

const session = openTestSession({
  plugins: ['@lth/training', '@lth/plugin-model-lenet', { name: 'training workflow tests', classes: [TinyDatasets, TinyNets, BrokenDatasets, MisfitNets] }],
});
after(() => session.dispose());
const registry = session.registry;

function job(root: string, overrides: { dataset?: object; model?: object; training?: object; args?: object } = {}, out = new RecordingOutput(), defaults = 'tinywf_6'): Job & { out: RecordingOutput } {
  const wf = new TrainWorkflow(registry);
  const groups: Record<string, Hparams> = {};
  for (const g of wf.flagGroups({ default_hparams: defaults, positionals: [] })) {
    const cls = g.hparams as unknown as { create(values: Record<string, unknown>): Hparams };
    groups[g.key] = cls.create({ ...g.defaults, ...(overrides as Record<string, object>)[g.key] });
  }
  const p = platform(root);
  return { groups, args: JobArgs.create({ replicate: 1, ...overrides.args }), platform: p, positionals: [], out, registry, container: session.jobContainer({ platform: p, out }) };
}

describe('train workflow', () => {
  let root: string;
  before(useCpuBackend);
  beforeEach(() => (root = tempDir('training')));
  afterEach(() => removeDir(root));

  it('is registered as train', () => {
    expect(registry.workflow('train').instance).to.be.instanceOf(TrainWorkflow);
    expect(registry.workflow('train').description).to.equal('Train a model.');
  });

  it('builds dataset, model and training flag groups with defaults from --default_hparams', () => {
    const wf = new TrainWorkflow(registry);
    const groups = wf.flagGroups({ default_hparams: 'tinywf_6', positionals: [] });
    expect(groups.map((g) => g.key)).to.deep.equal(['dataset', 'model', 'training']);
    expect(groups[2].defaults).to.include({ lr: 0.1, momentum: 0.9 });
    expect(wf.flagGroups({ positionals: [] }).every((g) => g.defaults === undefined)).to.equal(true);
    expect(() => wf.flagGroups({ default_hparams: 'nope_net', positionals: [] })).to.throw().with.property('code', 'UNKNOWN_MODEL');
  });

  it('trains: banner, hparams.log, desc.json, models, logger, checkpoint, summary; a rerun is already complete', async () => {
    const j = job(root);
    const wf = new TrainWorkflow(registry);
    const [location] = wf.outputLocations(j);
    expect(location).to.equal(TrainingDesc.fromGroups(j.groups, registry).runPath(root, 1));
    await wf.run(j);
    expect(fs.readdirSync(location).sort()).to.deep.equal(['checkpoint.safetensors', 'desc.json', 'hparams.log', 'logger', 'model_ep0_it0.safetensors', 'model_ep2_it0.safetensors']);
    const lines = j.out.lines;
    expect(lines.slice(0, 3)).to.deep.equal(['='.repeat(82), 'Training a Model (Replicate 1)', '-'.repeat(82)]);
    expect(lines[3]).to.equal('Dataset Hyperparameters');
    const at = lines.indexOf(`Output Location: ${location}`);
    expect(lines.slice(at + 1, at + 3)).to.deep.equal(['='.repeat(82), '']);
    expect(lines.filter((l) => l.startsWith('test\t'))).to.have.length(3);
    const summary = summarizeLogger(MetricLogger.createFromFile(location));
    expect(lines).to.include(`Results: ${location}`);
    expect(lines.find((l) => l.startsWith('Final test accuracy: '))).to.include(`${(100 * summary.finalAccuracy!).toFixed(2)}%`).and.include('iteration 6 (ep 2 it 0)');
    expect(lines.some((l) => /^Best test accuracy: +\d+\.\d\d% at iteration \d+/.test(l))).to.equal(true);
    expect(lines.some((l) => /^Wall time: \d+\.\d\ds$/.test(l))).to.equal(true);

    const logger = fs.readFileSync(path.join(location, 'logger'), 'utf8');
    const again = job(root);
    await wf.run(again);
    expect(again.out.lines.some((l) => l.startsWith('Already complete: '))).to.equal(true);
    expect(again.out.lines.filter((l) => l.startsWith('test\t'))).to.deep.equal([]);
    expect(fs.readFileSync(path.join(location, 'logger'), 'utf8')).to.equal(logger);
  });

  it('is reproducible per replicate (model seed) and different across replicates', async () => {
    const wf = new TrainWorkflow(registry);
    const a = job(path.join(root, 'a'), { args: { quiet: true } });
    const b = job(path.join(root, 'b'), { args: { quiet: true } });
    const c = job(path.join(root, 'c'), { args: { quiet: true, replicate: 2 } });
    for (const j of [a, b, c]) await wf.run(j);
    const model0 = (j: Job) => fs.readFileSync(path.join(wf.outputLocations(j)[0], 'model_ep0_it0.safetensors'));
    expect(model0(a).equals(model0(b))).to.equal(true);
    expect(model0(a).equals(model0(c))).to.equal(false);
    expect(a.out.lines).to.deep.equal([]);
  });

  it('with --evaluate_only_at_end evaluates at the start and the end only', async () => {
    const j = job(root, { args: { evaluate_only_at_end: true } });
    await new TrainWorkflow(registry).run(j);
    const logger = MetricLogger.createFromFile(new TrainWorkflow(registry).outputLocations(j)[0]);
    expect(logger.getData('test_accuracy').map(([it]) => it)).to.deep.equal([0, 6]);
  });

  it('sizes the output layer by the dataset classes (4 with rotation labels)', async () => {
    const j = job(root, { dataset: { unsupervised_labels: 'rotation' }, training: { training_steps: '1it' }, args: { quiet: true } });
    await new TrainWorkflow(registry).run(j);
    const file = path.join(new TrainWorkflow(registry).outputLocations(j)[0], 'model_ep0_it0.safetensors');
    const { loadSafetensors } = await import('@lth/kernel');
    expect(loadSafetensors(file).tensors.get('fc.weight')!.shape).to.deep.equal([4, 6]);
  });

  it('trains a real model family (mnist_lenet) built by buildModel, with OpenLTH state names in every file', async () => {
    const j = job(root, { dataset: { dataset_name: DATA, batch_size: 4 }, training: { training_steps: '1ep1it', momentum: 0.9 }, args: { quiet: true } }, new RecordingOutput(), 'mnist_lenet_16_8');
    expect(j.groups.training.toString()).to.equal("Hparams(lr=0.1, momentum=0.9, optimizer_name='sgd', training_steps='1ep1it')");
    await new TrainWorkflow(registry).run(j);
    const dir = new TrainWorkflow(registry).outputLocations(j)[0];
    const { loadSafetensors } = await import('@lth/kernel');
    const end = loadSafetensors(path.join(dir, 'model_ep1_it1.safetensors')).tensors;
    expect([...end.keys()]).to.deep.equal(['fc_layers.0.weight', 'fc_layers.0.bias', 'fc_layers.1.weight', 'fc_layers.1.bias', 'fc.weight', 'fc.bias']);
    expect(end.get('fc_layers.0.weight')!.shape).to.deep.equal([16, 16]);
    expect(end.get('fc.weight')!.shape).to.deep.equal([3, 8]);
    const ckpt = loadSafetensors(path.join(dir, 'checkpoint.safetensors')).tensors;
    expect(ckpt.has('optimizer.momentum_buffer.fc_layers.1.weight')).to.equal(true);
    expect(MetricLogger.createFromFile(dir).getData('test_examples')).to.deep.equal([
      [0, 9],
      [3, 9],
      [4, 9],
    ]);
  });

  const bad: Array<[string, Parameters<typeof job>[1], string]> = [
    ['an unknown dataset', { dataset: { dataset_name: 'nope' } }, 'UNKNOWN_DATASET'],
    ['an unknown model', { model: { model_name: 'nope_1' } }, 'UNKNOWN_MODEL'],
    ['an unknown initializer', { model: { model_init: 'zeros' } }, 'UNKNOWN_INITIALIZER'],
    ['an unknown batch-norm initializer', { model: { batchnorm_init: 'zeros' } }, 'UNKNOWN_BATCHNORM_INITIALIZER'],
    ['an unknown optimizer', { training: { optimizer_name: 'lamb' } }, 'UNKNOWN_OPTIMIZER'],
    ['gamma without milestones', { training: { gamma: 0.1 } }, 'BAD_HPARAM'],
    ['both momentum flags', { training: { nesterov_momentum: 0.5 } }, 'CONFLICTING_HPARAMS'],
    ['apex_fp16', { training: { apex_fp16: true } }, 'UNSUPPORTED_HPARAM'],
    ['--training_steps=0ep', { training: { training_steps: '0ep' } }, 'BAD_STEP'],
    ['--training_steps=0it', { training: { training_steps: '0ep0it' } }, 'BAD_STEP'],
    ['a --blur_factor larger than the images', { dataset: { blur_factor: 5 } }, 'BAD_HPARAM'],
    ['--others_frozen_exceptions naming no layer', { model: { others_frozen: true, others_frozen_exceptions: 'nope.weight' } }, 'BAD_HPARAM'],
    ['a model that cannot take the dataset\'s images', { model: { model_name: 'tinymisfit_6' } }, 'MODEL_DATASET_MISMATCH'],
    ['a corrupt dataset', { dataset: { dataset_name: BROKEN } }, 'CORRUPT_DATASET'],
  ];
  for (const [what, overrides, code] of bad) {
    it(`rejects ${what} with ${code} before writing anything`, async () => {
      const results = path.join(root, 'results');
      const j = job(results, overrides);
      const err = await new TrainWorkflow(registry).run(j).catch((e: Error) => e);
      expect(err).to.have.property('code', code);
      expect(fs.existsSync(results)).to.equal(false);
      expect(j.out.lines, 'no banner').to.deep.equal([]);
    });
  }

  it('rejects an unwritable results root', async function () {
    if (process.getuid?.() === 0) {
      const file = path.join(root, 'a-file');
      fs.writeFileSync(file, '');
      const err = await new TrainWorkflow(registry).run(job(path.join(file, 'results'))).catch((e: Error) => e);
      expect(err).to.have.property('code', 'NOT_A_DIRECTORY');
      return;
    }
    fs.chmodSync(root, 0o500);
    try {
      const err = await new TrainWorkflow(registry).run(job(path.join(root, 'results'))).catch((e: Error) => e);
      expect(err).to.have.property('code', 'NOT_WRITABLE');
    } finally {
      fs.chmodSync(root, 0o700);
    }
  });
});

