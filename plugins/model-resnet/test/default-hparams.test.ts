import { expect } from 'chai';
import { DatasetHparams, ModelHparams, TrainingHparams } from '@lth/kernel';
import { TrainingDesc } from '@lth/training';
import { LotteryDesc } from '@lth/lottery';
import { SparseGlobalPruningHparams } from '@lth/plugin-pruning-sparse-global';
import '../src';
import { openTestSession } from '@lth/testing';

const { registry } = openTestSession({ plugins: ['@lth/plugin-model-resnet'] });

/** The train and lottery descs `--default_hparams=<name>` gives, as the CLI builds them. */
function descs(name: string): { train: TrainingDesc; lottery: LotteryDesc } {
  const d = registry.modelFamilyFor(name).instance.defaultHparams(name);
  const model = ModelHparams.create(d.model);
  const dataset = DatasetHparams.create(d.dataset);
  const training = TrainingHparams.create(d.training);
  return { train: new TrainingDesc(model, dataset, training), lottery: new LotteryDesc(model, dataset, training, SparseGlobalPruningHparams.create(d.pruning)) };
}

/**
 * Hashes of the defaults. The train hashes are the kernel's golden ones (an independent Python
 * rendering of OpenLTH's hashing; the ResNet-20 one is the OpenLTH README's); the lottery ones are
 * md5 of the canonical strings written out below.
 */
describe('default hyperparameters hash as OpenLTH names them', () => {
  it("cifar_resnet_20: the README's train_71bc92a970b64a76d7ab7681764b0021", () => {
    const { train, lottery } = descs('cifar_resnet_20');
    expect(train.hashname).to.equal('train_71bc92a970b64a76d7ab7681764b0021');
    expect(lottery.canonicalString()).to.equal(
      "Hparams(batch_size=128, dataset_name='cifar10');Hparams(batchnorm_init='uniform', model_init='kaiming_normal', model_name='cifar_resnet_20');" +
        "Hparams(pruning_strategy='sparse_global');Hparams(gamma=0.1, lr=0.1, milestone_steps='80ep,120ep', momentum=0.9, optimizer_name='sgd', training_steps='160ep', weight_decay=0.0001)",
    );
    expect(lottery.hashname).to.equal('lottery_93bc65d66dfa64ffaf2a0ab105433a2c');
  });

  it('imagenet_resnet_50: train_917c0d2eb724a3528a45fa3caa2e1f73 (warmup included)', () => {
    const { train, lottery } = descs('imagenet_resnet_50');
    expect(train.hashname).to.equal('train_917c0d2eb724a3528a45fa3caa2e1f73');
    expect(lottery.canonicalString()).to.equal(
      "Hparams(batch_size=1024, dataset_name='imagenet');Hparams(batchnorm_init='uniform', model_init='kaiming_normal', model_name='imagenet_resnet_50');" +
        "Hparams(pruning_strategy='sparse_global');Hparams(gamma=0.1, lr=0.4, milestone_steps='30ep,60ep,80ep', momentum=0.9, optimizer_name='sgd', training_steps='90ep', warmup_steps='5ep', weight_decay=0.0001)",
    );
    expect(lottery.hashname).to.equal('lottery_b77e4acecef05ecb3a72915b599b5a98');
  });

  it('other names of a family take its defaults with their own model_name', () => {
    const { train } = descs('cifar_resnet_8_2');
    expect(train.model_hparams.model_name).to.equal('cifar_resnet_8_2');
    expect(train.training_hparams.toString()).to.equal(descs('cifar_resnet_20').train.training_hparams.toString());
    expect(train.hashname).to.not.equal('train_71bc92a970b64a76d7ab7681764b0021');
    expect(descs('imagenet_resnet_18').train.dataset_hparams.toString()).to.equal("Hparams(batch_size=1024, dataset_name='imagenet')");
  });
});
