import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { expect } from 'chai';
import { Rng, toTorchLayout, torchShape, saveSafetensors, loadSafetensors } from '@lth/kernel';
import {
  AvgPool2d,
  BatchNorm2d,
  Conv2d,
  crossEntropy,
  ensureGradients,
  flatten,
  flattenNCHW,
  globalAvgPool2d,
  Linear,
  maxPool2d,
  MaxPool2d,
  ModuleList,
  Network,
  ReLU,
  Sequential,
  stateToTorch,
  trainableVariables,
  countParameters,
} from '../src';
import { maxAbsDiff, runTorch } from '@lth/testing';

/** Conv(stride 2, pad 1, no bias) → BN → ReLU → maxpool 3/2/1 → [Conv → BN] → ReLU → avgpool 2/1 → NCHW flatten → Linear. */
class Toy extends Network {
  readonly outputLayerNames = ['fc.weight', 'fc.bias'];
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;
  readonly blocks: Sequential;
  readonly fc: Linear;

  constructor(rng: Rng) {
    super('toy');
    this.conv = this.register('conv', new Conv2d(3, 4, 3, rng, { stride: 2, padding: 1, bias: false }));
    this.bn = this.register('bn', new BatchNorm2d(4));
    this.blocks = this.register('blocks', new Sequential(new Conv2d(4, 5, 3, rng, { padding: 1 }), new BatchNorm2d(5)));
    this.fc = this.register('fc', new Linear(5 * 2 * 2, 3, rng));
  }

  forward(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    let h = tf.relu(this.bn.forward(this.conv.forward(x), training));
    h = maxPool2d(h, 3, 2, 1);
    h = tf.relu(this.blocks.forward(h, training) as tf.Tensor4D);
    h = new AvgPool2d(2, 1).forward(h);
    return this.fc.forward(flattenNCHW(h));
  }
}

const TOY_TORCH = `
import torch.nn as nn
import torch.nn.functional as F
class Toy(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, stride=2, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(4)
        self.blocks = nn.Sequential(nn.Conv2d(4, 5, 3, padding=1), nn.BatchNorm2d(5))
        self.fc = nn.Linear(20, 3)
    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        x = F.max_pool2d(x, 3, 2, 1)
        x = F.relu(self.blocks(x))
        x = F.avg_pool2d(x, 2, 1)
        return self.fc(x.view(x.size(0), -1))
d = sys.argv[1]
inp = read_safetensors(d + '/input.safetensors')
x = inp['x'].permute(0, 3, 1, 2).contiguous()
labels = inp['labels'].long()
m = Toy()
m.load_state_dict(read_safetensors(d + '/toy.safetensors'), strict=True)
out = {}
m.eval()
with torch.no_grad():
    out['eval_logits'] = m(x)
m.train()
logits = m(x)
loss = F.cross_entropy(logits, labels)
loss.backward()
out['train_logits'] = logits
out['loss'] = loss.reshape(1)
for k, v in m.named_parameters():
    out['grad.' + k] = v.grad
for k, v in m.state_dict().items():
    if 'running' in k or 'num_batches' in k:
        out['after.' + k] = v
write_safetensors(d + '/torch.safetensors', out)
`;

describe('nn', () => {
  before(async () => {
    await ensureGradients();
    await tf.setBackend('cpu');
  });

  describe('modules', () => {
    it('names state as PyTorch state_dict() does, in its order', () => {
      const toy = new Toy(new Rng('t', 1));
      expect(toy.state.map((e) => e.name)).to.deep.equal([
        'conv.weight',
        'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked',
        'blocks.0.weight', 'blocks.0.bias',
        'blocks.1.weight', 'blocks.1.bias', 'blocks.1.running_mean', 'blocks.1.running_var', 'blocks.1.num_batches_tracked',
        'fc.weight', 'fc.bias',
      ]);
      expect(toy.state.map((e) => e.role)).to.deep.equal([
        'conv.weight', 'bn.weight', 'bn.bias', 'buffer', 'buffer', 'buffer', 'conv.weight', 'bias',
        'bn.weight', 'bn.bias', 'buffer', 'buffer', 'buffer', 'linear.weight', 'bias',
      ]);
      expect(toy.prunableLayerNames).to.deep.equal(['conv.weight', 'blocks.0.weight', 'fc.weight']);
      expect(toy.state.find((e) => e.name === 'bn.num_batches_tracked')!.torchDtype).to.equal('int64');
      expect(toy.state.filter((e) => e.role === 'buffer').every((e) => !e.variable.trainable)).to.equal(true);
      expect(countParameters(toy)).to.equal(3 * 4 * 9 + 4 + 4 + (4 * 5 * 9 + 5) + 5 + 5 + (20 * 3 + 3));
      expect(trainableVariables(toy)).to.have.length(9);
      toy.dispose();
      expect(toy.state[0].variable.isDisposed).to.equal(true);
    });

    it('numbers ModuleList and Sequential children and counts stateless layers', () => {
      class M extends Network {
        readonly outputLayerNames = [];
        readonly list = this.register('layers', new ModuleList([new Linear(2, 3, new Rng('a')), new Linear(3, 1, new Rng('b'))]));
        readonly seq = this.register('seq', new Sequential(new ReLU(), new MaxPool2d(2), new BatchNorm2d(2)));
        forward(x: tf.Tensor4D): tf.Tensor2D {
          return flatten(x);
        }
      }
      const m = new M('m');
      expect(m.state.map((e) => e.name).filter((n) => !n.includes('running') && !n.includes('num_'))).to.deep.equal([
        'layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias', 'seq.2.weight', 'seq.2.bias',
      ]);
      expect(m.list.length).to.equal(2);
      expect([...m.list].map((l) => l.outFeatures)).to.deep.equal([3, 1]);
      m.dispose();
    });

    it('refuses two members with one name', () => {
      class Bad extends Network {
        readonly outputLayerNames = [];
        constructor() {
          super('bad');
          this.register('a', new ReLU());
          this.register('a', new ReLU());
        }
        forward(x: tf.Tensor4D): tf.Tensor2D {
          return flatten(x);
        }
      }
      expect(() => new Bad()).to.throw(/already has a member called 'a'/);
    });
  });

  describe('Linear and Conv2d', () => {
    it('hold PyTorch layouts and draw PyTorch default init U(±1/sqrt(fan_in))', () => {
      const lin = new Linear(400, 30, new Rng('l'));
      expect(lin.weight.shape).to.deep.equal([30, 400]);
      const w = lin.weight.dataSync();
      const bound = 1 / Math.sqrt(400);
      expect(Math.max(...w)).to.be.at.most(bound).and.above(bound * 0.98);
      expect(Math.min(...w)).to.be.at.least(-bound).and.below(-bound * 0.98);
      expect(Math.max(...lin.bias!.dataSync().map(Math.abs))).to.be.at.most(bound);
      const conv = new Conv2d(3, 8, 5, new Rng('c'), { bias: false });
      expect(conv.weight.shape).to.deep.equal([5, 5, 3, 8]);
      expect(conv.bias).to.equal(null);
      expect(torchShape(conv.weight.shape, 'conv2d')).to.deep.equal([8, 3, 5, 5]);
      expect(Math.max(...conv.weight.dataSync().map(Math.abs))).to.be.at.most(1 / Math.sqrt(75));
      lin.dispose();
      conv.dispose();
    });

    it('Linear computes x Wᵀ + b', () => {
      const lin = new Linear(2, 2, new Rng('l'));
      lin.weight.assign(tf.tensor2d([[1, 2], [3, 4]]));
      lin.bias!.assign(tf.tensor1d([10, 20]));
      expect(Array.from(lin.forward(tf.tensor2d([[1, 1]])).dataSync())).to.deep.equal([13, 27]);
    });

    it('Conv2d pads symmetrically and floors output sizes as PyTorch', () => {
      const conv = new Conv2d(1, 1, 3, new Rng('c'), { stride: 2, padding: 1, bias: false });
      conv.weight.assign(tf.ones([3, 3, 1, 1]));
      const y = conv.forward(tf.ones([1, 4, 4, 1]));
      expect(y.shape).to.deep.equal([1, 2, 2, 1]);
      // windows centred at (0,0), (0,2), (2,0), (2,2) of a zero-padded 4x4 of ones
      expect(Array.from(y.dataSync())).to.deep.equal([4, 6, 6, 9]);
      expect(new Conv2d(2, 3, 3, new Rng('c'), { stride: 2, padding: 1 }).forward(tf.zeros([2, 7, 7, 2])).shape).to.deep.equal([2, 4, 4, 3]);
    });
  });

  describe('BatchNorm2d', () => {
    const x = () => tf.tensor4d(Float32Array.from({ length: 2 * 3 * 3 * 2 }, (_, i) => Math.sin(i * 1.7) * 3 + (i % 2) * 5), [2, 3, 3, 2]);

    it('normalises with batch statistics in training and updates the running ones as PyTorch', () => {
      const bn = new BatchNorm2d(2);
      bn.weight.assign(tf.tensor1d([2, 0.5]));
      bn.bias.assign(tf.tensor1d([1, -1]));
      const input = x();
      const y = bn.forward(input, true);
      const { mean, variance } = tf.moments(y, [0, 1, 2]);
      expect(maxAbsDiff(mean.dataSync(), [1, -1])).to.be.below(1e-5);
      expect(maxAbsDiff(variance.dataSync(), [4, 0.25])).to.be.below(1e-3);
      const xs = input.dataSync();
      for (const c of [0, 1]) {
        const v = Array.from(xs).filter((_, i) => i % 2 === c);
        const mu = v.reduce((a, b) => a + b, 0) / v.length;
        const unbiased = v.reduce((a, b) => a + (b - mu) ** 2, 0) / (v.length - 1);
        expect(bn.runningMean.dataSync()[c]).to.be.closeTo(0.1 * mu, 1e-5);
        expect(bn.runningVar.dataSync()[c]).to.be.closeTo(0.9 + 0.1 * unbiased, 1e-4);
      }
      expect(bn.numBatchesTracked.dataSync()[0]).to.equal(1);
      bn.forward(input, true);
      expect(bn.numBatchesTracked.dataSync()[0]).to.equal(2);
    });

    it('uses and keeps the running statistics in eval mode', () => {
      const bn = new BatchNorm2d(2);
      bn.runningMean.assign(tf.tensor1d([1, 2]));
      bn.runningVar.assign(tf.tensor1d([4, 9]));
      const y = bn.forward(tf.tensor4d([3, 8], [1, 1, 1, 2]), false);
      expect(maxAbsDiff(y.dataSync(), [2 / Math.sqrt(4 + 1e-5), 6 / Math.sqrt(9 + 1e-5)])).to.be.below(1e-6);
      expect(Array.from(bn.runningMean.dataSync())).to.deep.equal([1, 2]);
      expect(bn.numBatchesTracked.dataSync()[0]).to.equal(0);
    });

    it('updates running statistics inside tf.variableGrads, and gives buffers no gradient', () => {
      const bn = new BatchNorm2d(2);
      const vars = [bn.weight, bn.bias, bn.runningMean];
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(bn.forward(x(), true), tf.tensor1d([1, 2]))), vars);
      expect(value.shape).to.deep.equal([]);
      expect(grads[bn.weight.name]!.shape).to.deep.equal([2]);
      expect(grads[bn.runningMean.name]).to.equal(null);
      // d/d(bias) of sum(y * [1, 2]) is the count per channel times [1, 2]
      expect(Array.from(grads[bn.bias.name]!.dataSync())).to.deep.equal([18, 36]);
      expect(bn.numBatchesTracked.dataSync()[0]).to.equal(1);
      expect(Math.abs(bn.runningMean.dataSync()[1])).to.be.above(0.1);
    });

    it('refuses a batch of one value per channel in training', () => {
      expect(() => new BatchNorm2d(2).forward(tf.zeros([1, 1, 1, 2]), true)).to.throw(/more than one value/);
    });
  });

  describe('helpers', () => {
    it('flattenNCHW matches PyTorch order; flatten keeps NHWC order', () => {
      const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2]); // pixel-major, channels last
      expect(Array.from(flattenNCHW(x).dataSync())).to.deep.equal([1, 3, 5, 7, 2, 4, 6, 8]);
      expect(Array.from(flatten(x).dataSync())).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8]);
    });

    it('pools as PyTorch', () => {
      const x = tf.tensor4d(Array.from({ length: 16 }, (_, i) => i - 8), [1, 4, 4, 1]);
      expect(Array.from(maxPool2d(x, 2).dataSync())).to.deep.equal([-3, -1, 5, 7]);
      expect(Array.from(maxPool2d(x, 3, 2, 1).dataSync())).to.deep.equal([-3, -1, 5, 7]);
      expect(Array.from(globalAvgPool2d(x).dataSync())).to.deep.equal([-0.5]);
    });

    it('crossEntropy is the mean of -log softmax at the label, stable for large logits', () => {
      const logits = tf.tensor2d([[1, 2, 3], [1000, 0, -1000]]);
      const l = crossEntropy(logits, tf.tensor1d([2, 1], 'int32')).dataSync()[0];
      const first = -(3 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)));
      expect(l).to.be.closeTo((first + 1000) / 2, 1e-3);
      expect(crossEntropy(logits, tf.tensor1d([2, 1], 'float32')).dataSync()[0]).to.be.closeTo(l, 1e-6);
    });
  });

  describe('PyTorch interop (Debian /usr/bin/python3 + torch)', function () {
    this.timeout(120000);

    it('gives the same eval and training logits, loss, gradients and running statistics as PyTorch', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lth-nn-'));
      try {
        const toy = new Toy(new Rng('toy', 3));
        const rng = new Rng('toy-input');
        const xData = rng.fillNormal(new Float32Array(6 * 9 * 9 * 3));
        const labels = Int32Array.from([0, 1, 2, 0, 1, 2]);
        // non-trivial BN parameters and running statistics
        toy.bn.weight.assign(tf.tensor1d(rng.fillUniform(new Float32Array(4), 0.5, 1.5)));
        toy.bn.bias.assign(tf.tensor1d(rng.fillUniform(new Float32Array(4), -0.5, 0.5)));
        toy.bn.runningMean.assign(tf.tensor1d(rng.fillUniform(new Float32Array(4), -0.2, 0.2)));
        toy.bn.runningVar.assign(tf.tensor1d(rng.fillUniform(new Float32Array(4), 0.5, 2)));
        toy.bn.numBatchesTracked.assign(tf.scalar(7, 'int32'));
        saveSafetensors(path.join(dir, 'toy.safetensors'), stateToTorch(toy));
        saveSafetensors(path.join(dir, 'input.safetensors'), [
          ['x', { dtype: 'F32', shape: [6, 9, 9, 3], data: xData }],
          ['labels', { dtype: 'I64', shape: [6], data: labels }],
        ]);
        runTorch(TOY_TORCH, [dir]);
        const want = loadSafetensors(path.join(dir, 'torch.safetensors')).tensors;

        const x = tf.tensor4d(xData, [6, 9, 9, 3]);
        expect(maxAbsDiff(toy.forward(x, false).dataSync(), want.get('eval_logits')!.data)).to.be.below(1e-4);

        let logits: tf.Tensor2D | null = null;
        const { value, grads } = tf.variableGrads(() => {
          logits = tf.keep(toy.forward(x, true));
          return toy.loss(logits, tf.tensor1d(labels, 'int32'));
        }, trainableVariables(toy));
        expect(maxAbsDiff(logits!.dataSync(), want.get('train_logits')!.data)).to.be.below(1e-4);
        expect(value.dataSync()[0]).to.be.closeTo(want.get('loss')!.data[0], 1e-5);
        for (const e of toy.state) {
          if (e.role === 'buffer') {
            const after = want.get(`after.${e.name}`)!;
            expect(maxAbsDiff(e.variable.dataSync(), after.data), e.name).to.be.below(1e-5);
            continue;
          }
          const g = grads[e.variable.name]!;
          const mine = toTorchLayout(g.dataSync() as Float32Array, g.shape, e.layout);
          expect(maxAbsDiff(mine, want.get(`grad.${e.name}`)!.data), e.name).to.be.below(1e-4);
        }
        expect(toy.bn.numBatchesTracked.dataSync()[0]).to.equal(8);
        toy.dispose();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
