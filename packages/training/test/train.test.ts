import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Mask, Step, loadSafetensors, saveSafetensors, type Model, type SafeTensor } from '@lth/kernel';
import { DataLoader } from '@lth/data';
import {
  CHECKPOINT_FILE,
  LOGGER_FILE,
  LrSchedule,
  MetricLogger,
  createOptimizer,
  evaluate,
  standardCallbacks,
  train,
  trainStep,
  type TrainOptions,
  type TrainingCallback,
} from '../src';
import { removeDir, tempDir, useCpuBackend } from '@lth/testing';
import { RecordingOutput, TinyNet, snapshot, tinyLoader, tinySource, trainingHparams } from './helpers';

const IPE = 3; // 12 examples, batch 4

function setup(seed = 'init', hidden = 8) {
  return { model: new TinyNet([4, 4, 1], 3, seed, hidden), loader: tinyLoader(12, 4), testLoader: new DataLoader(tinySource(9, 'test'), 4) };
}

/** Everything in a directory: file name → bytes. */
function dirContents(dir: string): Map<string, string> {
  return new Map(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f)).toString('base64')]));
}

describe('train', () => {
  let dir: string;
  let models: Model[] = [];
  before(useCpuBackend);
  beforeEach(() => (dir = tempDir('training')));
  afterEach(() => {
    removeDir(dir);
    models.forEach((m) => m.dispose());
    models = [];
  });
  const make = (seed = 'init', hidden = 8) => {
    const s = setup(seed, hidden);
    models.push(s.model);
    return s;
  };

  it('runs the callbacks before every step and once more at the end: N steps, N + 1 rounds', async () => {
    const { model, loader } = make();
    const seen: number[] = [];
    const out = await train({ training: trainingHparams(), model, loader, outputLocation: dir, callbacks: [(c) => void seen.push(c.step.iteration)] });
    expect(seen).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
    expect(out.stepsTaken).to.equal(6);
    expect(out.endStep.iteration).to.equal(2 * IPE);
  });

  it('starts at startStep, and does nothing when the end is not after the start', async () => {
    const { model, loader } = make();
    const seen: number[] = [];
    const cb: TrainingCallback = (c) => void seen.push(c.step.iteration);
    const out = await train({ training: trainingHparams(), model, loader, outputLocation: dir, callbacks: [cb], startStep: Step.fromIteration(4, IPE) });
    expect(seen).to.deep.equal([4, 5, 6]);
    expect(out.stepsTaken).to.equal(2);
    seen.length = 0;
    await train({ training: trainingHparams({ training_steps: '1ep' }), model, loader, outputLocation: path.join(dir, 'x'), callbacks: [cb], startStep: Step.fromIteration(3, IPE) });
    expect(seen).to.deep.equal([]);
  });

  it('reaches the barrier also when stopping at the end step; only the primary process writes files', async () => {
    const { model, loader, testLoader } = make();
    let barriers = 0;
    const platform = { isPrimary: false, barrier: async () => void barriers++ };
    const callbacks = standardCallbacks({ testLoader, endStep: Step.fromStr('1ep', IPE), platform });
    await train({ training: trainingHparams({ training_steps: '1ep' }), model, loader, outputLocation: dir, callbacks, platform });
    expect(barriers).to.equal(1);
    expect(fs.readdirSync(dir)).to.deep.equal([]);
  });

  it('shuffles epoch ep with seed data_order_seed + ep, and draws and reports a base seed when unset', async () => {
    const { model } = make();
    const seeds: Array<number | string | null> = [];
    const inner = tinyLoader(12, 4);
    const loader = { iterationsPerEpoch: IPE, epoch: (seed: number | string | null, skip?: number) => (seeds.push(seed), inner.epoch(seed, skip)) };
    await train({ training: trainingHparams({ data_order_seed: 40, training_steps: '2ep1it' }), model, loader, outputLocation: dir });
    expect(seeds).to.deep.equal([40, 41, 42]);
    seeds.length = 0;
    const out = await train({ training: trainingHparams({ data_order_seed: null, training_steps: '1ep1it' }), model, loader, outputLocation: path.join(dir, 'b') });
    expect(seeds).to.deep.equal([out.dataOrderSeed, out.dataOrderSeed + 1]);
    expect(out.dataOrderSeed).to.be.a('number');
  });

  it('logs train_loss (the mean of the steps since the last epoch boundary) and lr at every epoch boundary and the end, after the test metrics', async () => {
    const training = trainingHparams({ training_steps: '2ep1it', milestone_steps: '1ep', gamma: 0.5 });
    const a = make('series');
    await train({ training, model: a.model, loader: a.loader, outputLocation: dir, callbacks: standardCallbacks({ testLoader: a.testLoader, endStep: Step.fromStr('2ep1it', IPE) }) });
    const logger = MetricLogger.createFromFile(dir);
    const b = make('series');
    const trainable = b.model.state.filter((e) => e.role !== 'buffer').map((e) => e.variable);
    const opt = createOptimizer(training, b.model.state.filter((e) => e.role !== 'buffer').map((e) => ({ name: e.name, variable: e.variable, layout: e.layout, mask: null })));
    const schedule = new LrSchedule(training, IPE);
    const expected: Array<[number, number, number]> = [];
    let losses: number[] = [];
    let iteration = 0;
    for (let ep = 0; ep <= 2 && iteration < 2 * IPE + 1; ep++) {
      for await (const batch of b.loader.epoch(7 + ep)) {
        losses.push(trainStep(b.model, trainable, opt, batch, schedule.lr(iteration), true)!);
        iteration++;
        if (iteration % IPE === 0 || iteration === 2 * IPE + 1) {
          expected.push([iteration, losses.reduce((x, y) => x + y, 0) / losses.length, schedule.lr(iteration - 1)]);
          losses = [];
        }
        if (iteration === 2 * IPE + 1) break;
      }
    }
    opt.dispose();
    const got = logger.getData('train_loss');
    expect(got.map(([it]) => it)).to.deep.equal(expected.map(([it]) => it));
    got.forEach(([, v], i) => expect(v).to.be.closeTo(expected[i][1], 1e-6));
    expect(logger.getData('lr')).to.deep.equal(expected.map(([it, , lr]) => [it, lr]));
    expect(logger.getData('lr').map(([, lr]) => lr)).to.deep.equal([0.1, 0.05, 0.05]);
    expect(logger.toString().split('\n').slice(3, 8).map((l) => l.split(',')[0])).to.deep.equal(['test_loss', 'test_accuracy', 'test_examples', 'train_loss', 'lr']);
  });

  it('leaks no tensors: the count is flat across steps and back where it was after training', async () => {
    const { model, loader, testLoader } = make();
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const callbacks = [
      ...standardCallbacks({ testLoader, endStep: Step.fromStr('3ep', IPE) }),
      (() => void counts.push(tf.memory().numTensors)) as TrainingCallback,
    ];
    await train({ training: trainingHparams({ training_steps: '3ep', momentum: 0.9, weight_decay: 1e-3 }), model, loader, outputLocation: dir, callbacks });
    expect(counts.length).to.equal(10);
    expect(new Set(counts.slice(1)).size, `tensor counts ${counts}`).to.equal(1);
    expect(tf.memory().numTensors).to.equal(before);
  });

  it('does not update or decay frozen parameters; buffers still update in training mode', async () => {
    const { model, loader } = make();
    model.fc.bias!.trainable = false;
    const before = snapshot(model);
    await train({ training: trainingHparams({ weight_decay: 0.1, momentum: 0.9 }), model, loader, outputLocation: dir });
    const after = snapshot(model);
    expect(after.get('fc.bias')).to.deep.equal(before.get('fc.bias'));
    expect(after.get('fc.weight')).to.not.deep.equal(before.get('fc.weight'));
    expect(after.get('bn.running_mean')).to.not.deep.equal(before.get('bn.running_mean'));
    expect(Array.from(after.get('bn.num_batches_tracked')!)).to.deep.equal([6]);
  });

  it('takes a zero-learning-rate first step under warmup', async () => {
    const { model, loader } = make();
    const before = snapshot(model);
    await train({ training: trainingHparams({ training_steps: '1it', warmup_steps: '10it' }), model, loader, outputLocation: dir });
    const after = snapshot(model);
    for (const e of model.state) if (e.role !== 'buffer') expect(after.get(e.name), e.name).to.deep.equal(before.get(e.name));
  });

  it('standard callbacks: evaluates at start, every epoch and end; saves start and end models, the logger, checkpoints', async () => {
    const { model, loader, testLoader } = make();
    const out = new RecordingOutput();
    const end = Step.fromStr('2ep1it', IPE);
    const callbacks = standardCallbacks({ testLoader, endStep: end, out });
    await train({ training: trainingHparams({ training_steps: '2ep1it' }), model, loader, outputLocation: dir, callbacks });
    const logger = fs.readFileSync(path.join(dir, LOGGER_FILE), 'utf8');
    expect(logger.split('\n').filter((l) => l.startsWith('test_accuracy')).map((l) => Number(l.split(',')[1]))).to.deep.equal([0, 3, 6, 7]);
    expect(logger).to.match(/^test_loss,0,\d+\.\d+\ntest_accuracy,0,0\.\d+\ntest_examples,0,9\.0\ntest_loss,3,/);
    expect(logger.endsWith('\n')).to.equal(false);
    expect(fs.readdirSync(dir).sort()).to.deep.equal([CHECKPOINT_FILE, LOGGER_FILE, 'model_ep0_it0.safetensors', 'model_ep2_it1.safetensors']);
    expect(out.lines).to.have.length(4);
    expect(out.lines[0]).to.match(/^test\tep 000\tit 000\tloss \d+\.\d{3}\tacc \d+\.\d{2}%\tex 9\ttime 0\.00s$/);
    expect(out.lines[3]).to.match(/^test\tep 002\tit 001\tloss \d+\.\d{3}\tacc \d+\.\d{2}%\tex 9\ttime \d+\.\d{2}s$/);
    const ckpt = loadSafetensors(path.join(dir, CHECKPOINT_FILE));
    expect([ckpt.metadata.ep, ckpt.metadata.it]).to.deep.equal(['2', '0']);
  });

  it('standard callbacks with evaluate_only_at_end: evaluates at the start and end only, with the timekeeper', async () => {
    const { model, loader, testLoader } = make();
    const out = new RecordingOutput();
    const callbacks = standardCallbacks({ testLoader, endStep: Step.fromStr('2ep1it', IPE), out, evaluateEveryEpoch: false });
    await train({ training: trainingHparams({ training_steps: '2ep1it' }), model, loader, outputLocation: dir, callbacks });
    const logger = fs.readFileSync(path.join(dir, LOGGER_FILE), 'utf8');
    expect(logger.split('\n').filter((l) => l.startsWith('test_loss')).map((l) => Number(l.split(',')[1]))).to.deep.equal([0, 7]);
    expect(out.lines.filter((l) => l.startsWith('Ep '))).to.have.length(3);
    expect(out.lines.find((l) => l.startsWith('Ep '))).to.equal('Ep 0\tIt 0\tTime Elapsed 0.00');
    expect(out.lines.filter((l) => l.startsWith('test\t'))).to.have.length(2);
  });

  it('standard callbacks print nothing when not verbose or quiet, and show a progress bar per epoch', async () => {
    const { model, loader, testLoader } = make();
    const quiet = new RecordingOutput(true);
    await train({ training: trainingHparams(), model, loader, outputLocation: dir, callbacks: standardCallbacks({ testLoader, endStep: Step.fromStr('2ep', IPE), out: quiet }) });
    expect(quiet.lines).to.deep.equal([]);
    const tty = new RecordingOutput(false, true);
    await train({ training: trainingHparams(), model, loader, outputLocation: path.join(dir, 'b'), out: tty });
    expect(tty.bars.map((b) => [b.total, b.label, b.updates, b.stopped])).to.deep.equal([
      [IPE, 'ep 0', 3, true],
      [IPE, 'ep 1', 3, true],
    ]);
    const labelled = new RecordingOutput(false, true);
    await train({ training: trainingHparams(), model, loader, outputLocation: path.join(dir, 'c'), out: labelled, progressLabel: 'level 2/5' });
    expect(labelled.bars.map((b) => b.label)).to.deep.equal(['level 2/5 ep 0', 'level 2/5 ep 1']);
    expect(labelled.bars[0].info).to.match(/^loss \d+\.\d{3}  \d+\.\d it\/s  ETA \d+m\d\ds$/);
    expect(labelled.bars[1].info).to.match(/ETA 0m00s$/);
  });

  it('evaluates with a final batch of one: loss is the per-example mean, accuracy a fraction', async () => {
    const { model, testLoader } = make();
    const a = await evaluate(model, testLoader);
    const b = await evaluate(model, new DataLoader(tinySource(9, 'test'), 9));
    expect(a.examples).to.equal(9);
    expect(a.loss).to.be.closeTo(b.loss, 1e-6);
    expect(a.accuracy).to.equal(b.accuracy);
    expect(a.accuracy * 9).to.be.closeTo(Math.round(a.accuracy * 9), 1e-9);
  });

  it('keeps pruned weights exactly zero in memory, in every saved file and in the optimizer state', async () => {
    const { model, loader, testLoader } = make();
    const mask = new Mask();
    for (const name of ['fc_layers.0.weight', 'fc.weight']) {
      const v = model.state.find((e) => e.name === name)!.variable;
      mask.set(name, { data: Float32Array.from({ length: v.size }, (_, i) => (i % 3 === 0 ? 0 : 1)), shape: v.shape, layout: 'same' });
    }
    const end = Step.fromStr('2ep1it', IPE);
    await train({
      training: trainingHparams({ training_steps: '2ep1it', momentum: 0.9, weight_decay: 0.05 }),
      model,
      loader,
      outputLocation: dir,
      callbacks: standardCallbacks({ testLoader, endStep: end }),
      mask,
    });
    const files = ['model_ep0_it0.safetensors', 'model_ep2_it1.safetensors', CHECKPOINT_FILE].map((f) => loadSafetensors(path.join(dir, f)).tensors);
    for (const [name, entry] of mask.entries) {
      const live = model.state.find((e) => e.name === name)!.variable.dataSync();
      const sources = [live, ...files.map((t) => t.get(name)!.data), files[2].get(`optimizer.momentum_buffer.${name}`)!.data];
      for (const values of sources) {
        let zeros = 0;
        let nonzero = 0;
        entry.data.forEach((m, i) => (m === 0 ? (values[i] === 0 ? zeros++ : 0) : values[i] !== 0 ? nonzero++ : 0));
        expect(zeros).to.equal(entry.data.filter((m) => m === 0).length);
        expect(nonzero).to.be.greaterThan(0);
      }
    }
  });

  async function interrupted(o: Omit<TrainOptions, 'callbacks'>, end: Step, stopAt: number): Promise<number> {
    let seed = -1;
    const stop: TrainingCallback = (c) => {
      seed = c.dataOrderSeed;
      if (c.step.iteration === stopAt) throw new Error('interrupted');
    };
    const testLoader = new DataLoader(tinySource(9, 'test'), 4);
    await train({ ...o, callbacks: [...standardCallbacks({ testLoader, endStep: end }), stop] }).then(
      () => expect.fail('should have been interrupted'),
      (e: Error) => expect(e.message).to.equal('interrupted'),
    );
    return seed;
  }

  it('resumes from the checkpoint mid-run to the same logger, weights and files as an uninterrupted run', async () => {
    const training = trainingHparams({ training_steps: '3ep1it', momentum: 0.9, weight_decay: 1e-3, milestone_steps: '2ep', gamma: 0.5 });
    const end = Step.fromStr('3ep1it', IPE);
    const a = make('same');
    const dirA = path.join(dir, 'a');
    await train({ training, model: a.model, loader: a.loader, outputLocation: dirA, callbacks: standardCallbacks({ testLoader: a.testLoader, endStep: end }) });

    const dirB = path.join(dir, 'b');
    const b = make('same');
    await interrupted({ training, model: b.model, loader: b.loader, outputLocation: dirB }, end, 5);
    expect(MetricLogger.createFromFile(dirB).getData('test_accuracy').map(([it]) => it), 'the logger is saved at every epoch boundary').to.deep.equal([0, 3]);
    const c = make('another-init-the-checkpoint-replaces');
    const out = await train({ training, model: c.model, loader: c.loader, outputLocation: dirB, callbacks: standardCallbacks({ testLoader: c.testLoader, endStep: end }) });
    expect(out.resumedFrom?.iteration).to.equal(3);
    expect(out.stepsTaken).to.equal(7);
    expect(dirContents(dirB)).to.deep.equal(dirContents(dirA));
    expect(snapshot(c.model)).to.deep.equal(snapshot(a.model));
  });

  it('removes temporary files that killed writes left behind, keeping those of live processes', async () => {
    const { model, loader } = make();
    fs.mkdirSync(dir, { recursive: true });
    const dead = `.checkpoint.safetensors.${2 ** 22 + 12345}.0.tmp`;
    const live = `.logger.${process.ppid}.3.tmp`;
    for (const f of [dead, live, 'notes.tmp']) fs.writeFileSync(path.join(dir, f), 'x');
    await train({ training: trainingHparams({ training_steps: '1it' }), model, loader, outputLocation: dir });
    expect(fs.readdirSync(dir).sort()).to.deep.equal([live, 'notes.tmp'].sort());
  });

  it('keeps a drawn data order seed across a resume', async () => {
    const training = trainingHparams({ data_order_seed: null, training_steps: '2ep' });
    const end = Step.fromStr('2ep', IPE);
    const b = make();
    const seed = await interrupted({ training, model: b.model, loader: b.loader, outputLocation: dir }, end, 4);
    const c = make();
    const out = await train({ training, model: c.model, loader: c.loader, outputLocation: dir });
    expect(out.dataOrderSeed).to.equal(seed);
    expect(out.resumedFrom?.iteration).to.equal(3);
  });

  it('refuses a truncated or mismatched checkpoint with CORRUPT_CHECKPOINT, changing nothing on disk', async () => {
    const training = trainingHparams({ training_steps: '2ep', momentum: 0.9 });
    const b = make();
    await interrupted({ training, model: b.model, loader: b.loader, outputLocation: dir }, Step.fromStr('2ep', IPE), 4);
    const file = path.join(dir, CHECKPOINT_FILE);
    const full = fs.readFileSync(file);
    fs.writeFileSync(file, full.subarray(0, Math.floor(full.length / 2)));
    const before = dirContents(dir);
    const c = make();
    const attempt = () => train({ training, model: c.model, loader: c.loader, outputLocation: dir, callbacks: standardCallbacks({ testLoader: c.testLoader, endStep: Step.fromStr('2ep', IPE) }) });
    let err = await attempt().catch((e: Error & { code?: string }) => e);
    expect(err).to.have.property('code', 'CORRUPT_CHECKPOINT');
    expect((err as Error).message).to.include(file).and.to.include('Delete it');
    expect(dirContents(dir)).to.deep.equal(before);

    fs.writeFileSync(file, full);
    const other = make('x', 5);
    err = await train({ training, model: other.model, loader: other.loader, outputLocation: dir }).catch((e: Error) => e);
    expect(err).to.have.property('code', 'CORRUPT_CHECKPOINT');
    expect((err as Error).message).to.match(/fc_layers\.0\.weight/);

    err = await train({ training: trainingHparams({ training_steps: '2ep', optimizer_name: 'adam' }), model: c.model, loader: c.loader, outputLocation: dir }).catch((e: Error) => e);
    expect(err).to.have.property('code', 'CORRUPT_CHECKPOINT');
    expect(fs.readFileSync(file).equals(full)).to.equal(true);
  });

  it('refuses a checkpoint with NaN or infinite values, or past the end of training; records its backend and reports a resume on another', async () => {
    const training = trainingHparams({ training_steps: '2ep', momentum: 0.9 });
    const b = make();
    await interrupted({ training, model: b.model, loader: b.loader, outputLocation: dir }, Step.fromStr('2ep', IPE), 4);
    const file = path.join(dir, CHECKPOINT_FILE);
    const full = fs.readFileSync(file);
    const { tensors, metadata } = loadSafetensors(file);
    expect(metadata.backend).to.equal(tf.getBackend());
    const rewrite = (change: (t: Map<string, SafeTensor>, md: Record<string, string>) => void) => {
      const t = new Map([...tensors].map(([k, v]) => [k, { ...v, data: v.data.slice() }] as [string, SafeTensor]));
      const md = { ...metadata };
      change(t, md);
      saveSafetensors(file, t, md);
    };
    const attempt = async () => {
      const c = make();
      return train({ training, model: c.model, loader: c.loader, outputLocation: dir }).catch((e: Error) => e);
    };
    for (const bad of [NaN, Infinity, -Infinity]) {
      rewrite((t) => ((t.get('fc_layers.0.weight')!.data as Float32Array)[3] = bad));
      const err = await attempt();
      expect(err).to.have.property('code', 'CORRUPT_CHECKPOINT');
      expect((err as Error).message).to.match(/fc_layers\.0\.weight holds NaN or infinite values/);
    }
    rewrite((t, md) => Object.assign(md, { ep: '9', it: '0', iteration: String(9 * IPE) }));
    const err = await attempt();
    expect(err).to.have.property('code', 'CORRUPT_CHECKPOINT');
    expect((err as Error).message).to.match(/its step, iteration 27, is past the end of training, iteration 6/);

    rewrite((t, md) => (md.backend = 'elsewhere'));
    const out = new RecordingOutput();
    const c = make();
    await train({ training, model: c.model, loader: c.loader, outputLocation: dir, out });
    expect(out.lines.join('\n')).to.match(new RegExp(`Resuming .* at ep \\d+ it \\d+ on the ${tf.getBackend()} backend; its checkpoint was written on elsewhere`));
    fs.writeFileSync(file, full);
  });
});
