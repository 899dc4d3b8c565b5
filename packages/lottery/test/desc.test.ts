import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatasetHparams, ModelHparams, TrainingHparams } from '@lth/kernel';
import { SparseGlobalPruningHparams } from '@lth/plugin-pruning-sparse-global';
import { emptyRegistry, expectLthError, removeDir, tempDir } from '@lth/testing';
import { LotteryDesc, RewindingArgs, type LotteryDescParts } from '../src';

/** The golden hashes the kernel's hashing test checks, computed independently in Python. */
const golden: Record<string, { hash: string; canonical: string }> = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../../../kernel/test/golden-hashes.json'), 'utf8'),
);

const resnetTraining = { optimizer_name: 'sgd', lr: 0.1, training_steps: '160ep', momentum: 0.9, milestone_steps: '80ep,120ep', gamma: 0.1, weight_decay: 1e-4 };
const lenetTraining = { optimizer_name: 'sgd', lr: 0.1, training_steps: '40ep' };
const ds = (name: string, bs: number, extra = {}) => DatasetHparams.create({ dataset_name: name, batch_size: bs, ...extra });
const md = (name: string, extra = {}) => ModelHparams.create({ model_name: name, model_init: 'kaiming_normal', batchnorm_init: 'uniform', ...extra });
const tr = (v: Record<string, unknown>) => TrainingHparams.create(v);
const pr = (v: Record<string, unknown> = {}) => SparseGlobalPruningHparams.create({ pruning_strategy: 'sparse_global', ...v });

const resnet = (extra: Partial<LotteryDescParts> = {}) =>
  LotteryDesc.create({ model: md('cifar_resnet_20'), dataset: ds('cifar10', 128), training: tr(resnetTraining), pruning: pr(), ...extra });
const lenet = (extra: Partial<LotteryDescParts> = {}) =>
  LotteryDesc.create({ model: md('mnist_lenet_300_100'), dataset: ds('mnist', 128), training: tr(lenetTraining), pruning: pr({ pruning_layers_to_ignore: 'fc.weight' }), ...extra });

function expectGolden(desc: LotteryDesc, key: string): void {
  expect(desc.canonicalString()).to.equal(golden[key].canonical);
  expect(desc.hashname).to.equal(golden[key].hash);
}

describe('LotteryDesc', () => {
  describe('hashes match OpenLTH', () => {
    it('lenet defaults', () => expectGolden(lenet(), 'lottery lenet defaults'));
    it('resnet20 defaults', () => expectGolden(resnet(), 'lottery resnet20 defaults'));
    it('lenet with non-default dataset, model, training and pruning values', () => {
      const d = LotteryDesc.create({
        model: md('mnist_lenet_300_100', { output_frozen: true }),
        dataset: ds('mnist', 128, { subsample_fraction: 0.5 }),
        training: tr({ optimizer_name: 'adam', lr: 5e-5, training_steps: '40ep', data_order_seed: 1 }),
        pruning: pr({ pruning_fraction: 0.5, pruning_layers_to_ignore: 'fc.weight' }),
      });
      expectGolden(d, 'lottery lenet frozen + 5e-05 + fraction 0.5 + output_frozen');
    });
    it('resnet20 rewound to 500it', () => expectGolden(resnet({ rewindingSteps: '500it' }), 'lottery resnet20 rewind 500it'));

    it('rewinding to K and pretraining for K with the main hyperparameters give the same hash (quirk 3)', () => {
      const pretrained = resnet({ pretrain: true, pretrainDataset: ds('cifar10', 128), pretrainTraining: tr({ ...resnetTraining, training_steps: '500it' }) });
      expectGolden(pretrained, 'lottery resnet20 rewind 500it');
      expect(pretrained.hashname).to.equal(resnet({ rewindingSteps: '500it' }).hashname);
      expect(resnet({ rewindingSteps: '2ep' }).hashname).to.equal(
        resnet({ pretrain: true, pretrainDataset: ds('cifar10', 128), pretrainTraining: tr({ ...resnetTraining, training_steps: '2ep' }) }).hashname,
      );
    });

    it('drops zero rewinding and zero pretraining (0ep, 0it, 0ep0it)', () => {
      for (const zero of ['0ep', '0it', '0ep0it']) {
        expectGolden(resnet({ rewindingSteps: zero }), 'lottery resnet20 defaults');
        const p = resnet({ pretrain: true, pretrainDataset: ds('mnist', 64), pretrainTraining: tr({ ...resnetTraining, training_steps: zero }) });
        expectGolden(p, 'lottery resnet20 defaults');
        expect(p.pretrain).to.equal(false);
      }
      expectGolden(resnet({ rewindingSteps: null }), 'lottery resnet20 defaults');
      expectGolden(resnet({ rewindingSteps: '' }), 'lottery resnet20 defaults');
    });

    it('does not hash --levels, --replicate or the rewinding arguments themselves', () => {
      const d = LotteryDesc.fromGroups({
        model: md('cifar_resnet_20'),
        dataset: ds('cifar10', 128),
        training: tr(resnetTraining),
        pruning: pr(),
        rewinding: RewindingArgs.create({ rewinding_steps: '500it' }),
      }, emptyRegistry());
      expectGolden(d, 'lottery resnet20 rewind 500it');
    });
  });

  describe('pretraining groups', () => {
    it('names the copies Pretraining ... and shows them last on the console', () => {
      const d = lenet({ rewindingSteps: '1it' });
      expect(d.pretrain_dataset_hparams!.displayName).to.equal('Pretraining Dataset Hyperparameters');
      expect(d.pretrain_training_hparams!.displayName).to.equal('Pretraining Training Hyperparameters');
      expect(d.pretrain_training_hparams!.training_steps).to.equal('1it');
      expect(d.training_hparams.training_steps).to.equal('40ep');
      expect(d.dataset_hparams.displayName).to.equal('Dataset Hyperparameters');
      const titles = d.display().split('\n').filter((l) => !l.startsWith(' '));
      expect(titles).to.deep.equal([
        'Dataset Hyperparameters',
        'Model Hyperparameters',
        'Training Hyperparameters',
        'Hyperparameters for Sparse Global Pruning',
        'Pretraining Dataset Hyperparameters',
        'Pretraining Training Hyperparameters',
      ]);
    });

    it('writes hparams.log in alphabetical group order and desc.json with the canonical string', () => {
      const dir = tempDir('desc');
      try {
        const d = lenet({ rewindingSteps: '1it' });
        d.save(dir);
        const log = fs.readFileSync(path.join(dir, 'hparams.log'), 'utf8');
        const titles = log.split('\n').filter((l) => !l.startsWith(' '));
        expect(titles).to.deep.equal([
          'Dataset Hyperparameters',
          'Model Hyperparameters',
          'Pretraining Dataset Hyperparameters',
          'Pretraining Training Hyperparameters',
          'Hyperparameters for Sparse Global Pruning',
          'Training Hyperparameters',
        ]);
        expect(log).to.contain('    * pruning_layers_to_ignore => fc.weight');
        expect(log).to.contain('    * training_steps => 1it');
        const json = JSON.parse(fs.readFileSync(path.join(dir, 'desc.json'), 'utf8'));
        expect(json.hashname).to.equal(d.hashname);
        expect(json.canonical).to.equal(d.canonicalString());
      } finally {
        removeDir(dir);
      }
    });

    it('uses the --pretrain groups as given', () => {
      const d = lenet({ pretrain: true, pretrainDataset: ds('fashion_mnist', 32), pretrainTraining: tr({ ...lenetTraining, training_steps: '3ep', lr: 0.05 }) });
      expect(d.pretrain_dataset_hparams!.dataset_name).to.equal('fashion_mnist');
      expect(d.pretrain_training_hparams!.lr).to.equal(0.05);
      expect(d.pretrain_training_hparams!.displayName).to.equal('Pretraining Training Hyperparameters');
      expect(d.canonicalString().split(';')).to.have.length(6);
    });
  });

  describe('bad input', () => {
    it('rejects --rewinding_steps together with --pretrain', () => {
      expectLthError(
        () => lenet({ pretrain: true, rewindingSteps: '1ep', pretrainDataset: ds('mnist', 128), pretrainTraining: tr(lenetTraining) }),
        'BAD_ARGS',
        /--rewinding_steps and --pretrain/,
      );
    });

    it('rejects malformed rewinding steps, naming the flag', () => {
      for (const bad of ['5', '00it', '0ep0it0', '-1it', 'ep']) expectLthError(() => lenet({ rewindingSteps: bad }), 'BAD_STEP', /--rewinding_steps/);
    });
  });

  describe('paths', () => {
    it('lays levels out as OpenLTH', () => {
      const d = lenet();
      expect(d.runPath('/r', 2, 0)).to.equal(`/r/${d.hashname}/replicate_2/level_0/main`);
      expect(d.runPath('/r', 1, 'pretrain')).to.equal(`/r/${d.hashname}/replicate_1/level_pretrain/main`);
      expect(d.runPath('/r', 1, 3, 'lottery_branch_x')).to.equal(`/r/${d.hashname}/replicate_1/level_3/lottery_branch_x`);
    });

    it('rejects bad replicates and levels', () => {
      const d = lenet();
      for (const r of [0, -1, 1.5]) expectLthError(() => d.runPath('/r', r, 0), 'BAD_REPLICATE');
      for (const l of [-1, 0.5]) expectLthError(() => d.runPath('/r', 1, l), 'BAD_LEVEL');
    });
  });

  it('keeps both pretraining groups or neither', () => {
    expect(() => new LotteryDesc(md('mnist_lenet_10'), ds('mnist', 1), tr(lenetTraining), pr(), ds('mnist', 1), null)).to.throw(/both/);
  });
});
