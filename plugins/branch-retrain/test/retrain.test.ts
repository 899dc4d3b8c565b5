import { expect } from 'chai';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatasetHparams, LthError, Step, TrainingHparams, type ErrorCode, type Model } from '@lth/kernel';
import { loadModelState, modelFileName } from '@lth/nn';
import { MetricLogger } from '@lth/training';
import { BranchRunner, buildLotteryModel, LotteryDesc, LotteryRunner, registeredBranch } from '@lth/lottery';
import { branchGoldenHash as goldenHash, expectLthRejection, listFiles, quietRun, tempDir, toyLotteryParts, useCpuBackend, openTestSession, toyImagesPlugin } from '@lth/testing';
import { RetrainBranch } from '../src';

/** LeNet 20_10 on toy images (240 training images: 8 iterations per epoch at batch size 30). */
const TOY = 'retrain_toy';
/** Same images' shape and classes, other images: 180 training images (6 iterations per epoch at 30). */
const TOY_B = 'retrain_toy_b';
/** Four classes: a network of the trunk's cannot be retrained on it. */
const TOY_4 = 'retrain_toy_4';
const TOY_IMAGES = toyImagesPlugin(
  {
    [TOY]: { train: 240, test: 100, classes: 10 },
    [TOY_B]: { train: 180, test: 100, classes: 10 },
    [TOY_4]: { train: 160, test: 80, classes: 4 },
  },
  'Synthetic test images (retrain tests).',
);
const { registry } = openTestSession({ plugins: ['@lth/training', '@lth/lottery', '@lth/plugin-model-lenet', '@lth/plugin-pruning-sparse-global', '@lth/plugin-branch-retrain', TOY_IMAGES] });
/** A dataset of the trunk's shape whose files are missing: loading it fails as a real dataset's does. */
const MISSING = 'retrain_toy_missing';
registry.beginPlugin('(retrain tests: a missing dataset)');
registry.add('dataset', MISSING, {
  info: () => ({ numTrainExamples: 240, numTestExamples: 100, numClasses: 10, imageShape: [28, 28, 1] as [number, number, number] }),
  load: async () => {
    throw new LthError('DATASET_MISSING', `${MISSING} is not in the dataset root: put its files there.`);
  },
});
registry.endPlugin();
const toyDesc = (rewindingSteps: string | null = null) => LotteryDesc.create(toyLotteryParts(registry, TOY, { rewindingSteps }));

/** A trunk's runs under `root`, quiet (see `quietRun` of @lth/testing). */
const trainTrunk = (root: string, desc: LotteryDesc, levels: number) => new LotteryRunner({ desc, levels, ...quietRun(root) }).run();
const branchRunner = (root: string, desc: LotteryDesc, branch: string, levels: number[], args: Record<string, unknown>) => new BranchRunner({ branch, args, desc, levels, ...quietRun(root) });

function modelFrom(desc: LotteryDesc, file: string): Model {
  const m = buildLotteryModel(desc, 1);
  loadModelState(m, file);
  return m;
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

describe('retrain (end to end on a rewound LeNet trunk)', function () {
  this.timeout(180000);
  let root: string;
  let desc: LotteryDesc;

  before(async () => {
    await useCpuBackend();
    root = tempDir('retrain');
    desc = toyDesc('3it');
    await trainTrunk(root, desc, 1);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it("has OpenLTH's arguments, hashed as OpenLTH; the groups default to the trunk's (quirk 33)", () => {
    const b = registeredBranch(registry, 'retrain');
    expect(b.instance).to.be.instanceOf(RetrainBranch);
    expect(b.description).to.equal('Retrain the model with different hyperparameters.');
    expect(b.meta.args.map((a) => [a.name, a.kind, a.trunk ?? null])).to.deep.equal([['retrain_d', 'group', 'dataset'], ['retrain_t', 'group', 'training'], ['start_at_step_zero', 'bool', null]]);
    const name = (args: Record<string, unknown>) => path.basename(branchRunner(root, desc, 'retrain', [1], args).outputLocations()[0]);
    const openlth = { retrain_d: DatasetHparams.create({ dataset_name: 'cifar10', batch_size: 128 }), retrain_t: TrainingHparams.create({ optimizer_name: 'sgd', lr: 0.1, training_steps: '160ep' }) };
    expect(name(openlth)).to.equal(goldenHash('retrain cifar10 128 sgd 0.1 160ep'));
    const full = {
      retrain_d: DatasetHparams.create({ dataset_name: 'fashion_mnist', batch_size: 64, subsample_fraction: 0.5 }),
      retrain_t: TrainingHparams.create({ optimizer_name: 'adam', lr: 1e-5, training_steps: '2ep', data_order_seed: 0 }),
      start_at_step_zero: true,
    };
    expect(name(full)).to.equal(goldenHash('retrain fashion_mnist 64 subsample, adam 1e-05 2ep seed 0, start_at_step_zero'));
    const r = branchRunner(root, desc, 'retrain', [1], {});
    const canonical = `Hparams(retrain_d=Hparams(batch_size=30, dataset_name='${TOY}'), retrain_t=Hparams(data_order_seed=1, lr=0.1, optimizer_name='sgd', training_steps='2ep'))`;
    expect(r.branchDesc.canonicalString()).to.equal(canonical);
    expect(path.basename(r.outputLocations()[0])).to.equal(`lottery_branch_retrain_${md5(canonical)}`);
  });

  it("retrains the level's rewind weights and mask on another dataset, from the rewind iteration, and saves the mask", async () => {
    const r = branchRunner(root, desc, 'retrain', [1], { retrain_d: { dataset_name: TOY_B, batch_size: '20' }, retrain_t: { lr: '0.05', training_steps: '1ep' } });
    expect(r.branchDesc.canonicalString()).to.equal(`Hparams(retrain_d=Hparams(batch_size=20, dataset_name='${TOY_B}'), retrain_t=Hparams(data_order_seed=1, lr=0.05, optimizer_name='sgd', training_steps='1ep'))`);
    await r.run();
    const dir = r.outputLocations()[0];
    // 180 images at 20 per batch: 9 iterations per epoch; the rewind step is iteration 3.
    const start = Step.fromIteration(3, 9);
    const end = Step.fromIteration(9, 9);
    const files = fs.readdirSync(dir);
    for (const f of ['hparams.log', 'desc.json', 'mask.safetensors', 'sparsity_report.json', 'logger', modelFileName(start), modelFileName(end)]) expect(files).to.include(f);
    const levelDir = path.join(path.dirname(dir), 'main');
    expect(fs.readFileSync(path.join(dir, 'mask.safetensors')).equals(fs.readFileSync(path.join(levelDir, 'mask.safetensors')))).to.equal(true);
    const levelStart = modelFrom(desc, path.join(levelDir, modelFileName(desc.trainStartStep)));
    const ours = modelFrom(desc, path.join(dir, modelFileName(start)));
    for (const e of ours.state) expect(Array.from(e.variable.dataSync()), e.name).to.deep.equal(Array.from(levelStart.state.find((x) => x.name === e.name)!.variable.dataSync()));
    const logged = MetricLogger.createFromFile(dir).getData('test_accuracy').map(([it]) => it);
    expect(logged).to.deep.equal([3, 9]);
    expect(fs.readFileSync(path.join(dir, 'hparams.log'), 'utf8')).to.match(/Branch Arguments\n    \* retrain_d => Hparams\(batch_size=20, dataset_name='retrain_toy_b'\)\n    \* retrain_t => Hparams\(data_order_seed=1, lr=0\.05, optimizer_name='sgd', training_steps='1ep'\)$/);
    levelStart.dispose();
    ours.dispose();
  });

  it('--start_at_step_zero retrains from step 0', async () => {
    const r = branchRunner(root, desc, 'retrain', [0], { retrain_t: { training_steps: '1ep' }, start_at_step_zero: true });
    await r.run();
    const dir = r.outputLocations()[0];
    expect(MetricLogger.createFromFile(dir).getData('test_accuracy').map(([it]) => it)).to.deep.equal([0, 8]);
    expect(fs.existsSync(path.join(dir, modelFileName(Step.zero(8))))).to.equal(true);
  });

  it('bad arguments are one error each, before anything is written', async () => {
    const before = listFiles(root);
    const cases: Array<[Record<string, unknown>, ErrorCode, RegExp]> = [
      [{ retrain_d: { dataset_name: TOY_4 } }, 'BAD_HPARAM', /--retrain_d_dataset_name=retrain_toy_4 has 4 classes of 28x28x1 images, but the trunk's network takes 28x28x1 images into 10 classes/],
      [{ retrain_d: { dataset_name: 'nope' } }, 'UNKNOWN_DATASET', /Unknown dataset 'nope'/],
      [{ retrain_t: { training_steps: '2it' } }, 'BAD_STEP', /at or after its end, --retrain_t_training_steps=2it/],
      [{ retrain_t: { optimizer_name: 'rmsprop' } }, 'UNKNOWN_OPTIMIZER', /rmsprop/],
      [{ retrain_t: { lr: 'fast' } }, 'BAD_HPARAM', /--retrain_t_lr expects a finite number, got 'fast'/],
      [{ retrain_d: { batch_size: 0 } }, 'BAD_HPARAM', /--retrain_d_batch_size=0 is invalid/],
      [{ retrain_d: { dataset_name: MISSING } }, 'DATASET_MISSING', /retrain_toy_missing is not in the dataset root/],
    ];
    for (const [args, code, text] of cases) {
      await expectLthRejection(() => branchRunner(root, desc, 'retrain', [1], args).run(), code, text);
    }
    expect(listFiles(root)).to.deep.equal(before);
  });
});
