import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { expect } from 'chai';
import { loadSafetensors, LthError, ModelHparams, Rng, saveSafetensors, Step, type Model, packageManifest } from '@lth/kernel';
import { buildModel, countParameters, ensureGradients, loadModelState, modelSeed, saveModel, trainableVariables } from '@lth/nn';
import { LeNet, LeNetFamily, lenetWidths } from '../src';
import { OPENLTH_LENET, openTestSession, runTorch, sampleStd } from '@lth/testing';

const session = openTestSession({ plugins: ['@lth/plugin-model-lenet'] });
after(() => session.dispose());
const registry = session.registry;
const MNIST = { outputs: 10, inputShape: [28, 28, 1] as [number, number, number], seed: 'replicate_1', registry };
const hp = (v: Record<string, unknown> = {}) => ModelHparams.create({ model_name: 'mnist_lenet_300_100', model_init: 'kaiming_normal', batchnorm_init: 'uniform', ...v });
const values = (m: Model, name: string) => m.state.find((e) => e.name === name)!.variable.dataSync() as Float32Array;

/** Loads lth's LeNet 300_100 into OpenLTH's and evaluates both it and a fresh PyTorch one (whose weights it saves). */
const TORCH_LENET_SCRIPT = `
d = sys.argv[1]
x = read_safetensors(d + '/input.safetensors')['x'].permute(0, 3, 1, 2).contiguous()
m = LeNet([300, 100], 10)
m.load_state_dict(read_safetensors(d + '/lth.safetensors'), strict=True)
m.eval()
out = {}
with torch.no_grad():
    out['logits_of_lth_model'] = m(x)
torch.manual_seed(0)
t = LeNet([300, 100], 10)
t.eval()
with torch.no_grad():
    out['logits_of_torch_model'] = t(x)
write_safetensors(d + '/torch_model.safetensors', t.state_dict())
write_safetensors(d + '/out.safetensors', out)
`;

describe('@lth/plugin-model-lenet', () => {
  before(async () => {
    await ensureGradients();
    await tf.setBackend('cpu');
  });

  it('declares its manifest and registers the mnist_lenet family', () => {
    expect(packageManifest('test', require.resolve('../src'))).to.deep.include({ name: '@lth/plugin-model-lenet', version: '0.1.0', kernel: '^0.1.0' });
    const fam = registry.modelFamilyFor('mnist_lenet_300_100');
    expect(fam.name).to.equal('mnist_lenet');
    expect(fam.meta.pattern).to.equal('mnist_lenet_N[_M...]');
    expect(fam.instance).to.be.instanceOf(LeNetFamily);
  });

  it('accepts exactly mnist_lenet_ followed by positive integers (quirk 43 fixed)', () => {
    const fam = new LeNetFamily();
    for (const ok of ['mnist_lenet_300_100', 'mnist_lenet_10', 'mnist_lenet_500_500_500', 'mnist_lenet_1_2_3_4']) expect(fam.isValidModelName(ok), ok).to.equal(true);
    for (const bad of ['mnist_lenet', 'mnist_lenet_', 'mnist_lenetX_300', 'mnist_lenet_300_', 'mnist_lenet_0', 'mnist_lenet_300_0', 'mnist_lenet_-5', 'mnist_lenet_3x', 'cifar_lenet_300', 'mnist_lenet_300__100', ' mnist_lenet_300']) {
      expect(fam.isValidModelName(bad), bad).to.equal(false);
    }
    expect(lenetWidths('mnist_lenet_300_100')).to.deep.equal([300, 100]);
    expect(() => buildModel(hp({ model_name: 'mnist_lenetX_300' }), MNIST)).to.throw(LthError, /Unknown model 'mnist_lenetX_300'/);
  });

  it("proposes OpenLTH's LeNet defaults", () => {
    expect(new LeNetFamily().defaultHparams('mnist_lenet_500_500_500')).to.deep.equal({
      dataset: { dataset_name: 'mnist', batch_size: 128 },
      model: { model_name: 'mnist_lenet_500_500_500', model_init: 'kaiming_normal', batchnorm_init: 'uniform' },
      training: { optimizer_name: 'sgd', lr: 0.1, training_steps: '40ep' },
      pruning: { pruning_strategy: 'sparse_global', pruning_fraction: 0.2, pruning_layers_to_ignore: 'fc.weight' },
    });
  });

  it("has OpenLTH's parameter counts, state names and PyTorch shapes", () => {
    const m = buildModel(hp(), MNIST);
    expect(countParameters(m)).to.equal(266610);
    expect(m.state.map((e) => [e.name, e.variable.shape])).to.deep.equal([
      ['fc_layers.0.weight', [300, 784]],
      ['fc_layers.0.bias', [300]],
      ['fc_layers.1.weight', [100, 300]],
      ['fc_layers.1.bias', [100]],
      ['fc.weight', [10, 100]],
      ['fc.bias', [10]],
    ]);
    expect(m.state.every((e) => e.layout === 'same')).to.equal(true);
    expect(m.prunableLayerNames).to.deep.equal(['fc_layers.0.weight', 'fc_layers.1.weight', 'fc.weight']);
    expect(m.outputLayerNames).to.deep.equal(['fc.weight', 'fc.bias']);
    m.dispose();
    const big = buildModel(hp({ model_name: 'mnist_lenet_500_500_500' }), MNIST);
    expect(countParameters(big)).to.equal(898510);
    big.dispose();
  });

  it('sizes the output layer by the dataset (4 for rotation labels) and the input by the image', () => {
    const m = buildModel(hp(), { ...MNIST, outputs: 4 });
    expect(m.state.find((e) => e.name === 'fc.weight')!.variable.shape).to.deep.equal([4, 100]);
    expect(m.forward(tf.zeros([3, 28, 28, 1]), false).shape).to.deep.equal([3, 4]);
    m.dispose();
    const c = buildModel(hp({ model_name: 'mnist_lenet_20' }), { ...MNIST, inputShape: [32, 32, 3] });
    expect(c.state[0].variable.shape).to.deep.equal([20, 3072]);
    expect(c.forward(tf.zeros([2, 32, 32, 3]), true).shape).to.deep.equal([2, 10]);
    c.dispose();
  });

  it('initializes weights with model_init and keeps PyTorch default biases', () => {
    const kn = buildModel(hp(), MNIST);
    expect(sampleStd(values(kn, 'fc_layers.0.weight'))).to.be.closeTo(Math.sqrt(2 / 784), 0.002);
    expect(sampleStd(values(kn, 'fc_layers.1.weight'))).to.be.closeTo(Math.sqrt(2 / 300), 0.003);
    expect(Math.max(...values(kn, 'fc_layers.0.bias').map(Math.abs))).to.be.at.most(1 / Math.sqrt(784));
    kn.dispose();

    const orth = buildModel(hp({ model_init: 'orthogonal', model_name: 'mnist_lenet_30_20' }), MNIST);
    const w = values(orth, 'fc_layers.0.weight'); // 30 x 784: orthonormal rows
    for (const [a, b] of [[0, 0], [0, 1], [7, 29], [29, 29]]) {
      let dot = 0;
      for (let i = 0; i < 784; i++) dot += w[a * 784 + i] * w[b * 784 + i];
      expect(dot).to.be.closeTo(a === b ? 1 : 0, 1e-5);
    }
    orth.dispose();

    const bin = buildModel(hp({ model_init: 'binary' }), MNIST);
    const bw = values(bin, 'fc_layers.1.weight');
    expect(new Set(Array.from(bw).map(Math.abs)).size).to.equal(1);
    expect(Math.abs(bw[0])).to.be.closeTo(Math.sqrt(2 / 300), 0.003);
    bin.dispose();
  });

  it('is reproducible: same seed, same weights; another replicate, other weights', () => {
    const a = buildModel(hp(), { ...MNIST, seed: modelSeed(hp(), 1) });
    const b = buildModel(hp(), { ...MNIST, seed: modelSeed(hp(), 1) });
    const c = buildModel(hp(), { ...MNIST, seed: modelSeed(hp(), 2) });
    for (const e of a.state) expect(values(b, e.name), e.name).to.deep.equal(values(a, e.name));
    expect(values(c, 'fc.weight')).to.not.deep.equal(values(a, 'fc.weight'));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('freezes the output layer or the others as asked', () => {
    const trainable = (m: Model) => m.state.filter((e) => e.variable.trainable).map((e) => e.name);
    const out = buildModel(hp({ output_frozen: true }), MNIST);
    expect(trainable(out)).to.deep.equal(['fc_layers.0.weight', 'fc_layers.0.bias', 'fc_layers.1.weight', 'fc_layers.1.bias']);
    const others = buildModel(hp({ others_frozen: true, others_frozen_exceptions: 'fc_layers.1.bias' }), MNIST);
    expect(trainable(others)).to.deep.equal(['fc_layers.1.bias', 'fc.weight', 'fc.bias']);
    expect(trainableVariables(others)).to.have.length(3);
    expect(() => buildModel(hp({ others_frozen: true, others_frozen_exceptions: 'fc_layers.2.bias' }), MNIST)).to.throw(LthError, /fc_layers\.2\.bias.*Valid names: fc_layers\.0\.weight/);
    [out, others].forEach((m) => m.dispose());
  });

  describe('files', () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lth-lenet-'))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('saves and loads back bit-exactly; a truncated file is CORRUPT_FILE', () => {
      const m = buildModel(hp(), MNIST);
      const file = saveModel(m, dir, Step.fromIteration(0, 469));
      expect(path.basename(file)).to.equal('model_ep0_it0.safetensors');
      const other = buildModel(hp(), { ...MNIST, seed: 'other' });
      loadModelState(other, file);
      for (const e of m.state) expect(values(other, e.name), e.name).to.deep.equal(values(m, e.name));
      const bytes = fs.readFileSync(file);
      fs.writeFileSync(file, bytes.subarray(0, bytes.length >> 1));
      expect(() => loadModelState(other, file)).to.throw(LthError, /not a valid safetensors file/).with.property('code', 'CORRUPT_FILE');
      [m, other].forEach((x) => x.dispose());
    });

    it("loads into OpenLTH's PyTorch LeNet (strict) with the same logits, and loads PyTorch's state back", function () {
      this.timeout(120000);
      const m = buildModel(hp(), MNIST);
      const xData = new Rng('lenet-input').fillNormal(new Float32Array(5 * 28 * 28));
      saveSafetensors(path.join(dir, 'input.safetensors'), [['x', { dtype: 'F32', shape: [5, 28, 28, 1], data: xData }]]);
      fs.renameSync(saveModel(m, dir, Step.zero(1)), path.join(dir, 'lth.safetensors'));
      runTorch(OPENLTH_LENET + TORCH_LENET_SCRIPT, [dir]);
      const out = loadSafetensors(path.join(dir, 'out.safetensors')).tensors;
      const x = tf.tensor4d(xData, [5, 28, 28, 1]);
      const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));
      expect(maxDiff(m.forward(x, false).dataSync(), out.get('logits_of_lth_model')!.data)).to.be.below(1e-4);
      loadModelState(m, path.join(dir, 'torch_model.safetensors'));
      expect(maxDiff(m.forward(x, false).dataSync(), out.get('logits_of_torch_model')!.data)).to.be.below(1e-4);
      m.dispose();
    });
  });

  it('learns: a few SGD steps on a fixed random batch reduce the loss', () => {
    const m = buildModel(hp({ model_name: 'mnist_lenet_64' }), MNIST);
    const rng = new Rng('sgd-data');
    const x = tf.tensor4d(rng.fillNormal(new Float32Array(32 * 784)), [32, 28, 28, 1]);
    const y = tf.tensor1d(Int32Array.from({ length: 32 }, () => rng.int(10)), 'int32');
    const vars = trainableVariables(m);
    const losses: number[] = [];
    for (let step = 0; step < 8; step++) {
      const { value, grads } = tf.variableGrads(() => m.loss(m.forward(x, true), y), vars);
      losses.push(value.dataSync()[0]);
      tf.tidy(() => {
        for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name]!, 0.05)));
      });
      value.dispose();
      tf.dispose(Object.values(grads).filter((g): g is tf.Tensor => g !== null));
    }
    expect(losses[7]).to.be.below(losses[0] * 0.7);
    m.dispose();
  });

  it('builds a LeNet directly from the class', () => {
    const net = new LeNet('mnist_lenet_5', [5], [2, 2, 1], 3, new Rng('direct'));
    expect(net.forward(tf.ones([1, 2, 2, 1])).shape).to.deep.equal([1, 3]);
    expect(countParameters(net)).to.equal(4 * 5 + 5 + 5 * 3 + 3);
    net.dispose();
  });
});
