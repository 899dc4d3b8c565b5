import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Mask, Step, type Model } from '@lth/kernel';
import { loadModelState, modelFileName } from '@lth/nn';
import { BranchRunner, buildLotteryModel, loadLevelWeights, LotteryDesc, LotteryRunner, registeredBranch } from '@lth/lottery';
import { branchGoldenHash as goldenHash, expectLthRejection, listFiles, quietRun, tempDir, toyLotteryParts, useCpuBackend, openTestSession, toyImagesPlugin } from '@lth/testing';
import { RandomlyReinitializeBranch, reinitializationSeed } from '../src';

/** LeNet 20_10 on toy images (240 training images: 8 iterations per epoch at batch size 30). */
const TOY = 'randomly_reinitialize_toy';
const { registry } = openTestSession({ plugins: ['@lth/training', '@lth/lottery', '@lth/plugin-model-lenet', '@lth/plugin-pruning-sparse-global', '@lth/plugin-branch-randomly-reinitialize', toyImagesPlugin({ [TOY]: { train: 240, test: 100, classes: 10 } }, 'Synthetic test images (randomly_reinitialize tests).')] });
const toyDesc = (rewindingSteps: string | null = null) => LotteryDesc.create(toyLotteryParts(registry, TOY, { rewindingSteps }));

/** A trunk's runs under `root`, quiet (see `quietRun` of @lth/testing). */
const trainTrunk = (root: string, desc: LotteryDesc, levels: number) => new LotteryRunner({ desc, levels, ...quietRun(root) }).run();
const branchRunner = (root: string, desc: LotteryDesc, branch: string, levels: number[], args: Record<string, unknown>) => new BranchRunner({ branch, args, desc, levels, ...quietRun(root) });

const values = (m: Model, name: string) => Array.from(m.state.find((e) => e.name === name)!.variable.dataSync());

function modelFrom(desc: LotteryDesc, file: string): Model {
  const m = buildLotteryModel(desc, 1);
  loadModelState(m, file);
  return m;
}

describe('randomly_reinitialize (end to end on a LeNet trunk)', function () {
  this.timeout(180000);
  let root: string;
  let desc: LotteryDesc;

  before(async () => {
    await useCpuBackend();
    root = tempDir('randomly-reinitialize');
    desc = toyDesc('3it');
    await trainTrunk(root, desc, 1);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it("keeps OpenLTH's arguments and hashes; the added seed defaults to None", () => {
    const b = registeredBranch(registry, 'randomly_reinitialize');
    expect(b.instance).to.be.instanceOf(RandomlyReinitializeBranch);
    expect(b.description).to.equal('Randomly reinitialize the model.');
    expect(b.meta.args.map((a) => [a.name, a.kind, a.default])).to.deep.equal([['start_at_step_zero', 'bool', false], ['seed', 'int', null]]);
    const name = (args: Record<string, unknown>) => path.basename(branchRunner(root, desc, 'randomly_reinitialize', [0], args).outputLocations()[0]);
    expect(name({})).to.equal(goldenHash('randomly_reinitialize defaults'));
    expect(name({ start_at_step_zero: true })).to.equal(goldenHash('randomly_reinitialize start_at_step_zero'));
    expect(name({ seed: 5 })).to.equal(goldenHash('randomly_reinitialize seed=5'));
  });

  it('trains the level mask from a new seeded initialisation at the rewind step; a rerun from scratch is identical', async () => {
    const r = branchRunner(root, desc, 'randomly_reinitialize', [0, 1], {});
    await r.run();
    const [dir0, dir1] = r.outputLocations();
    const start = desc.trainStartStep;
    const file = path.join(dir1, modelFileName(start));
    const got = modelFrom(desc, file);
    const mask = Mask.load(dir1, got);
    expect(fs.readFileSync(path.join(dir1, 'mask.safetensors')).equals(fs.readFileSync(path.join(path.dirname(dir1), 'main', 'mask.safetensors')))).to.equal(true);
    const fresh = r.context(1).buildModel(reinitializationSeed(null, 1, 1));
    const trunkInit = loadLevelWeights(desc, root, 1, 'pretrain', Step.zero(8));
    for (const e of got.state) {
      const w = values(got, e.name);
      const f = values(fresh, e.name);
      const m = mask.get(e.name)?.data;
      w.forEach((x, j) => expect(x, `${e.name}[${j}]`).to.equal(m && m[j] === 0 ? 0 : f[j]));
      expect(values(trunkInit, e.name), e.name).to.not.deep.equal(w);
    }
    // Level 0 and level 1 draw different initialisations.
    const at0 = modelFrom(desc, path.join(dir0, modelFileName(start)));
    expect(values(at0, 'fc.weight')).to.not.deep.equal(values(got, 'fc.weight'));
    const bytes = fs.readFileSync(file);
    fs.rmSync(dir1, { recursive: true });
    await branchRunner(root, desc, 'randomly_reinitialize', [1], {}).run();
    expect(fs.readFileSync(file).equals(bytes)).to.equal(true);
    for (const m of [got, fresh, trunkInit, at0]) m.dispose();
  });

  it('--seed draws another initialisation; --start_at_step_zero starts at step 0', async () => {
    const r = branchRunner(root, desc, 'randomly_reinitialize', [1], { seed: 5, start_at_step_zero: true });
    await r.run();
    const dir = r.outputLocations()[0];
    expect(fs.existsSync(path.join(dir, modelFileName(Step.zero(8))))).to.equal(true);
    expect(fs.existsSync(path.join(dir, modelFileName(desc.trainStartStep)))).to.equal(false);
    const got = modelFrom(desc, path.join(dir, modelFileName(Step.zero(8))));
    const seeded = r.context(1).buildModel(reinitializationSeed(5, 1, 1));
    expect(values(got, 'fc.bias')).to.deep.equal(values(seeded, 'fc.bias'));
    const unseeded = r.context(1).buildModel(reinitializationSeed(null, 1, 1));
    expect(values(got, 'fc.bias')).to.not.deep.equal(values(unseeded, 'fc.bias'));
    for (const m of [got, seeded, unseeded]) m.dispose();
  });

  it('a bad seed is one error, and nothing is written', async () => {
    const before = listFiles(root);
    await expectLthRejection(() => branchRunner(root, desc, 'randomly_reinitialize', [0], { seed: '1.5' }).run(), 'BAD_HPARAM', /--seed expects an integer, got '1\.5'/);
    expect(listFiles(root)).to.deep.equal(before);
  });
});
