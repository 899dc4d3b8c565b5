import { expect } from 'chai';
import { buildModel, ModelHparams } from '@lth/kernel';
import '../src';
import { useCpuBackend } from './backend';
import { compareWithPyTorch, type InteropReport } from './interop';

function stateNames(name: string, outputs: number, inputShape: [number, number, number]): string[] {
  const m = buildModel(ModelHparams.create({ model_name: name, model_init: 'kaiming_normal', batchnorm_init: 'uniform' }), { outputs, inputShape, seed: 1 });
  const names = m.state.map((e) => e.name);
  m.dispose();
  return names;
}

function expectInterchangeable(r: InteropReport, names: readonly string[]): void {
  expect(r.torchStateNames).to.deep.equal(names);
  expect(r.evalLogits, 'eval logits, lth weights').to.be.below(1e-4);
  expect(r.torchWeightsEvalLogits, 'eval logits, PyTorch weights').to.be.below(1e-4);
  expect(r.trainLogits, 'train-mode logits').to.be.below(1e-4);
  expect(r.stateAfterTrain.size).to.equal(names.length);
  for (const [n, d] of r.stateAfterTrain) expect(d, `${n} after a train-mode forward`).to.be.below(1e-4);
  for (const [n, d] of r.gradients) expect(d, `gradient of ${n} (relative)`).to.be.below(1e-3);
}

describe("ResNets interchange weights with OpenLTH's PyTorch models (Debian python3-torch, CPU backend)", function () {
  this.timeout(300000);
  before(useCpuBackend);

  it('cifar_resnet_20: strict load both ways, same eval and train-mode logits and running statistics', () => {
    const r = compareWithPyTorch('cifar_resnet_20', [32, 32, 3], 10, 2);
    expectInterchangeable(r, stateNames('cifar_resnet_20', 10, [32, 32, 3]));
    expect(r.stateAfterTrain.has('blocks.3.shortcut.1.running_var')).to.equal(true);
    expect(r.stateAfterTrain.has('blocks.3.shortcut.1.num_batches_tracked')).to.equal(true);
  });

  it('cifar_resnet_8_4 with 4 outputs (rotation labels): also the same loss gradients', () => {
    const r = compareWithPyTorch('cifar_resnet_8_4', [32, 32, 3], 4, 2, { gradients: true });
    expectInterchangeable(r, stateNames('cifar_resnet_8_4', 4, [32, 32, 3]));
    expect([...r.gradients.keys()]).to.include.members(['conv.weight', 'blocks.1.shortcut.0.weight', 'blocks.1.shortcut.1.weight', 'fc.weight', 'fc.bias']);
    expect(r.gradients.size).to.equal(stateNames('cifar_resnet_8_4', 4, [32, 32, 3]).filter((n) => !/running_|num_batches/.test(n)).length);
  });

  it('imagenet_resnet_18 at 64x64: the same in both directions (BasicBlock, stem max-pool padding)', () => {
    expectInterchangeable(compareWithPyTorch('imagenet_resnet_18', [64, 64, 3], 1000, 2), stateNames('imagenet_resnet_18', 1000, [64, 64, 3]));
  });

  it('imagenet_resnet_50_16 at 64x64: Bottleneck blocks, stride on conv2, downsample in layer1', () => {
    const r = compareWithPyTorch('imagenet_resnet_50_16', [64, 64, 3], 10, 2);
    expectInterchangeable(r, stateNames('imagenet_resnet_50_16', 10, [64, 64, 3]));
    expect(r.torchStateNames).to.include('model.layer1.0.downsample.0.weight');
    expect(r.torchStateNames).to.include('model.layer4.0.conv3.weight');
  });
});
