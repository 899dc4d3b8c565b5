import { expect } from 'chai';
import * as path from 'node:path';
import { DatasetHparams, ModelHparams } from '@lth/kernel';
import { emptyRegistry } from '@lth/testing';
import { TrainingDesc } from '../src';
import { trainingHparams } from './helpers';

const resnet20 = () =>
  new TrainingDesc(
    ModelHparams.create({ model_name: 'cifar_resnet_20', model_init: 'kaiming_normal', batchnorm_init: 'uniform' }),
    DatasetHparams.create({ dataset_name: 'cifar10', batch_size: 128 }),
    trainingHparams({ optimizer_name: 'sgd', lr: 0.1, training_steps: '160ep', momentum: 0.9, milestone_steps: '80ep,120ep', gamma: 0.1, weight_decay: 1e-4, data_order_seed: null }),
  );

describe('TrainingDesc', () => {
  it('hashes exactly as OpenLTH: the README name for cifar_resnet_20 defaults', () => {
    expect(resnet20().hashname).to.equal('train_71bc92a970b64a76d7ab7681764b0021');
  });

  it('runPath is <root>/<hashname>/replicate_<R>/<experiment>; the replicate must be a positive integer', () => {
    const d = resnet20();
    expect(d.runPath('/r', 2)).to.equal(path.join('/r', 'train_71bc92a970b64a76d7ab7681764b0021', 'replicate_2', 'main'));
    expect(d.runPath('/r', 1, 'other')).to.match(/replicate_1\/other$/);
    for (const bad of [0, -1, 1.5]) expect(() => d.runPath('/r', bad)).to.throw().with.property('code', 'BAD_REPLICATE');
  });

  it('displays dataset, model, training in that order', () => {
    const lines = resnet20().display().split('\n');
    expect(lines.filter((l) => !l.startsWith('    '))).to.deep.equal(['Dataset Hyperparameters', 'Model Hyperparameters', 'Training Hyperparameters']);
    expect(lines).to.include('    * milestone_steps => 80ep,120ep');
  });

  it('builds from job groups and names an unknown dataset', () => {
    const d = resnet20();
    const again = TrainingDesc.fromGroups({ dataset: d.dataset_hparams, model: d.model_hparams, training: d.training_hparams }, emptyRegistry());
    expect(again.hashname).to.equal(d.hashname);
    expect(() => TrainingDesc.fromGroups({ dataset: d.dataset_hparams }, emptyRegistry())).to.throw(/ModelHparams/);
    const unknown = new TrainingDesc(d.model_hparams, DatasetHparams.create({ dataset_name: 'no_such_data', batch_size: 1 }), d.training_hparams).bind(emptyRegistry());
    expect(() => unknown.endStep).to.throw().with.property('code', 'UNKNOWN_DATASET');
  });
});
