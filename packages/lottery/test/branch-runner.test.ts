import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LthError, Mask, type ErrorCodeInfo, Step, type Model } from '@lth/kernel';
import { modelFileName } from '@lth/nn';
import { expectLthRejection, listFiles, RecordingOutput, removeDir, tempDir, testPlatform, useCpuBackend, openTestSession } from '@lth/testing';
import {
  arg,
  Branch,
  branch,
  BranchRunner,
  buildLotteryModel,
  formatExperimentTable,
  formatSummaryTable,
  loadLevelMask,
  loadLevelWeights,
  summarizeExperiment,
  trunkLevels,
  trunkReplicateDir,
  type BranchContext,
  type LotteryDesc,
  type TrunkPoint,
} from '../src';
import { TOY_IMAGES } from './fixtures';
import { toyDesc as toyTrunk, toyRunner, type ToyExperiment } from './helpers';

/** What the test branches saw, per level. */
const seen: Array<{ branch: string; level: number; args: unknown[] }> = [];

/**
 * A test branch: retrains the level's own mask from the trunk's unpruned weights at `from`
 * (a mini `randomly_prune --strategy=identity`).
 */
@branch({ name: 'runner_test_copy', description: 'Retrain the level mask from trunk weights (runner tests).' })
class CopyBranch extends Branch {
  async run(
    context: BranchContext,
    @arg.str('from', { default: 'rewind', choices: ['init', 'rewind', 'end'], help: 'Where the weights come from.' }) from: string,
  ): Promise<void> {
    seen.push({ branch: context.branchName, level: context.level, args: [from] });
    const model = context.trunkWeights(from as TrunkPoint);
    try {
      await context.train({ model, mask: context.levelMask(model), startStep: from === 'rewind' ? context.trainStartStep : context.stepZero });
    } finally {
      model.dispose();
    }
  }
}

declare module '@lth/kernel' {
  interface ErrorCodes {
    /** A test's own code, declared as a plugin declares its codes. */
    BAD_LEVEL_FOR_TEST: ErrorCodeInfo;
  }
}

/** A test branch whose checks refuse level 2. */
@branch({ name: 'runner_test_picky', description: 'Refuses level 2 (runner tests).' })
class PickyBranch extends Branch {
  override validate(context: BranchContext): void {
    if (context.level === 2) throw new LthError('BAD_LEVEL_FOR_TEST', 'level 2 is refused');
  }
  async run(context: BranchContext): Promise<void> {
    seen.push({ branch: context.branchName, level: context.level, args: [] });
  }
}

const session = openTestSession({
  plugins: ['@lth/training', '@lth/lottery', '@lth/plugin-model-lenet', '@lth/plugin-pruning-sparse-global', TOY_IMAGES, { name: 'branch runner tests', classes: [CopyBranch, PickyBranch] }],
});
/** The toy trunk, in this file's session (which has its test branches). */
const toyDesc = (x?: ToyExperiment): LotteryDesc => toyTrunk(x).bind(session.registry);

const values = (m: Model) => new Map(m.state.map((e) => [e.name, Array.from(e.variable.dataSync())]));

function expectSameWeights(a: Model, b: Model): void {
  const va = values(a);
  for (const [name, v] of values(b)) expect(va.get(name), name).to.deep.equal(v);
}

describe('branch runner (end to end on a LeNet 20_10 trunk, synthetic data)', function () {
  this.timeout(180000);
  let root: string;
  let desc: LotteryDesc;

  const runner = (branchName: string, levels: number[], args: Record<string, unknown> = {}, d: LotteryDesc = desc) => {
    const out = new RecordingOutput();
    return { r: new BranchRunner({ branch: branchName, args, desc: d, levels, replicate: 1, platform: testPlatform(root), out }), out };
  };

  before(async () => {
    await useCpuBackend();
    root = tempDir('branch');
    desc = toyDesc();
    await toyRunner(root, desc, 2).runner.run();
    void CopyBranch;
    void PickyBranch;
  });
  after(() => removeDir(root));

  it('runs at each requested level: hparams.log, desc.json, mask and training outputs in lottery_branch_<name>_<md5>', async () => {
    const { r, out } = runner('runner_test_copy', [0, 2], { from: 'init' });
    const where = r.outputLocations();
    const rep = trunkReplicateDir(desc, root, 1);
    expect(where).to.deep.equal([0, 2].map((l) => path.join(rep, `level_${l}`, r.branchDesc.hashname)));
    expect(r.branchDesc.hashname).to.match(/^lottery_branch_runner_test_copy_[0-9a-f]{32}$/);
    expect(r.branchDesc.canonicalString()).to.equal("Hparams(from='init')");
    seen.length = 0;
    const summary = await r.run();
    expect(seen).to.deep.equal([
      { branch: 'runner_test_copy', level: 0, args: ['init'] },
      { branch: 'runner_test_copy', level: 2, args: ['init'] },
    ]);
    const end = desc.trainEndStep;
    for (const dir of where) {
      const files = fs.readdirSync(dir).sort();
      for (const f of ['hparams.log', 'desc.json', 'mask.safetensors', 'sparsity_report.json', 'logger', modelFileName(Step.zero(8)), modelFileName(end)]) {
        expect(files, dir).to.include(f);
      }
      const log = fs.readFileSync(path.join(dir, 'hparams.log'), 'utf8');
      expect(log.startsWith('Dataset Hyperparameters\n    * dataset_name => lottery_toy')).to.equal(true);
      expect(log).to.contain('Hyperparameters for Sparse Global Pruning\n    * pruning_strategy => sparse_global');
      expect(log.endsWith("Branch Arguments\n    * from => init")).to.equal(true);
      const record = JSON.parse(fs.readFileSync(path.join(dir, 'desc.json'), 'utf8'));
      expect(record).to.deep.include({ branch: 'runner_test_copy', hashname: path.basename(dir), canonical: "Hparams(from='init')", replicate: 1, backend: 'cpu' });
      expect(record.trunk.hashname).to.equal(desc.hashname);
      expect(record.hparams.branch_hparams).to.deep.equal({ from: 'init' });
    }
    expect(fs.existsSync(path.join(rep, 'level_1', r.branchDesc.hashname))).to.equal(false);
    const level2Mask = fs.readFileSync(path.join(rep, 'level_2', 'main', 'mask.safetensors'));
    expect(fs.readFileSync(path.join(where[1], 'mask.safetensors')).equals(level2Mask)).to.equal(true);

    expect(out.text).to.contain('Branch runner_test_copy (Replicate 1, Level 0)');
    expect(out.text).to.contain(`Output Location: ${where[1]}`);
    expect(out.text).to.contain("Branch Arguments\n    * from => init");
    expect(summary.trunk.map((t) => t.level)).to.deep.equal([0, 1, 2]);
    expect(summary.branches.map((b) => [b.level, b.label])).to.deep.equal([[0, "runner_test_copy(from='init')"], [2, "runner_test_copy(from='init')"]]);
    const table = out.text.slice(out.text.indexOf('Lottery Ticket Summary with Branches (Replicate 1)'));
    expect(table).to.match(/Level\s+Weights remaining\s+Trunk \(final test acc\)\s+runner_test_copy\(from='init'\)/);
    expect(table).to.match(/\n\s+1\s+12783 \(79\.99%\)\s+\d+\.\d\d%\s+-\n/);
    expect(table).to.match(/\n\s+2\s+\d+ \(63\.\d\d%\)\s+\d+\.\d\d%\s+\d+\.\d\d%\n/);
  });

  it('a rerun finds the results and trains nothing', async () => {
    const { r } = runner('runner_test_copy', [1], { from: 'end' });
    await r.run();
    const dir = r.outputLocations()[0];
    const before = new Map(listFiles(dir).map((f) => [f, fs.statSync(path.join(dir, f)).mtimeMs]));
    const again = runner('runner_test_copy', [1], { from: 'end' });
    await again.r.run();
    expect(again.out.text).to.contain('Already complete');
    for (const f of listFiles(dir).filter((x) => x.startsWith('model_') || x === 'logger')) {
      expect(fs.statSync(path.join(dir, f)).mtimeMs, f).to.equal(before.get(f));
    }
  });

  it('lth lottery run again prints the branches beside the trunk, for its own levels; with no branch, its trunk table as before', async () => {
    const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
    const found = summarizeExperiment(trunkReplicateDir(desc, root, 1));
    const result = (level: number, from: string) => found.branches.find((b) => b.level === level && b.label === `runner_test_copy(from='${from}')`)!.finalAccuracy;
    const { runner: lottery, out } = toyRunner(root, desc, 2);
    const rows = await lottery.run();
    const table = out.text.slice(out.text.indexOf('Lottery Ticket Summary with Branches (Replicate 1)')).split('\n');
    expect(table[2]).to.match(/^Level\s+Weights remaining\s+Trunk \(final test acc\)\s+Trunk \(best test acc @ iteration\)\s+runner_test_copy\(from='init'\)\s+runner_test_copy\(from='end'\)$/);
    const cells = (i: number) => table[3 + i].trim().split(/\s{3,}/);
    expect(cells(0)).to.deep.equal(['0', '15980 (100.00%)', pct(rows[0].finalAccuracy), `${pct(rows[0].bestAccuracy)} @ ${rows[0].bestIteration}`, pct(result(0, 'init')), '-']);
    expect(cells(1)).to.deep.equal(['1', '12783 (79.99%)', pct(rows[1].finalAccuracy), `${pct(rows[1].bestAccuracy)} @ ${rows[1].bestIteration}`, '-', pct(result(1, 'end'))]);
    expect(cells(2).slice(4)).to.deep.equal([pct(result(2, 'init')), '-']);
    expect(table[6]).to.equal('='.repeat(82));

    const fewer = toyRunner(root, desc, 1);
    await fewer.runner.run();
    const short = fewer.out.text.slice(fewer.out.text.indexOf('Lottery Ticket Summary with Branches (Replicate 1)')).split('\n');
    expect(short.slice(3, 5).map((l) => l.trim().split(/\s+/)[0])).to.deep.equal(['0', '1']);
    expect(short[5]).to.equal('='.repeat(82));

    expect(formatExperimentTable({ trunk: rows, branches: [] }, 1, { trunkBest: true })).to.equal(formatSummaryTable(rows, 1));
  });

  it("gives branches the trunk's unpruned level-0 weights at init, rewind and end, and the level's mask", () => {
    const { r } = runner('runner_test_copy', [2]);
    const c = r.context(2);
    expect(c.levelRoot).to.equal(path.join(trunkReplicateDir(desc, root, 1), 'level_2', 'main'));
    expect(c.branchRoot).to.equal(r.outputLocations()[0]);
    const mask = c.levelMask();
    expect(mask.unpruned).to.be.lessThan(mask.numel);
    for (const [point, step] of [['init', Step.zero(8)], ['rewind', desc.trainStartStep], ['end', desc.trainEndStep]] as const) {
      const got = c.trunkWeights(point);
      const want = loadLevelWeights(desc, root, 1, 0, step);
      expectSameWeights(got, want);
      // Weights IMP pruned at level 2 are not zero here (OpenLTH quirk 30).
      let prunedButNonzero = 0;
      for (const k of mask.keys()) {
        const w = got.state.find((e) => e.name === k)!.variable.dataSync();
        const m = mask.get(k)!.data;
        for (let i = 0; i < m.length; i++) if (m[i] === 0 && w[i] !== 0) prunedButNonzero++;
      }
      expect(prunedButNonzero, point).to.equal(mask.numel - mask.unpruned);
      got.dispose();
      want.dispose();
    }
    const own = c.levelWeights(desc.trainEndStep);
    const levelMask = loadLevelMask(desc, root, 1, 2, own);
    expect(Mask.exists(c.levelRoot)).to.equal(true);
    expect(levelMask.unpruned).to.equal(mask.unpruned);
    own.dispose();
    const fresh = c.buildModel();
    expectSameWeights(fresh, loadLevelWeights(desc, root, 1, 0, Step.zero(8)));
    const other = c.buildModel('another seed');
    expect(values(other).get('fc_layers.0.weight')).to.not.deep.equal(values(fresh).get('fc_layers.0.weight'));
    fresh.dispose();
    other.dispose();
  });

  it('with rewinding, init is the step-0 initialisation from the pretraining run (OpenLTH quirk 32)', async () => {
    const rewound = toyDesc({ rewindingSteps: '3it' });
    await toyRunner(root, rewound, 1).runner.run();
    const { r } = runner('runner_test_copy', [1], { from: 'init' }, rewound);
    const c = r.context(1);
    expect(c.trunkWeightsFile('init')).to.equal(path.join(trunkReplicateDir(rewound, root, 1), 'level_pretrain', 'main', 'model_ep0_it0.safetensors'));
    expect(c.trunkWeightsFile('rewind')).to.equal(path.join(trunkReplicateDir(rewound, root, 1), 'level_0', 'main', 'model_ep0_it3.safetensors'));
    expect(fs.existsSync(path.join(trunkReplicateDir(rewound, root, 1), 'level_0', 'main', 'model_ep0_it0.safetensors'))).to.equal(false);
    const init = c.trunkWeights('init');
    const fresh = buildLotteryModel(rewound, 1);
    expectSameWeights(init, fresh);
    const rewind = c.trunkWeights('rewind');
    expect(values(rewind).get('fc_layers.0.weight')).to.not.deep.equal(values(init).get('fc_layers.0.weight'));
    init.dispose();
    fresh.dispose();
    rewind.dispose();
    await r.run();
    expect(fs.existsSync(path.join(r.outputLocations()[0], modelFileName(rewound.trainEndStep)))).to.equal(true);
    expect(fs.existsSync(path.join(r.outputLocations()[0], modelFileName(Step.zero(8))))).to.equal(true);
  });

  it('bad input is one error and writes nothing: no trunk, a level not reached, a branch check, an unknown branch', async () => {
    const before = listFiles(root);
    expect(trunkLevels(desc, root, 1)).to.deep.equal([0, 1, 2]);
    await expectLthRejection(runner('runner_test_copy', [1, 3, 4]).r.run(), 'LEVEL_NOT_REACHED', /has not reached levels 3-4: it has levels 0-2 \(/);
    await expectLthRejection(runner('runner_test_copy', [7]).r.run(), 'LEVEL_NOT_REACHED', /has not reached level 7: it has levels 0-2.*--levels=7/);
    await expectLthRejection(runner('runner_test_copy', [0], {}, toyDesc({ training: { lr: 0.3 } })).r.run(), 'NO_TRUNK', /no lottery experiment at .*run lth lottery/);
    seen.length = 0;
    await expectLthRejection(runner('runner_test_picky', [0, 2]).r.run(), 'BAD_LEVEL_FOR_TEST');
    expect(seen).to.deep.equal([]);
    await expectLthRejection(() => runner('runner_test_copy', [0], { from: 'middle' }), 'BAD_HPARAM', /--from='middle' is not one of: init, rewind, end/);
    await expectLthRejection(() => runner('no_such_branch', [0]), 'UNKNOWN_BRANCH', /Known branches: .*runner_test_copy/);
    expect(listFiles(root)).to.deep.equal(before);
  });

  it('the experiment table reads branches it did not write (no desc.json) by their directory name', () => {
    const rep = trunkReplicateDir(desc, root, 1);
    const foreign = path.join(rep, 'level_1', 'lottery_branch_openlth_thing_0123456789abcdef0123456789abcdef');
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, 'logger'), 'test_loss,0,2.0\ntest_accuracy,0,0.25\ntest_examples,0,100.0\ntest_loss,16,1.0\ntest_accuracy,16,0.5\ntest_examples,16,100.0');
    try {
      const s = summarizeExperiment(rep);
      const b = s.branches.find((x) => x.branch === 'openlth_thing')!;
      expect(b).to.deep.include({ level: 1, label: 'openlth_thing 01234567', finalAccuracy: 0.5, finalIteration: 16 });
      const table = formatExperimentTable(s, 1);
      expect(table.split('\n')[3]).to.contain('openlth_thing 01234567');
      expect(table).to.match(/\n\s+1\s+12783 \(79\.99%\)\s+[\d.]+%\s.*50\.00%/);
    } finally {
      fs.rmSync(foreign, { recursive: true });
    }
  });
});
