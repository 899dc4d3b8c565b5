import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { expect } from 'chai';
import {
  loadSafetensors,
  LthError,
  model,
  ModelHparams,
  Rng,
  saveSafetensors,
  Step,
  type Model,
  type ModelBuildOptions,
  type ModelFamily,
} from '@lth/kernel';
import {
  BatchNorm2d,
  binary,
  buildModel,
  Conv2d,
  globalAvgPool2d,
  kaimingNormal,
  kaimingUniform,
  Linear,
  loadModel,
  loadModelState,
  modelExists,
  modelFileName,
  modelSeed,
  Network,
  orthogonal,
  saveModel,
  Sequential,
  stateToTorch,
} from '../src';
import { openTestSession } from '@lth/testing';

/** A small network with every kind of state entry: conv without bias, BN, conv with bias, linear output. */
class TinyNet extends Network {
  readonly outputLayerNames = ['fc.weight', 'fc.bias'];
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;
  readonly block: Sequential;
  readonly fc: Linear;

  constructor(name: string, outputs: number, rng: Rng) {
    super(name);
    this.conv = this.register('conv', new Conv2d(2, 3, 3, rng, { padding: 1, bias: false }));
    this.bn = this.register('bn', new BatchNorm2d(3));
    this.block = this.register('block', new Sequential(new Conv2d(3, 4, 1, rng), new BatchNorm2d(4)));
    this.fc = this.register('fc', new Linear(4, outputs, rng));
  }

  forward(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    const h = tf.relu(this.bn.forward(this.conv.forward(x), training));
    return this.fc.forward(globalAvgPool2d(this.block.forward(h, training) as tf.Tensor4D));
  }
}

class TinyFamily implements ModelFamily {
  isValidModelName(name: string): boolean {
    return /^nntest_tiny_\d+$/.test(name);
  }
  defaultHparams(name: string) {
    return { dataset: {}, model: { model_name: name }, training: {}, pruning: {} };
  }
  create(name: string, o: ModelBuildOptions): Model {
    return new TinyNet(name, o.outputs, o.rng);
  }
}

const TEST_PLUGIN = '(nn-build test)';
const { registry } = openTestSession({ plugins: ['@lth/nn'] });
const opts = { outputs: 5, inputShape: [4, 4, 2] as [number, number, number], seed: 'replicate_1', registry };
const hp = (v: Record<string, unknown> = {}) => ModelHparams.create({ model_name: 'nntest_tiny_1', model_init: 'kaiming_normal', batchnorm_init: 'uniform', ...v });

function stats(a: ArrayLike<number>): { mean: number; std: number } {
  let m = 0;
  for (let i = 0; i < a.length; i++) m += a[i];
  m /= a.length;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - m) ** 2;
  return { mean: m, std: Math.sqrt(s / (a.length - 1)) };
}

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(LthError);
    return (e as LthError).code;
  }
  throw new Error('expected an LthError');
}

describe('nn: initializers, buildModel, model files', () => {
  before(async () => {
    await tf.setBackend('cpu');
    registry.beginPlugin(TEST_PLUGIN);
    registry.add('model', 'nntest_tiny', new TinyFamily(), 'test family', { pattern: 'nntest_tiny_N' });
    registry.endPlugin();
  });
  after(() => registry.removePlugin(TEST_PLUGIN));

  describe('initializers', () => {
    it('are contributed by @lth/nn under OpenLTH names', () => {
      expect(registry.list('initializer').map((c) => c.name)).to.include.members(['kaiming_normal', 'kaiming_uniform', 'orthogonal', 'binary']);
      expect(registry.list('batchnorm_initializer').map((c) => c.name)).to.include.members(['uniform', 'fixed', 'oneone', 'positivenegative']);
      expect(registry.find('initializer', 'orthogonal')!.plugin).to.equal('@lth/nn');
    });

    it('kaiming_normal has std sqrt(2/fan_in); kaiming_uniform is bounded by sqrt(6/fan_in)', () => {
      const n = kaimingNormal([200, 50], 50, new Rng('k'));
      expect(stats(n).std).to.be.closeTo(Math.sqrt(2 / 50), 0.005);
      expect(Math.abs(stats(n).mean)).to.be.below(0.005);
      const u = kaimingUniform([200, 50], 50, new Rng('k'));
      const b = Math.sqrt(6 / 50);
      expect(Math.max(...u)).to.be.at.most(b).and.above(0.99 * b);
      expect(Math.min(...u)).to.be.at.least(-b).and.below(-0.99 * b);
    });

    for (const [rows, cols] of [[6, 20], [20, 6], [8, 8]]) {
      it(`orthogonal gives orthonormal ${rows < cols ? 'rows' : 'columns'} for a ${rows}x${cols} weight`, () => {
        const w = orthogonal([rows, cols], cols, new Rng('o', rows));
        const [n, len, at] = rows <= cols ? [rows, cols, (v: number, i: number) => w[v * cols + i]] : [cols, rows, (v: number, i: number) => w[i * cols + v]];
        for (let a = 0; a < n; a++) {
          for (let b = 0; b < n; b++) {
            let dot = 0;
            for (let i = 0; i < len; i++) dot += at(a, i) * at(b, i);
            expect(dot).to.be.closeTo(a === b ? 1 : 0, 1e-5);
          }
        }
      });
    }

    it('orthogonal treats a conv weight as [out, in*kh*kw]', () => {
      const w = orthogonal([4, 2, 3, 3], 18, new Rng('o'));
      for (let r = 0; r < 4; r++) {
        let s = 0;
        for (let i = 0; i < 18; i++) s += w[r * 18 + i] ** 2;
        expect(s).to.be.closeTo(1, 1e-5);
      }
    });

    it('binary is ±std of a kaiming_normal draw', () => {
      const w = binary([100, 30], 30, new Rng('b'));
      const mag = Math.abs(w[0]);
      expect(mag).to.be.closeTo(Math.sqrt(2 / 30), 0.01);
      expect(Array.from(w).every((v) => Math.abs(v) === mag)).to.equal(true);
      expect(Array.from(w).some((v) => v < 0) && Array.from(w).some((v) => v > 0)).to.equal(true);
    });
  });

  describe('buildModel', () => {
    it('applies model_init to conv and linear weights and batchnorm_init to BN layers', () => {
      const m = buildModel(hp({ model_init: 'binary', batchnorm_init: 'oneone' }), opts);
      const get = (n: string) => Array.from(m.state.find((e) => e.name === n)!.variable.dataSync());
      for (const w of ['conv.weight', 'block.0.weight', 'fc.weight']) expect(new Set(get(w).map(Math.abs)).size, w).to.equal(1);
      for (const n of ['bn.weight', 'bn.bias', 'block.1.weight', 'block.1.bias']) expect(get(n).every((v) => v === 1), n).to.equal(true);
      expect(new Set(get('fc.bias')).size).to.equal(5); // PyTorch default, untouched
      m.dispose();
      const u = buildModel(hp({ batchnorm_init: 'uniform' }), opts);
      const w = Array.from(u.state.find((e) => e.name === 'bn.weight')!.variable.dataSync());
      expect(w.every((v) => v >= 0 && v < 1) && new Set(w).size === 3).to.equal(true);
      expect(Array.from(u.state.find((e) => e.name === 'bn.bias')!.variable.dataSync())).to.deep.equal([0, 0, 0]);
      u.dispose();
    });

    it('is reproducible from the seed and differs between replicates', () => {
      const values = (m: Model) => m.state.map((e) => Array.from(e.variable.dataSync()));
      const a = buildModel(hp(), opts);
      const b = buildModel(hp(), opts);
      const c = buildModel(hp(), { ...opts, seed: modelSeed(hp(), 2) });
      expect(values(a)).to.deep.equal(values(b));
      expect(values(a)[0]).to.not.deep.equal(values(c)[0]);
      expect(modelSeed(hp(), 3)).to.equal('replicate_3');
      expect(modelSeed(hp({ model_seed: 7 }), 3)).to.equal(7);
      [a, b, c].forEach((m) => m.dispose());
    });

    it('names unknown models and initializers with their codes', () => {
      expect(codeOf(() => buildModel(hp({ model_name: 'nntest_huge' }), opts))).to.equal('UNKNOWN_MODEL');
      expect(codeOf(() => buildModel(hp({ model_init: 'xavier' }), opts))).to.equal('UNKNOWN_INITIALIZER');
      expect(codeOf(() => buildModel(hp({ batchnorm_init: 'zero' }), opts))).to.equal('UNKNOWN_BATCHNORM_INITIALIZER');
      expect(() => buildModel(hp({ model_init: 'xavier' }), opts)).to.throw(/kaiming_normal/);
    });

    it('registration decorators reject plain-JavaScript mistakes when the plugin loads', () => {
      expect(() => (model as (m?: unknown) => (c: unknown) => void)()(TinyFamily)).to.throw(/@model\(\.\.\.\) on TinyFamily needs an options object: model\(\{ name, pattern \}\)/);
      expect(() => model({ pattern: 'x_N' } as never)(TinyFamily)).to.throw(/@model\(\.\.\.\) on TinyFamily: 'name' must be a name of letters, digits and underscores, got nothing/);
      expect(() => model({ name: 'x y', pattern: 'x_N' })(TinyFamily)).to.throw(/'name' must be a name .*got "x y"/);
      expect(() => (model({ name: 'x', pattern: 'x_N' }) as (c: unknown) => void)(undefined)).to.throw(/must decorate a class/);
      expect(registry.find('model', 'x')).to.equal(undefined);
    });

    it('rejects a model name that two families accept, naming both', () => {
      const other = '(nn-build test, second family)';
      registry.beginPlugin(other);
      registry.add('model', 'nntest_greedy', new (class extends TinyFamily {
        override isValidModelName(name: string): boolean {
          return name.startsWith('nntest_');
        }
      })(), 'test family accepting every nntest_ name', { pattern: 'nntest_*' });
      registry.endPlugin();
      try {
        expect(codeOf(() => registry.modelFamilyFor('nntest_tiny_1'))).to.equal('AMBIGUOUS_MODEL');
        expect(() => registry.modelFamilyFor('nntest_tiny_1')).to.throw(/nntest_tiny.*nntest_greedy/);
        expect(registry.modelFamilyFor('nntest_other').name).to.equal('nntest_greedy');
      } finally {
        registry.removePlugin(other);
      }
      expect(registry.modelFamilyFor('nntest_tiny_1').name).to.equal('nntest_tiny');
    });

    const trainable = (m: Model) => m.state.filter((e) => e.role !== 'buffer' && e.variable.trainable).map((e) => e.name);
    it('freezes batch norm, output and other parameters as OpenLTH', () => {
      const none = buildModel(hp(), opts);
      expect(trainable(none)).to.have.length(9);
      const bn = buildModel(hp({ batchnorm_frozen: true }), opts);
      expect(trainable(bn)).to.deep.equal(['conv.weight', 'block.0.weight', 'block.0.bias', 'fc.weight', 'fc.bias']);
      const out = buildModel(hp({ output_frozen: true }), opts);
      expect(trainable(out)).to.not.include.members(['fc.weight']).and.to.not.include('fc.bias');
      expect(trainable(out)).to.have.length(7);
      const others = buildModel(hp({ others_frozen: true, others_frozen_exceptions: 'block.0.bias' }), opts);
      expect(trainable(others)).to.deep.equal(['bn.weight', 'bn.bias', 'block.0.bias', 'block.1.weight', 'block.1.bias', 'fc.weight', 'fc.bias']);
      [none, bn, out, others].forEach((m) => m.dispose());
    });

    it('rejects an others_frozen_exceptions name that is not a state name, listing the valid ones', () => {
      expect(() => buildModel(hp({ others_frozen_exceptions: 'conv.weight,fc.wieght' }), opts)).to.throw(LthError, /fc\.wieght.*Valid names: conv\.weight, bn\.weight/);
    });
  });

  describe('model files', () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lth-nnfiles-'))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('save PyTorch names, layouts and dtypes and load back bit-exactly', () => {
      const m = buildModel(hp(), opts);
      tf.tidy(() => m.forward(tf.randomNormal([3, 4, 4, 2]), true)); // running stats and num_batches_tracked move
      const step = Step.fromEpoch(2, 3, 10);
      expect(modelFileName(step)).to.equal('model_ep2_it3.safetensors');
      expect(modelExists(dir, step)).to.equal(false);
      const file = saveModel(m, dir, step);
      expect(modelExists(dir, step)).to.equal(true);
      const saved = loadSafetensors(file).tensors;
      expect([...saved.keys()]).to.deep.equal(m.state.map((e) => e.name));
      expect(saved.get('conv.weight')!.shape).to.deep.equal([3, 2, 3, 3]);
      expect(saved.get('bn.num_batches_tracked')).to.deep.include({ dtype: 'I64', shape: [] });
      expect(saved.get('bn.num_batches_tracked')!.data[0]).to.equal(1);

      const fresh = buildModel(hp(), { ...opts, seed: 99 });
      loadModelState(fresh, file);
      for (let i = 0; i < m.state.length; i++) {
        expect(Array.from(fresh.state[i].variable.dataSync()), m.state[i].name).to.deep.equal(Array.from(m.state[i].variable.dataSync()));
      }
      const again = loadModel(hp(), dir, step, { ...opts, seed: 5 });
      expect(Array.from(again.state[0].variable.dataSync())).to.deep.equal(Array.from(m.state[0].variable.dataSync()));
      [m, fresh, again].forEach((x) => x.dispose());
    });

    it('reject files of another model with BAD_CHECKPOINT naming file and tensor, before changing anything', () => {
      const m = buildModel(hp(), opts);
      const torch = stateToTorch(m);
      const file = path.join(dir, 'x.safetensors');
      const before = Array.from(m.state[0].variable.dataSync());

      saveSafetensors(file, torch.filter(([n]) => n !== 'block.1.running_var'));
      expect(() => loadModelState(m, file)).to.throw(LthError, /x\.safetensors has no tensor 'block\.1\.running_var'/);
      saveSafetensors(file, [...torch, ['extra.weight', torch[0][1]]]);
      expect(() => loadModelState(m, file)).to.throw(LthError, /holds 'extra\.weight'/);
      const other = buildModel(hp(), { ...opts, outputs: 7 });
      saveModel(other, dir, Step.zero(1));
      expect(() => loadModelState(m, path.join(dir, 'model_ep0_it0.safetensors'))).to.throw(LthError, /'fc\.weight' with shape \[7,4\].*\[5,4\]/);
      expect(codeOf(() => loadModelState(m, file))).to.equal('BAD_CHECKPOINT');
      expect(Array.from(m.state[0].variable.dataSync())).to.deep.equal(before);
      [m, other].forEach((x) => x.dispose());
    });

    it('reject a tensor whose dtype is not the parameter\'s (F32 weights, I64 counters) with BAD_CHECKPOINT', () => {
      const m = buildModel(hp(), opts);
      const torch = stateToTorch(m);
      const file = path.join(dir, 'x.safetensors');
      const [name, t] = torch[0];
      saveSafetensors(file, torch.map(([n, v]) => [n, n === name ? { dtype: 'F64', shape: t.shape, data: Float64Array.from(t.data) } : v]));
      expect(() => loadModelState(m, file)).to.throw(LthError, new RegExp(`holds '${name.replace(/\./g, '\\.')}' as F64, but .* keeps it as F32`));
      const counter = torch.find(([, v]) => v.dtype === 'I64');
      if (counter) {
        saveSafetensors(file, torch.map(([n, v]) => [n, n === counter[0] ? { dtype: 'F32', shape: v.shape, data: Float32Array.from(v.data) } : v]));
        expect(() => loadModelState(m, file)).to.throw(LthError, /as F32, but .* keeps it as I64/);
      }
      m.dispose();
    });

    it('report a truncated file as CORRUPT_FILE and a missing one as MISSING_FILE', () => {
      const m = buildModel(hp(), opts);
      const file = saveModel(m, dir, Step.zero(1));
      const bytes = fs.readFileSync(file);
      fs.writeFileSync(file, bytes.subarray(0, bytes.length - 10));
      expect(codeOf(() => loadModelState(m, file))).to.equal('CORRUPT_FILE');
      expect(codeOf(() => loadModelState(m, path.join(dir, 'nope.safetensors')))).to.equal('MISSING_FILE');
      m.dispose();
    });
  });
});
