import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Mask, type ErrorCode, type Model } from '@lth/kernel';
import { modelFileName } from '@lth/nn';
import { BranchRunner, buildLotteryModel, examplesOf, loadLevelMask, loadLevelWeights, LotteryDesc, LotteryRunner, LotteryWorkflow, lotteryPruningContext, registeredBranch } from '@lth/lottery';
import { expectLthRejection, quietRun, tempDir, toyImages, toyLotteryParts, useCpuBackend, openTestSession, toyImagesPlugin } from '@lth/testing';
import { maskWeights, PruneAtInitBranch, pruneLowest, snipScores } from '../src';

/** LeNet 20_10 on toy images (240 training images, batch 30: 8 iterations per epoch). */
const TOY = 'pruning_strategies_toy';
const TOY_IMAGES = toyImagesPlugin({ [TOY]: { train: 240, test: 100, classes: 10 } }, 'Synthetic test images (pruning-strategies tests).');
const { registry } = openTestSession({ plugins: ['@lth/training', '@lth/lottery', '@lth/plugin-model-lenet', '@lth/plugin-pruning-sparse-global', '@lth/plugin-model-resnet', '@lth/plugin-pruning-strategies', TOY_IMAGES] });
const desc = (pruning: Record<string, unknown>, training: Record<string, unknown> = { training_steps: '1ep' }) => LotteryDesc.create(toyLotteryParts(registry, TOY, { pruning, training }));
const layers = (m: Mask) => Object.fromEntries(Object.entries(m.sparsityReport().layers).map(([k, v]) => [k, v.unpruned]));
const values = (m: Model, name: string) => m.state.find((e) => e.name === name)!.variable.dataSync();

describe('the strategies in lth lottery and the prune_at_init branch (toy LeNet trunk)', function () {
  this.timeout(180000);
  let root: string;
  before(async () => {
    await useCpuBackend();
    root = tempDir('pruning-strategies');
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('snip with --levels=1 is one-shot pruning at initialisation: exactly the mask of SNIP scores on the initial weights', async () => {
    const d = desc({ pruning_strategy: 'snip', pruning_fraction: 0.8, pruning_layers_to_ignore: 'fc.weight', pruning_examples: 30 });
    await new LotteryRunner({ desc: d, levels: 1, ...quietRun(root) }).run();
    const init = loadLevelWeights(d, root, 1, 0, d.trainStartStep);
    try {
      const mask = loadLevelMask(d, root, 1, 1, init);
      expect(mask.unpruned).to.equal(Math.round(0.2 * mask.numel));
      expect(mask.sparsityReport().layers['fc.weight'].unpruned).to.equal(100);
      const batch = await examplesOf(toyImages(TOY, 'train', { train: 240, test: 100, classes: 10 }), 30, 1);
      const ones = Mask.onesLike(init);
      maskWeights(init, ones);
      const expected = pruneLowest(ones, await snipScores(init, ['fc_layers.0.weight', 'fc_layers.1.weight'], batch), mask.numel - mask.unpruned, 'snip');
      expect(layers(mask)).to.deep.equal(layers(expected));
      for (const k of mask.keys()) expect([...mask.get(k)!.data], k).to.deep.equal([...expected.get(k)!.data]);
      const start = loadLevelWeights(d, root, 1, 1, d.trainStartStep);
      const end = loadLevelWeights(d, root, 1, 1, d.trainEndStep);
      for (const k of mask.keys()) {
        const m = mask.get(k)!.data;
        values(start, k).forEach((w, j) => expect(w).to.equal(m[j] ? values(init, k)[j] : 0));
        values(end, k).forEach((w, j) => m[j] === 0 && expect(w).to.equal(0));
      }
      start.dispose();
      end.dispose();
    } finally {
      init.dispose();
    }
  });

  it('sparse_layerwise prunes each layer (fc.weight ignored) by the fraction, the smallest magnitudes; random draws the same mask from the same seed, another from another', async () => {
    const lw = desc({ pruning_strategy: 'sparse_layerwise', pruning_fraction: 0.5 });
    await new LotteryRunner({ desc: lw, levels: 2, ...quietRun(root) }).run();
    const m = buildFor(lw);
    try {
      expect(layers(loadLevelMask(lw, root, 1, 1, m))).to.deep.equal({ 'fc_layers.0.weight': 7840, 'fc_layers.1.weight': 100, 'fc.weight': 100 });
      expect(layers(loadLevelMask(lw, root, 1, 2, m))).to.deep.equal({ 'fc_layers.0.weight': 3920, 'fc_layers.1.weight': 50, 'fc.weight': 100 });
      const end1 = loadLevelWeights(lw, root, 1, 1, lw.trainEndStep);
      const kept = loadLevelMask(lw, root, 1, 2, m).get('fc_layers.1.weight')!.data;
      const mags = [...values(end1, 'fc_layers.1.weight')].map(Math.abs);
      const keptMin = Math.min(...mags.filter((_, j) => kept[j] === 1));
      const prunedNow = mags.filter((v, j) => kept[j] === 0 && v !== 0);
      expect(Math.max(...prunedNow)).to.be.at.most(keptMin);
      end1.dispose();
    } finally {
      m.dispose();
    }
    const random = (seed: number) => desc({ pruning_strategy: 'random', pruning_fraction: 0.5, pruning_seed: seed, pruning_layers_to_ignore: 'fc.weight' }, { training_steps: '2it' });
    const a = random(3);
    await new LotteryRunner({ desc: a, levels: 1, ...quietRun(root) }).run();
    const other = tempDir('pruning-strategies-again');
    try {
      await new LotteryRunner({ desc: a, levels: 1, ...quietRun(other) }).run();
      const b = random(4);
      await new LotteryRunner({ desc: b, levels: 1, ...quietRun(root) }).run();
      const net = buildFor(a);
      const ma = loadLevelMask(a, root, 1, 1, net);
      expect([...ma.get('fc_layers.0.weight')!.data]).to.deep.equal([...loadLevelMask(a, other, 1, 1, net).get('fc_layers.0.weight')!.data]);
      expect([...ma.get('fc_layers.0.weight')!.data]).to.not.deep.equal([...loadLevelMask(b, root, 1, 1, net).get('fc_layers.0.weight')!.data]);
      expect(ma.unpruned).to.equal(ma.numel - Math.ceil(0.5 * ma.numel));
      expect(ma.sparsityReport().layers['fc.weight'].unpruned).to.equal(100);
      net.dispose();
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('prune_at_init: synflow to an exact density from level 0, fc.weight left whole as the trunk ignores it; a rerun trains nothing', async () => {
    const d = desc({ pruning_strategy: 'sparse_global', pruning_layers_to_ignore: 'fc.weight' });
    await new LotteryRunner({ desc: d, levels: 1, ...quietRun(root) }).run();
    expect(registeredBranch(registry, 'prune_at_init').instance).to.be.instanceOf(PruneAtInitBranch);
    const run = () => new BranchRunner({ branch: 'prune_at_init', args: { strategy: 'synflow', density: 0.1, iterations: 10 }, desc: d, levels: [0], ...quietRun(root) });
    await run().run();
    const dir = run().outputLocations()[0];
    const init = loadLevelWeights(d, root, 1, 0, d.trainStartStep);
    try {
      const mask = Mask.load(dir, init);
      expect(mask.unpruned).to.equal(Math.round(0.1 * mask.numel));
      expect(mask.sparsityReport().layers['fc.weight'].unpruned).to.equal(100);
      const ctx = lotteryPruningContext({ desc: d, root, level: 0, ...quietRun(root) });
      const first = ctx.initialModel();
      expect([...values(first, 'fc.weight')]).to.deep.equal([...values(init, 'fc.weight')]);
      first.dispose();
      const before = fs.statSync(path.join(dir, modelFileName(d.trainEndStep))).mtimeMs;
      await run().run();
      expect(fs.statSync(path.join(dir, modelFileName(d.trainEndStep))).mtimeMs).to.equal(before);
    } finally {
      init.dispose();
    }
    const bad = new BranchRunner({ branch: 'prune_at_init', args: { strategy: 'snip', density: 0.9 }, desc: d, levels: [1], ...quietRun(root) });
    await expectLthRejection(() => bad.run(), 'BAD_HPARAM', /--density=0.9 keeps 14382 of 15980 weights, more than level 1's mask keeps \(12783, 79.99%\)/);
    expect(fs.existsSync(bad.outputLocations()[0]), 'nothing written').to.equal(false);
  });

  it('--default_hparams fills pruning_fraction and pruning_layers_to_ignore for every strategy here, as for sparse_global', () => {
    const lottery = registry.workflow('lottery').instance as LotteryWorkflow;
    for (const name of ['sparse_layerwise', 'random', 'snip', 'grasp', 'synflow']) {
      const groups = lottery.flagGroups({ default_hparams: 'mnist_lenet_300_100', pruning_strategy: name, positionals: [] });
      expect(groups.find((g) => g.key === 'pruning')!.defaults, name).to.deep.equal({ pruning_strategy: name, pruning_fraction: 0.2, pruning_layers_to_ignore: 'fc.weight' });
    }
    const resnet = lottery.flagGroups({ default_hparams: 'cifar_resnet_20', pruning_strategy: 'grasp', positionals: [] });
    expect(resnet.find((g) => g.key === 'pruning')!.defaults).to.deep.equal({ pruning_strategy: 'grasp', pruning_fraction: 0.2 });
  });

  it('flags used only at pruning time are checked before level 0 trains: one error, nothing written', async () => {
    const fresh = tempDir('pruning-strategies-bad');
    try {
      const fails = async (pruning: Record<string, unknown>, levels: number, code: ErrorCode, message: RegExp) => {
        await expectLthRejection(() => new LotteryRunner({ desc: desc(pruning), levels, ...quietRun(fresh) }).run(), code, message);
        expect(fs.readdirSync(fresh), 'nothing written').to.deep.equal([]);
      };
      await fails({ pruning_strategy: 'snip', pruning_examples: 241 }, 1, 'BAD_HPARAM', /--pruning_examples=241 is more than the 240 examples of the training split/);
      await fails({ pruning_strategy: 'grasp', pruning_examples: 1000 }, 2, 'BAD_HPARAM', /--pruning_examples=1000 is more than the 240 examples/);
      await fails({ pruning_strategy: 'synflow', pruning_layers_to_ignore: 'fc_layers.0.weight' }, 1, 'PRUNE_TOO_MUCH', /synflow would prune 3196 weights at level 1 .* only 300 prunable.*Lower --pruning_fraction or ignore fewer layers\./);
      await fails({ pruning_strategy: 'random', pruning_fraction: 0.5, pruning_layers_to_ignore: 'fc_layers.1.weight,fc.weight' }, 9, 'PRUNE_TOO_MUCH', /random would prune 250 weights at level 6 .*ignore fewer layers, or run at most 5 levels\./);
      await new LotteryRunner({ desc: desc({ pruning_strategy: 'random', pruning_scope: 'layerwise', pruning_fraction: 0.5, pruning_layers_to_ignore: 'fc_layers.1.weight,fc.weight' }), levels: 9, ...quietRun(fresh) }).validate();
    } finally {
      fs.rmSync(fresh, { recursive: true, force: true });
    }
    const d = desc({ pruning_strategy: 'sparse_global', pruning_layers_to_ignore: 'fc.weight' });
    await new LotteryRunner({ desc: d, levels: 0, ...quietRun(root) }).run();
    const branch = new BranchRunner({ branch: 'prune_at_init', args: { strategy: 'grasp', density: 0.5, examples: 241 }, desc: d, levels: [0], ...quietRun(root) });
    await expectLthRejection(() => branch.run(), 'BAD_HPARAM', /--examples=241 is more than the 240 examples of the training split/);
    expect(fs.existsSync(branch.outputLocations()[0]), 'nothing written').to.equal(false);
  });
});

function buildFor(d: LotteryDesc): Model {
  return buildLotteryModel(d, 1);
}
