import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadSafetensors, Mask, Step, type Model } from '@lth/kernel';
import { modelFileName } from '@lth/nn';
import { listFiles, removeDir, tempDir, useCpuBackend } from '@lth/testing';
import { countMaskViolations, LOTTERY_RUN_FILE, loadLevelMask, loadLevelWeights } from '../src';
import { toyDesc, toyRunner } from './helpers';

const values = (m: Model) => new Map(m.state.map((e) => [e.name, Array.from(e.variable.dataSync())]));
const mtimes = (dir: string) => new Map(listFiles(dir).map((f) => [f, fs.statSync(path.join(dir, f)).mtimeMs]));

describe('lottery runner (end to end, LeNet 20_10 on synthetic data)', function () {
  this.timeout(120000);
  let root: string;

  before(useCpuBackend);
  beforeEach(() => {
    root = tempDir('runner');
  });
  afterEach(() => removeDir(root));

  it('trains level 0 dense and prunes 20% of the remaining weights per level, with OpenLTH layout', async () => {
    const desc = toyDesc({ training: { momentum: 0.9, weight_decay: 0.01 } });
    const { runner, out } = toyRunner(root, desc, 2);
    const rows = await runner.run();
    const start = desc.trainStartStep;
    const end = desc.trainEndStep;
    expect(end.iteration).to.equal(16);
    const rep = path.join(root, desc.hashname, 'replicate_1');
    const files = listFiles(rep);
    for (const f of ['hparams.log', 'desc.json', LOTTERY_RUN_FILE]) expect(files).to.include(`level_0/main/${f}`);
    for (const level of [0, 1, 2]) {
      for (const f of ['mask.safetensors', 'sparsity_report.json', 'logger', modelFileName(start), modelFileName(end)]) {
        expect(files).to.include(`level_${level}/main/${f}`);
      }
    }
    expect(files.filter((f) => f.startsWith('level_1/') && f.endsWith('hparams.log'))).to.deep.equal([]);
    expect(files.some((f) => f.includes('level_pretrain'))).to.equal(false);
    expect(files.some((f) => f.endsWith('.tmp'))).to.equal(false);

    // Densities: 15980 prunable weights, fc.weight (100) ignored but counted in remaining.
    expect(rows.map((r) => r.total)).to.deep.equal([15980, 15980, 15980]);
    expect(rows[0].unpruned).to.equal(15980);
    expect(rows[1].unpruned).to.equal(15980 - 3197);
    expect(rows[2].unpruned).to.be.at.most(12783 - (Math.ceil(0.2 * 12783) + 1));
    const report = JSON.parse(fs.readFileSync(path.join(rep, 'level_2/main/sparsity_report.json'), 'utf8'));
    expect(report.unpruned).to.equal(rows[2].unpruned);
    expect(report.layers['fc.weight']).to.deep.equal({ total: 100, unpruned: 100 });

    // Every level starts from the level-0 initial weights, masked; pruned weights are exactly
    // zero in the start, end and checkpoint files despite momentum and weight decay.
    const init = loadLevelWeights(desc, root, 1, 0, start);
    for (const level of [1, 2]) {
      const s = loadLevelWeights(desc, root, 1, level, start);
      const e = loadLevelWeights(desc, root, 1, level, end);
      const mask = loadLevelMask(desc, root, 1, level, s);
      expect(countMaskViolations(s, mask)).to.equal(0);
      expect(countMaskViolations(e, mask)).to.equal(0);
      const iv = values(init);
      for (const [name, v] of values(s)) {
        const m = mask.get(name);
        expect(v).to.deep.equal(m ? iv.get(name)!.map((x, i) => x * m.data[i]) : iv.get(name));
      }
      // The checkpoint's weights and optimizer state (momentum) are masked too.
      const ckpt = loadSafetensors(path.join(rep, `level_${level}/main/checkpoint.safetensors`)).tensors;
      const masked = [...ckpt.keys()].filter((k) => k === 'fc_layers.0.weight' || (k.startsWith('optimizer.') && k.endsWith('.fc_layers.0.weight')));
      expect(masked.length, `checkpoint tensors: ${[...ckpt.keys()]}`).to.be.at.least(2);
      const m = mask.get('fc_layers.0.weight')!.data;
      for (const k of masked) {
        const w = ckpt.get(k)!.data;
        let bad = 0;
        for (let i = 0; i < m.length; i++) if (m[i] === 0 && w[i] !== 0) bad++;
        expect(bad, k).to.equal(0);
      }
      // Trained weights moved where the mask keeps them.
      expect(values(e).get('fc_layers.0.weight')).to.not.deep.equal(values(s).get('fc_layers.0.weight'));
      s.dispose();
      e.dispose();
    }
    init.dispose();

    // Banners and the closing table.
    const text = out.text;
    expect(text).to.contain('Lottery Ticket Experiment (Replicate 1)');
    expect(text).to.contain(`Output Location: ${desc.runPath(root, 1, 0)}`);
    for (const l of [0, 1, 2]) expect(text).to.contain(`Pruning Level ${l}`);
    expect(text).to.not.contain('Pretraining');
    const table = text.slice(text.indexOf('Lottery Ticket Summary (Replicate 1)'));
    expect(table).to.match(/Level\s+Weights remaining\s+Final test acc\s+Best test acc @ iteration/);
    expect(table).to.match(/\n\s*0\s+15980 \(100\.00%\)\s+\d+\.\d\d%\s+\d+\.\d\d% @ \d+/);
    expect(table).to.match(/\n\s*1\s+12783 \(79\.99%\)/);
    for (const r of rows) {
      expect(r.finalIteration).to.equal(16);
      expect(r.finalAccuracy).to.be.within(0, 1);
      expect(r.bestAccuracy).to.be.at.least(r.finalAccuracy);
    }
    expect(rows[0].finalAccuracy).to.be.above(0.5);
  });

  it('skips everything on disk: a second run trains nothing and still prints the table; more levels add only new ones', async () => {
    const desc = toyDesc();
    await toyRunner(root, desc, 1).runner.run();
    const rep = path.join(root, desc.hashname, 'replicate_1');
    const before = mtimes(rep);
    const { runner, out } = toyRunner(root, desc, 1);
    const rows = await runner.run();
    const after = mtimes(rep);
    for (const [f, t] of before) if (f.includes('model_') || f.includes('mask') || f === 'level_0/main/logger') expect(after.get(f), f).to.equal(t);
    expect(out.text).to.contain('Level 0 is already trained');
    expect(out.text).to.contain('Level 1 is already trained');
    expect(out.text).to.contain('Lottery Ticket Summary');
    expect(rows).to.have.length(2);

    const third = toyRunner(root, desc, 2);
    await third.runner.run();
    const later = mtimes(rep);
    for (const [f, t] of after) if (f.includes('model_') || f.includes('mask')) expect(later.get(f), f).to.equal(t);
    expect(listFiles(rep)).to.include(`level_2/main/${modelFileName(desc.trainEndStep)}`);
    expect(third.out.text).to.contain('Level 1 is already trained');
    expect(third.out.text).to.not.contain('Level 2 is already trained');
    const run = JSON.parse(fs.readFileSync(path.join(rep, 'level_0/main', LOTTERY_RUN_FILE), 'utf8'));
    expect(run).to.deep.equal({ hashname: desc.hashname, replicate: 1, levels: 2 });
  });

  it('rewinds: pretrains K steps in level_pretrain and starts every level at step K from those weights', async () => {
    const desc = toyDesc({ rewindingSteps: '5it' });
    const { runner, out } = toyRunner(root, desc, 1);
    const rows = await runner.run();
    expect(desc.trainStartStep.iteration).to.equal(5);
    expect(out.text).to.contain('Pretraining');
    const rep = path.join(root, desc.hashname, 'replicate_1');
    const files = listFiles(rep);
    expect(files).to.include('level_pretrain/main/model_ep0_it5.safetensors');
    expect(files).to.include('level_0/main/model_ep0_it5.safetensors');
    expect(files).to.not.include('level_0/main/model_ep0_it0.safetensors');
    const pre = loadLevelWeights(desc, root, 1, 'pretrain', desc.pretrainEndStep);
    const l0 = loadLevelWeights(desc, root, 1, 0, desc.trainStartStep);
    expect(values(l0)).to.deep.equal(values(pre));
    pre.dispose();
    l0.dispose();
    // The main phase trains from step 5 to step 16, evaluating at the start and end.
    const logger = fs.readFileSync(path.join(rep, 'level_1/main/logger'), 'utf8');
    expect(logger.split('\n')[0]).to.match(/^test_loss,5,/);
    expect(rows[1].finalIteration).to.equal(16);
  });

  it('pretrains on a dataset with a different class count and gives the main task a fresh output layer', async () => {
    const desc = toyDesc({ pretrain: { dataset: { dataset_name: 'lottery_toy_4' }, training: { training_steps: '1ep' } } });
    expect(desc.pretrain).to.equal(true);
    const { runner } = toyRunner(root, desc, 0);
    await runner.run();
    // lottery_toy_4: 160 images, batch 30, 6 iterations per epoch; 1ep on the main dataset is 8.
    expect(desc.pretrainEndStep.iteration).to.equal(6);
    expect(desc.trainStartStep.iteration).to.equal(8);
    const pre = loadLevelWeights(desc, root, 1, 'pretrain', desc.pretrainEndStep);
    const l0 = loadLevelWeights(desc, root, 1, 0, desc.trainStartStep);
    const pv = values(pre);
    const shapes = new Map(l0.state.map((e) => [e.name, e.variable.shape]));
    for (const [name, v] of values(l0)) {
      if (name.startsWith('fc.')) {
        expect(shapes.get(name)![0]).to.equal(10);
        expect(pre.state.find((e) => e.name === name)!.variable.shape[0]).to.equal(4);
      } else {
        expect(v, name).to.deep.equal(pv.get(name));
      }
    }
    pre.dispose();
    l0.dispose();
  });

  it('seeds the initial weights by replicate (reproducible, different across replicates)', async () => {
    const desc = toyDesc();
    const a = tempDir('runner-a');
    try {
      await toyRunner(root, desc, 0).runner.run();
      await toyRunner(a, desc, 0).runner.run();
      await toyRunner(a, desc, 0, undefined, 2).runner.run();
      const z = Step.zero(desc.iterationsPerEpoch());
      const r1 = values(loadLevelWeights(desc, root, 1, 0, z));
      expect(values(loadLevelWeights(desc, a, 1, 0, z))).to.deep.equal(r1);
      expect(values(loadLevelWeights(desc, a, 2, 0, z)).get('fc_layers.0.weight')).to.not.deep.equal(r1.get('fc_layers.0.weight'));
      expect(Mask.exists(desc.runPath(a, 2, 0))).to.equal(true);
    } finally {
      removeDir(a);
    }
  });
});
