import '../src';
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Mask, Step, type ErrorCode, type Model } from '@lth/kernel';
import { loadModelState, modelFileName } from '@lth/nn';
import { BranchRunner, buildLotteryModel, LotteryDesc, LotteryRunner, registeredBranch, trunkReplicateDir } from '@lth/lottery';
import { MetricLogger } from '@lth/training';
import { expectLthRejection, listFiles, quietRun, RecordingOutput, tempDir, toyLotteryParts, useCpuBackend, openTestSession, toyImagesPlugin } from '@lth/testing';
import { renderSvg, reportExtensionsOf, reportOf } from '@lth/plugin-workflow-report';
import { InstabilityReportExtension } from '../src/report-extension';
import { instabilityFigure, interpolateInto, INSTABILITY_CSV, INSTABILITY_FILE, InstabilityBranch, PARTIAL_FILE, pathAlphas, savePartial, type InstabilityRecord } from '../src';

/** LeNet 20_10 on toy images (240 training images: 8 iterations per epoch at batch size 30). */
const TOY = 'instability_toy';
const { registry } = openTestSession({ plugins: ['@lth/training', '@lth/lottery', '@lth/plugin-model-lenet', '@lth/plugin-pruning-sparse-global', '@lth/plugin-workflow-report', '@lth/plugin-branch-instability', toyImagesPlugin({ [TOY]: { train: 240, test: 100, classes: 10 } }, 'Synthetic test images (instability tests).')] });

const trainTrunk = (root: string, desc: LotteryDesc, levels: number) => new LotteryRunner({ desc, levels, ...quietRun(root) }).run();
const branchRunner = (root: string, desc: LotteryDesc, levels: number[], args: Record<string, unknown>, out = new RecordingOutput()) =>
  new BranchRunner({ branch: 'instability', args, desc, levels, ...quietRun(root), out });

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const values = (m: Model, name: string) => Array.from(m.state.find((e) => e.name === name)!.variable.dataSync());
const readRecord = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, INSTABILITY_FILE), 'utf8')) as InstabilityRecord;

function modelFrom(desc: LotteryDesc, file: string): Model {
  const m = buildLotteryModel(desc, 1);
  loadModelState(m, file);
  return m;
}

describe('instability (end to end on a rewound LeNet trunk)', function () {
  this.timeout(180000);
  let root: string;
  let desc: LotteryDesc;

  before(async () => {
    await useCpuBackend();
    root = tempDir('instability');
    desc = LotteryDesc.create(toyLotteryParts(registry, TOY, { rewindingSteps: '3it' }));
    await trainTrunk(root, desc, 2);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('is registered with --seeds, --points and --start_at, hashed as OpenLTH hashes branch arguments', () => {
    const b = registeredBranch(registry, 'instability');
    expect(b.instance).to.be.instanceOf(InstabilityBranch);
    const [ext] = reportExtensionsOf(registry);
    expect([ext.name, ext.meta.branch, ext.plugin]).to.deep.equal(['instability', 'instability', '@lth/plugin-branch-instability']);
    expect(ext.instance).to.be.instanceOf(InstabilityReportExtension);
    expect(b.meta.args.map((a) => [a.name, a.kind, a.default])).to.deep.equal([
      ['seeds', 'str', '1,2'],
      ['points', 'int', 30],
      ['start_at', 'str', 'rewind'],
      ['batchnorm_stats', 'str', 'interpolate'],
    ]);
    const name = (args: Record<string, unknown>) => path.basename(branchRunner(root, desc, [1], args).outputLocations()[0]);
    expect(name({})).to.equal(`lottery_branch_instability_${md5('Hparams()')}`);
    expect(name({ seeds: '3,4', points: 11, start_at: 'init' })).to.equal(`lottery_branch_instability_${md5("Hparams(points=11, seeds='3,4', start_at='init')")}`);
    expect(name({ batchnorm_stats: 'interpolate', points: 30 })).to.equal(`lottery_branch_instability_${md5('Hparams()')}`);
    expect(name({ batchnorm_stats: 'recompute' })).to.equal(`lottery_branch_instability_${md5("Hparams(batchnorm_stats='recompute')")}`);
  });

  it('trains two copies from the rewind weights with different data orders, the mask exact, and measures the path between them', async () => {
    const out = new RecordingOutput();
    const r = branchRunner(root, desc, [1, 2], { points: 5 }, out);
    await r.run();
    const dir = r.outputLocations()[1];
    const start = desc.trainStartStep;
    const end = desc.trainEndStep;
    expect(start.iteration).to.equal(3);
    for (const f of ['hparams.log', 'desc.json', INSTABILITY_FILE, INSTABILITY_CSV]) expect(fs.readdirSync(dir)).to.include(f);
    expect(fs.existsSync(path.join(dir, PARTIAL_FILE))).to.equal(false);

    const levelDir = path.join(path.dirname(dir), 'main');
    const levelStart = modelFrom(desc, path.join(levelDir, modelFileName(start)));
    const mask = Mask.load(levelDir, levelStart);
    const ends: Model[] = [];
    for (const seed of [1, 2]) {
      const copy = path.join(dir, `seed_${seed}`);
      for (const f of ['mask.safetensors', 'sparsity_report.json', 'logger', 'checkpoint.safetensors', modelFileName(start), modelFileName(end)]) expect(fs.readdirSync(copy), `seed_${seed}`).to.include(f);
      expect(fs.readFileSync(path.join(copy, 'mask.safetensors')).equals(fs.readFileSync(path.join(levelDir, 'mask.safetensors')))).to.equal(true);
      const first = modelFrom(desc, path.join(copy, modelFileName(start)));
      for (const e of first.state) expect(values(first, e.name), `seed_${seed} starts at the level's rewind weights: ${e.name}`).to.deep.equal(values(levelStart, e.name));
      first.dispose();
      expect(MetricLogger.createFromFile(copy).getData('test_accuracy').map(([it]) => it)).to.deep.equal([3, 16]);
      ends.push(modelFrom(desc, path.join(copy, modelFileName(end))));
    }
    expect(values(ends[0], 'fc_layers.0.weight'), 'different data orders give different networks').to.not.deep.equal(values(ends[1], 'fc_layers.0.weight'));
    // Pruned weights are zero in both copies and everywhere on the path.
    const mid = buildLotteryModel(desc, 1);
    interpolateInto(mid, ends[0], ends[1], 0.5);
    let pruned = 0;
    for (const k of mask.keys()) {
      const m = mask.get(k)!.data;
      for (const net of [...ends, mid]) {
        const w = values(net, k);
        m.forEach((x, j) => x === 0 && expect(w[j], `${k}[${j}]`).to.equal(0));
      }
      pruned += m.filter((x) => x === 0).length;
    }
    expect(pruned).to.be.greaterThan(1000);

    const rec = readRecord(dir);
    expect(rec.level).to.equal(2);
    expect(rec.start_at).to.equal('rewind');
    expect([rec.start_iteration, rec.end_iteration, rec.points]).to.deep.equal([3, 16, 5]);
    expect(rec.batchnorm).to.match(/^interpolated: /);
    expect(rec.path.map((p) => p.alpha)).to.deep.equal(pathAlphas(5));
    expect(rec.copies.map((c) => [c.seed, c.dir, c.end_model])).to.deep.equal([
      [1, 'seed_1', path.join('seed_1', modelFileName(end))],
      [2, 'seed_2', path.join('seed_2', modelFileName(end))],
    ]);
    // The ends of the path are the copies: their errors are those their own loggers recorded.
    for (const [i, seed] of [[0, 1], [rec.path.length - 1, 2]]) {
      const acc = MetricLogger.createFromFile(path.join(dir, `seed_${seed}`)).getData('test_accuracy').at(-1)![1];
      expect(rec.path[i].test_error).to.be.closeTo(1 - acc, 1e-9);
      expect(rec.copies[seed - 1].test_error).to.equal(rec.path[i].test_error);
    }
    const errors = rec.path.map((p) => p.test_error);
    expect(rec.max_error).to.equal(Math.max(...errors));
    expect(rec.instability).to.be.closeTo(Math.max(...errors) - (errors[0] + errors[4]) / 2, 1e-12);
    expect(rec.instability).to.be.at.least(0);
    const csv = fs.readFileSync(path.join(dir, INSTABILITY_CSV), 'utf8').trim().split('\n');
    expect(csv[0]).to.equal('alpha,test_error,test_loss,test_accuracy');
    expect(csv.slice(1).map((l) => Number(l.split(',')[1]))).to.deep.equal(errors);

    // Printed: the path of each level, then one row per level.
    expect(out.text).to.match(/Linear path between the copies \(level 2, data order seeds 1 and 2, 5 points\)\n alpha   test error   test loss\n 0\.000 /);
    expect(out.text).to.match(/Instability: \d+\.\d\d% \(max test error/);
    const table = out.text.slice(out.text.indexOf('Instability (Replicate 1, from the rewind step)'));
    expect(table).to.match(/Level   Weights remaining   Error \(seed 1\)   Error \(seed 2\)   Max error on path \(alpha\)   Instability\n +1 .*\n +2 /);
    expect(table).to.include(`${(100 * rec.instability).toFixed(2)}%`);
    for (const m of [levelStart, mid, ...ends]) m.dispose();
  });

  it('run again: nothing is trained or evaluated again; an interrupted path resumes at its next point; a partial path of other weights is ignored', async () => {
    const r = branchRunner(root, desc, [2], { points: 5 });
    const dir = r.outputLocations()[0];
    const want = fs.readFileSync(path.join(dir, INSTABILITY_FILE), 'utf8');
    const stamp = (f: string) => fs.statSync(path.join(dir, f)).mtimeMs;
    const copyFiles = ['seed_1/logger', 'seed_2/logger', `seed_2/${modelFileName(desc.trainEndStep)}`];
    const before = copyFiles.map(stamp);

    const again = new RecordingOutput();
    await branchRunner(root, desc, [2], { points: 5 }, again).run();
    expect(again.text).to.match(/Already complete: .*seed_1 holds the final model/);
    expect(again.text).to.match(/Already complete: .*instability\.json holds the path between these copies/);
    expect(copyFiles.map(stamp)).to.deep.equal(before);

    // A kill after the third point: the partial file holds three points and there is no instability.json.
    const rec = JSON.parse(want) as InstabilityRecord;
    fs.rmSync(path.join(dir, INSTABILITY_FILE));
    savePartial(dir, { end_model_md5: rec.copies.map((c) => c.end_model_md5), path: rec.path.slice(0, 3) });
    const resumed = new RecordingOutput();
    await branchRunner(root, desc, [2], { points: 5 }, resumed).run();
    expect(resumed.text).to.include('Resuming the path at point 4 of 5.');
    expect(fs.readFileSync(path.join(dir, INSTABILITY_FILE), 'utf8')).to.equal(want);
    expect(fs.existsSync(path.join(dir, PARTIAL_FILE))).to.equal(false);
    expect(copyFiles.map(stamp)).to.deep.equal(before);

    // A partial path whose end weights are not these copies' (made-up errors) is recomputed.
    fs.rmSync(path.join(dir, INSTABILITY_FILE));
    savePartial(dir, { end_model_md5: ['0', '0'], path: rec.path.slice(0, 3).map((p) => ({ ...p, test_error: 0.99 })) });
    const fresh = new RecordingOutput();
    await branchRunner(root, desc, [2], { points: 5 }, fresh).run();
    expect(fresh.text).to.not.include('Resuming the path');
    expect(fs.readFileSync(path.join(dir, INSTABILITY_FILE), 'utf8')).to.equal(want);
  });

  it('--start_at=init starts both copies at step 0 from the trunk\'s initialisation with the level\'s mask', async () => {
    const r = branchRunner(root, desc, [1], { points: 3, start_at: 'init', seeds: '5,6' });
    await r.run();
    const dir = r.outputLocations()[0];
    const zero = Step.zero(8);
    const init = modelFrom(desc, path.join(trunkReplicateDir(desc, root, 1), 'level_pretrain', 'main', modelFileName(zero)));
    const mask = Mask.load(path.join(path.dirname(dir), 'main'), init);
    for (const seed of [5, 6]) {
      const copy = path.join(dir, `seed_${seed}`);
      const start = modelFrom(desc, path.join(copy, modelFileName(zero)));
      for (const k of mask.keys()) {
        const w = values(start, k);
        const w0 = values(init, k);
        mask.get(k)!.data.forEach((m, j) => expect(w[j]).to.equal(m ? w0[j] : 0));
      }
      start.dispose();
      expect(MetricLogger.createFromFile(copy).getData('test_accuracy').map(([it]) => it)).to.deep.equal([0, 16]);
    }
    const rec = readRecord(dir);
    expect([rec.start_at, rec.start_iteration, rec.points, rec.path.length]).to.deep.equal(['init', 0, 3, 3]);
    init.dispose();
  });

  it('shows in lth report: a row per level with the copies\' mean accuracy and the instability; a level in progress is running; the instability figure', async () => {
    const lottery = path.dirname(trunkReplicateDir(desc, root, 1));
    const dir2 = branchRunner(root, desc, [2], { points: 5 }).outputLocations()[0];
    const rec = readRecord(dir2);
    const rows = reportOf(lottery, registry).rows.filter((r) => r.line.startsWith('instability'));
    const row = (line: string, level: number) => rows.find((r) => r.line === line && r.level === level)!;
    const two = row('instability(points=5)', 2);
    expect([two.complete, two.running, two.partial]).to.deep.equal([1, 0, false]);
    expect(two.final.mean).to.be.closeTo(1 - rec.endpoint_error, 1e-12);
    expect(two.extra.instability_pct.mean).to.be.closeTo(100 * rec.instability, 1e-9);
    expect(two.extra.loss_barrier.mean).to.equal(rec.loss_barrier);
    expect(two.unpruned).to.equal(JSON.parse(fs.readFileSync(path.join(dir2, 'seed_1', 'sparsity_report.json'), 'utf8')).unpruned);
    expect(row("instability(points=3, seeds='5,6', start_at='init')", 1).complete).to.equal(1);
    const figure = instabilityFigure(reportOf(lottery, registry));
    const plotted = (figure.spec.layer as Array<{ data: { values: Array<{ line: string; level: number; instability: number }> } }>)[0].data.values;
    expect(plotted.find((v) => v.line === 'instability(points=5)' && v.level === 2)!.instability).to.be.closeTo(100 * rec.instability, 1e-9);
    expect(await renderSvg(figure.spec)).to.match(/^<svg[\s\S]*Instability \(percentage points\)[\s\S]*<\/svg>\s*$/);
    // Level 1's path not evaluated yet: the copies are there, instability.json is not.
    const dir1 = branchRunner(root, desc, [1], { points: 5 }).outputLocations()[0];
    const kept = fs.readFileSync(path.join(dir1, INSTABILITY_FILE));
    fs.rmSync(path.join(dir1, INSTABILITY_FILE));
    try {
      const one = reportOf(lottery, registry).rows.find((r) => r.line === 'instability(points=5)' && r.level === 1)!;
      expect([one.complete, one.running, one.partial]).to.deep.equal([0, 1, true]);
      expect(one.final.mean).to.be.a('number');
      expect(one.extra.instability_pct?.mean ?? null).to.equal(null);
    } finally {
      fs.writeFileSync(path.join(dir1, INSTABILITY_FILE), kept);
    }
  });

  it('bad arguments are one error each, before anything is written', async () => {
    const before = listFiles(root);
    const cases: Array<[Record<string, unknown>, ErrorCode, RegExp]> = [
      [{ seeds: '1' }, 'BAD_HPARAM', /--seeds=1 is invalid: give the two copies' data order seeds as two integers separated by a comma/],
      [{ seeds: '2,2' }, 'BAD_HPARAM', /--seeds=2,2 is invalid: the two copies need different data order seeds/],
      [{ points: 1 }, 'BAD_HPARAM', /--points=1 is invalid: use between 2 and 10000 points/],
      [{ points: 'many' }, 'BAD_HPARAM', /--points expects an integer, got 'many'/],
      [{ start_at: 'end' }, 'BAD_HPARAM', /--start_at='end' is not one of: rewind, init/],
      [{ batchnorm_stats: 'reset' }, 'BAD_HPARAM', /--batchnorm_stats='reset' is not one of: interpolate, recompute/],
      [{ batchnorm_stats: 'recompute' }, 'BAD_HPARAM', /--batchnorm_stats=recompute: mnist_lenet_20_10 has no batch norm, so there are no running statistics to recompute/],
    ];
    for (const [args, code, text] of cases) {
      await expectLthRejection(() => branchRunner(root, desc, [1], args).run(), code, text);
    }
    await expectLthRejection(() => branchRunner(root, desc, [1, 3], {}).run(), 'LEVEL_NOT_REACHED', /The trunk has not reached level 3/);
    const rewind = path.join(trunkReplicateDir(desc, root, 1), 'level_1', 'main', modelFileName(desc.trainStartStep));
    fs.renameSync(rewind, `${rewind}.away`);
    try {
      await expectLthRejection(() => branchRunner(root, desc, [0, 1], {}).run(), 'MISSING_FILE', /instability --start_at=rewind starts both copies from .*level_1\/main\/model_ep0_it3\.safetensors, which is not there/);
    } finally {
      fs.renameSync(`${rewind}.away`, rewind);
    }
    expect(listFiles(root)).to.deep.equal(before);
  });
});
