import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Mask, Step, type ErrorCode, type Model } from '@lth/kernel';
import { loadModelState, modelFileName } from '@lth/nn';
import { BranchRunner, buildLotteryModel, loadLevelMask, loadLevelWeights, LotteryDesc, LotteryRunner, registeredBranch, trunkReplicateDir } from '@lth/lottery';
import { branchGoldenHash as goldenHash, expectLthRejection, listFiles, quietRun, tempDir, toyLotteryParts, useCpuBackend, openTestSession, toyImagesPlugin } from '@lth/testing';
import { RandomlyPruneBranch } from '../src';

/** LeNet 20_10 on toy images (240 training images: 8 iterations per epoch at batch size 30). */
const TOY = 'randomly_prune_toy';
const { registry } = openTestSession({ plugins: ['@lth/training', '@lth/lottery', '@lth/plugin-model-lenet', '@lth/plugin-pruning-sparse-global', '@lth/plugin-branch-randomly-prune', toyImagesPlugin({ [TOY]: { train: 240, test: 100, classes: 10 } }, 'Synthetic test images (randomly_prune tests).')] });
const toyDesc = (rewindingSteps: string | null = null) => LotteryDesc.create(toyLotteryParts(registry, TOY, { rewindingSteps }));

/** A trunk's runs under `root`, quiet (see `quietRun` of @lth/testing). */
const trainTrunk = (root: string, desc: LotteryDesc, levels: number) => new LotteryRunner({ desc, levels, ...quietRun(root) }).run();
const branchRunner = (root: string, desc: LotteryDesc, branch: string, levels: number[], args: Record<string, unknown>) => new BranchRunner({ branch, args, desc, levels, ...quietRun(root) });

const values = (m: Model, name: string) => m.state.find((e) => e.name === name)!.variable.dataSync();

/** A model of `desc` loaded from `file`. */
function modelFrom(desc: LotteryDesc, file: string): Model {
  const m = buildLotteryModel(desc, 1);
  loadModelState(m, file);
  return m;
}

describe('randomly_prune (end to end on a rewound LeNet trunk)', function () {
  this.timeout(180000);
  let root: string;
  let desc: LotteryDesc;

  before(async () => {
    await useCpuBackend();
    root = tempDir('randomly-prune');
    desc = toyDesc('3it');
    await trainTrunk(root, desc, 2);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('is registered with OpenLTH\'s arguments and hashes', () => {
    const b = registeredBranch(registry, 'randomly_prune');
    expect(b.instance).to.be.instanceOf(RandomlyPruneBranch);
    expect(b.description).to.equal('Randomly prune the model.');
    expect(b.meta.args.map((a) => [a.name, a.kind, a.hasDefault ? a.default : 'required'])).to.deep.equal([
      ['seed', 'int', 'required'],
      ['strategy', 'str', 'layerwise'],
      ['start_at', 'str', 'rewind'],
      ['layers_to_ignore', 'str', ''],
    ]);
    expect(path.basename(branchRunner(root, desc, 'randomly_prune', [1], { seed: 7 }).outputLocations()[0])).to.equal(goldenHash('randomly_prune seed=7'));
    const other = branchRunner(root, desc, 'randomly_prune', [1], { seed: 0, strategy: 'global', start_at: 'init', layers_to_ignore: 'fc.weight' });
    expect(path.basename(other.outputLocations()[0])).to.equal(goldenHash('randomly_prune seed=0 global init fc.weight'));
  });

  it('layerwise from the rewind step: a random mask with the level\'s per-layer counts, on the unpruned level-0 rewind weights (quirk 30)', async () => {
    const r = branchRunner(root, desc, 'randomly_prune', [2], { seed: 7 });
    await r.run();
    const dir = r.outputLocations()[0];
    const start = desc.trainStartStep;
    expect(start.iteration).to.equal(3);
    const files = fs.readdirSync(dir);
    for (const f of ['hparams.log', 'desc.json', 'mask.safetensors', 'sparsity_report.json', 'logger', modelFileName(start), modelFileName(desc.trainEndStep)]) expect(files).to.include(f);

    const trunkStart = loadLevelWeights(desc, root, 1, 0, start);
    const imp = loadLevelMask(desc, root, 1, 2, trunkStart);
    const random = Mask.load(dir, trunkStart);
    const layers = (m: Mask) => Object.fromEntries(Object.entries(m.sparsityReport().layers).map(([k, v]) => [k, v.unpruned]));
    expect(layers(random)).to.deep.equal(layers(imp));
    const branchStart = modelFrom(desc, path.join(dir, modelFileName(start)));
    let keptWhereImpPruned = 0;
    for (const k of random.keys()) {
      const w = values(branchStart, k);
      const w0 = values(trunkStart, k);
      const m = random.get(k)!.data;
      const i = imp.get(k)!.data;
      for (let j = 0; j < m.length; j++) {
        if (m[j] === 1) {
          expect(w[j], `${k}[${j}]`).to.equal(w0[j]);
          expect(w[j], `${k}[${j}] kept but zero`).to.not.equal(0);
          if (i[j] === 0) keptWhereImpPruned++;
        } else {
          expect(w[j]).to.equal(0);
        }
      }
    }
    expect(keptWhereImpPruned).to.be.greaterThan(100);
    const end = modelFrom(desc, path.join(dir, modelFileName(desc.trainEndStep)));
    for (const k of random.keys()) {
      const w = values(end, k);
      random.get(k)!.data.forEach((m, j) => m === 0 && expect(w[j]).to.equal(0));
    }
    for (const m of [trunkStart, branchStart, end]) m.dispose();
  });

  it('start_at=init works with rewinding: it starts at step 0 from the true initialisation (quirk 32); even has one density per layer (quirk 31)', async () => {
    const r = branchRunner(root, desc, 'randomly_prune', [2], { seed: 1, strategy: 'even', start_at: 'init' });
    await r.run();
    const dir = r.outputLocations()[0];
    const zero = Step.zero(8);
    const init = modelFrom(desc, path.join(trunkReplicateDir(desc, root, 1), 'level_pretrain', 'main', modelFileName(zero)));
    const start = modelFrom(desc, path.join(dir, modelFileName(zero)));
    const mask = Mask.load(dir, init);
    const density = loadLevelMask(desc, root, 1, 2, init).density;
    for (const [k, v] of Object.entries(mask.sparsityReport().layers)) {
      expect(v.unpruned, k).to.equal(Math.round(density * v.total));
      const w = values(start, k);
      const w0 = values(init, k);
      mask.get(k)!.data.forEach((m, j) => expect(w[j]).to.equal(m ? w0[j] : 0));
    }
    expect(fs.existsSync(path.join(dir, modelFileName(desc.trainEndStep)))).to.equal(true);
    init.dispose();
    start.dispose();
  });

  it('start_at=end starts at step 0 from the dense trunk\'s end weights; layers_to_ignore stay whole', async () => {
    const r = branchRunner(root, desc, 'randomly_prune', [1], { seed: 2, strategy: 'global', start_at: 'end', layers_to_ignore: 'fc.weight' });
    await r.run();
    const dir = r.outputLocations()[0];
    const endDense = loadLevelWeights(desc, root, 1, 0, desc.trainEndStep);
    const start = modelFrom(desc, path.join(dir, modelFileName(Step.zero(8))));
    const mask = Mask.load(dir, endDense);
    expect(mask.sparsityReport().layers['fc.weight'].unpruned).to.equal(100);
    for (const k of mask.keys()) {
      const w = values(start, k);
      const w0 = values(endDense, k);
      mask.get(k)!.data.forEach((m, j) => expect(w[j]).to.equal(m ? w0[j] : 0));
    }
    endDense.dispose();
    start.dispose();
  });

  it('bad arguments are one error each, before anything is written', async () => {
    const before = listFiles(root);
    const cases: Array<[Record<string, unknown>, ErrorCode, RegExp]> = [
      [{ seed: 1, layers_to_ignore: 'fc.weights' }, 'BAD_HPARAM', /--layers_to_ignore names 'fc\.weights'/],
      [{ seed: 1, strategy: 'even_ish' }, 'BAD_HPARAM', /--strategy='even_ish' is not one of: layerwise, global, even, identity/],
      [{ seed: 1, start_at: 'middle' }, 'BAD_HPARAM', /--start_at='middle' is not one of: init, end, rewind/],
      [{ seed: 'one' }, 'BAD_HPARAM', /--seed expects an integer, got 'one'/],
      [{}, 'MISSING_HPARAM', /--seed/],
    ];
    for (const [args, code, text] of cases) {
      await expectLthRejection(() => branchRunner(root, desc, 'randomly_prune', [0, 1], args).run(), code, text);
    }
    expect(listFiles(root)).to.deep.equal(before);
  });
});
