import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { expect } from 'chai';
import { ModelHparams } from '@lth/kernel';
import { buildModel, ensureGradients } from '@lth/nn';
import { compareWithPyTorch, registry, type InteropReport } from './interop-pytorch';

type Shape = [number, number, number];

function stateNames(name: string, outputs: number, inputShape: Shape): string[] {
  const m = buildModel(ModelHparams.create({ model_name: name, model_init: 'kaiming_normal', batchnorm_init: 'uniform' }), { outputs, inputShape, seed: 1, registry });
  const names = m.state.map((e) => e.name);
  m.dispose();
  return names;
}

function expectInterchangeable(r: InteropReport, names: readonly string[]): void {
  expect(r.torchStateNames, "PyTorch's state_dict() names, in order").to.deep.equal(names);
  expect(r.evalLogits, 'eval logits, lth weights').to.be.below(1e-4);
  expect(r.torchWeightsEvalLogits, 'eval logits, PyTorch weights').to.be.below(1e-4);
  expect(r.trainLogits, 'train-mode logits').to.be.below(1e-4);
  expect(r.stateAfterTrain.size).to.equal(names.length);
  for (const [n, d] of r.stateAfterTrain) expect(d, `${n} after a train-mode forward`).to.be.below(1e-4);
  for (const [n, d] of r.gradients) expect(d, `gradient of ${n} (relative)`).to.be.below(1e-3);
}

/**
 * Acceptance: a model saved by lth loads with `load_state_dict(strict=True)` into OpenLTH's
 * PyTorch model and gives the same logits; PyTorch's weights, saved as safetensors, load into lth
 * and give PyTorch's logits. Run on tfjs' CPU backend (the reference) against Debian's
 * python3-torch; the PyTorch definitions are in `interop-pytorch.ts`.
 */
describe("Interop: lth models and OpenLTH's PyTorch models share weights (Debian python3-torch)", function () {
  this.timeout(300000);
  before(async () => {
    await ensureGradients();
    await tf.setBackend('cpu');
  });

  it('mnist_lenet_300_100', () => {
    expectInterchangeable(compareWithPyTorch('mnist_lenet_300_100', [28, 28, 1], 10, 3), stateNames('mnist_lenet_300_100', 10, [28, 28, 1]));
  });

  it('cifar_resnet_20: eval and train-mode logits, batch-norm running statistics after a train-mode forward', () => {
    const r = compareWithPyTorch('cifar_resnet_20', [32, 32, 3], 10, 2);
    expectInterchangeable(r, stateNames('cifar_resnet_20', 10, [32, 32, 3]));
    expect([...r.stateAfterTrain.keys()]).to.include.members(['bn.running_mean', 'blocks.3.shortcut.1.running_var', 'blocks.8.bn2.num_batches_tracked']);
  });

  it('cifar_resnet_8_4 with 4 outputs (rotation labels): also the same loss gradients', () => {
    const names = stateNames('cifar_resnet_8_4', 4, [32, 32, 3]);
    const r = compareWithPyTorch('cifar_resnet_8_4', [32, 32, 3], 4, 2, { gradients: true });
    expectInterchangeable(r, names);
    expect(r.gradients.size).to.equal(names.filter((n) => !/running_|num_batches/.test(n)).length);
    expect([...r.gradients.keys()]).to.include.members(['conv.weight', 'blocks.1.shortcut.0.weight', 'blocks.1.shortcut.1.weight', 'fc.weight', 'fc.bias']);
  });

  it('cifar_vgg_11', () => {
    const r = compareWithPyTorch('cifar_vgg_11', [32, 32, 3], 10, 2);
    expectInterchangeable(r, stateNames('cifar_vgg_11', 10, [32, 32, 3]));
    expect(r.torchStateNames).to.include.members(['layers.0.conv.bias', 'layers.2.conv.weight', 'layers.11.bn.running_mean']);
  });

  it('imagenet_resnet_18 at 64x64 (BasicBlock, stem max pool with padding)', () => {
    const r = compareWithPyTorch('imagenet_resnet_18', [64, 64, 3], 1000, 2);
    expectInterchangeable(r, stateNames('imagenet_resnet_18', 1000, [64, 64, 3]));
    expect(r.torchStateNames).to.include.members(['model.conv1.weight', 'model.layer1.0.conv1.weight', 'model.layer2.0.downsample.0.weight', 'model.fc.weight']);
  });

  it('imagenet_resnet_50_16 at 64x64 (Bottleneck: stride on conv2, downsample in layer1)', () => {
    const r = compareWithPyTorch('imagenet_resnet_50_16', [64, 64, 3], 10, 2);
    expectInterchangeable(r, stateNames('imagenet_resnet_50_16', 10, [64, 64, 3]));
    expect(r.torchStateNames).to.include.members(['model.layer1.0.downsample.0.weight', 'model.layer4.0.conv3.weight']);
  });
});
