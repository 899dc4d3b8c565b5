import { CifarVgg, type VggPlanEntry } from '@lth/plugin-model-vgg';
import * as native from '@lth/tfjs-backend-native';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadSafetensors, Mask, ModelHparams, Rng, saveSafetensors, Step, toTorchLayout, type Model, type PruningBatch } from '@lth/kernel';
import { buildModel, saveModel, stateEntry } from '@lth/nn';
import { OPENLTH_MODELS, runTorch, tempDir, useCpuBackend, openTestSession } from '@lth/testing';
import { absoluteState, graspScores, onSecondOrderBackend, pruneLowest, SECOND_ORDER_BACKEND, snipScores, synflowScores, type Scores } from '../src';

const { registry } = openTestSession({ plugins: ['@lth/plugin-model-lenet', '@lth/plugin-model-resnet'] });

/**
 * The papers' scoring rules in a few lines of PyTorch, on OpenLTH's model with lth's weights
 * (`vgg:<plan>`: OpenLTH's CIFAR VGG with that plan, entries separated by `/`):
 * SNIP |g * w| (train mode), GraSP -w * Hg by double backward (train mode, logits / T), SynFlow
 * |w * dR/dw| in float64 on the absolute network in eval mode with an all-ones input.
 */
const REFERENCE = `
import copy
torch.set_num_threads(1)
d, name, outputs, T = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
names = sys.argv[5].split(',')
inp = read_safetensors(d + '/input.safetensors')
x, y = inp['x'].permute(0, 3, 1, 2).contiguous(), inp['labels'].long()
state = read_safetensors(d + '/model.safetensors')
def make():
    if name.startswith('vgg:'):
        return CifarVgg([s if s == 'M' else int(s) for s in name[4:].split('/')], outputs)
    return build(name, outputs)
def load():
    m = make()
    m.load_state_dict(state, strict=True)
    return m, [dict(m.named_parameters())[n] for n in names]
out = {}
m, ws = load(); m.train()
g = torch.autograd.grad(F.cross_entropy(m(x), y), ws)
for n, w, gi in zip(names, ws, g): out['snip.' + n] = (gi * w).abs().detach()
m, ws = load(); m.train()
g = [t.detach() for t in torch.autograd.grad(F.cross_entropy(m(x) / T, y), ws)]
gr = torch.autograd.grad(F.cross_entropy(m(x) / T, y), ws, create_graph=True)
hg = torch.autograd.grad(sum((a * b).sum() for a, b in zip(gr, g)), ws)
for n, w, h in zip(names, ws, hg): out['grasp.' + n] = (-w * h).detach()
m, ws = load(); m.double(); m.eval()
with torch.no_grad():
    for t in m.state_dict().values(): t.abs_()
R = m(torch.ones((1,) + tuple(x.shape[1:]), dtype=torch.float64)).sum()
gs = torch.autograd.grad(R, ws)
for n, w, gi in zip(names, ws, gs): out['synflow.' + n] = (gi * w).abs().float().detach()
write_safetensors(d + '/out.safetensors', out)
`;

function relativeError(lth: Float32Array, torch: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < lth.length; i++) {
    diff = Math.max(diff, Math.abs(lth[i] - Number(torch[i])));
    scale = Math.max(scale, Math.abs(Number(torch[i])));
  }
  return diff / scale;
}

/** The mask that prunes the `fraction` of all `names`' weights of highest GraSP score. */
function graspMask(names: readonly string[], scores: (name: string) => ArrayLike<number>, fraction: number): number[][] {
  const negated = new Map<string, Float32Array>();
  for (const n of names) negated.set(n, Float32Array.from(scores(n), (v) => -v));
  const all = new Mask();
  for (const [n, v] of negated) all.set(n, { data: new Float32Array(v.length).fill(1), shape: [v.length], layout: 'same' });
  const mask = pruneLowest(all, negated as Scores, Math.ceil(fraction * all.numel), 'grasp');
  return names.map((n) => [...mask.get(n)!.data]);
}

interface Comparison {
  /** The relative error of each rule's scores, by weight name. */
  readonly errors: Record<string, Record<string, number>>;
  /** Weights on which lth's and PyTorch's GraSP masks at half density differ. */
  readonly graspMaskDifferences: number;
}

/**
 * lth's scores of the model `make(seed)` builds against PyTorch's on the same weights and a
 * random batch; `torchName` names the model for the reference script.
 */
async function compare(torchName: string, make: () => Model, inputShape: [number, number, number], batchSize: number, temperature: number): Promise<Comparison> {
  const dir = tempDir(`scores-${torchName.replace(/[^\w]/g, '_')}`);
  try {
    const rng = new Rng('scores-test', torchName);
    const n = batchSize * inputShape[0] * inputShape[1] * inputShape[2];
    const batch: PruningBatch = {
      images: rng.fillNormal(new Float32Array(n)),
      labels: Int32Array.from({ length: batchSize }, () => rng.int(10)),
      shape: [batchSize, ...inputShape],
    };
    const first = make();
    const names = [...first.prunableLayerNames];
    fs.renameSync(saveModel(first, dir, Step.zero(1)), path.join(dir, 'model.safetensors'));
    first.dispose();
    saveSafetensors(path.join(dir, 'input.safetensors'), [
      ['x', { dtype: 'F32', shape: [...batch.shape], data: batch.images }],
      ['labels', { dtype: 'I32', shape: [batchSize], data: batch.labels }],
    ]);
    runTorch(`${OPENLTH_MODELS}\n${REFERENCE}`, [dir, torchName, '10', String(temperature), names.join(',')]);
    const ref = loadSafetensors(path.join(dir, 'out.safetensors')).tensors;
    const torchScores = (rule: string, name: string) => ref.get(`${rule}.${name}`)!.data as ArrayLike<number>;
    let graspMaskDifferences = 0;
    const lth = async (rule: string, score: (m: Model) => Promise<Map<string, Float32Array>>) => {
      const m = make();
      try {
        const s = await score(m);
        const out: Record<string, number> = {};
        const torchLayout = (name: string) => {
          const e = stateEntry(m, name);
          return toTorchLayout(s.get(name)!, e.variable.shape, e.layout);
        };
        for (const name of names) out[name] = relativeError(torchLayout(name), torchScores(rule, name));
        if (rule === 'grasp') {
          const ours = graspMask(names, torchLayout, 0.5).flat();
          const theirs = graspMask(names, (name) => torchScores(rule, name), 0.5).flat();
          graspMaskDifferences = ours.filter((v, i) => v !== theirs[i]).length;
        }
        return out;
      } finally {
        m.dispose();
      }
    };
    return {
      errors: {
        snip: await lth('snip', (m) => snipScores(m, names, batch)),
        grasp: await onSecondOrderBackend(() => lth('grasp', (m) => graspScores(m, names, batch, temperature))),
        synflow: await lth('synflow', (m) => {
          absoluteState(m);
          return synflowScores(m, names, inputShape);
        }),
      },
      graspMaskDifferences,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `model_name` built as lth lottery builds it, with a fixed seed. */
const named = (modelName: string, inputShape: [number, number, number]) => () =>
  buildModel(ModelHparams.create({ model_name: modelName, model_init: 'kaiming_normal', batchnorm_init: 'uniform' }), { outputs: 10, inputShape, seed: 3, registry });

/** OpenLTH's CIFAR VGG with `plan` (PyTorch's default initialisation), its batch-norm weights drawn uniformly in [0, 1). */
const tinyVgg = (plan: readonly VggPlanEntry[], inputShape: [number, number, number]) => () => {
  const m = new CifarVgg('tiny_vgg', plan, inputShape, 10, new Rng('tiny-vgg'));
  const rng = new Rng('tiny-vgg-bn');
  for (const e of m.state.filter((s) => s.role === 'bn.weight')) {
    tf.tidy(() => e.variable.assign(tf.tensor1d(Float32Array.from({ length: e.variable.size }, () => rng.uniform()))));
  }
  return m;
};

const worst = (errors: Record<string, number>) => Math.max(...Object.values(errors));

describe('SNIP, GraSP and SynFlow scores against PyTorch (OpenLTH models, Debian torch)', function () {
  this.timeout(180000);
  before(useCpuBackend);

  const check = (c: Comparison, tolerance: number) => {
    for (const rule of ['snip', 'grasp', 'synflow']) expect(worst(c.errors[rule]), `${rule}: ${JSON.stringify(c.errors[rule])}`).to.be.below(tolerance);
    expect(c.graspMaskDifferences, 'weights where the GraSP masks at half density differ').to.equal(0);
  };

  it('LeNet-300-100 on a batch of 128 (GraSP at T = 200, the paper\'s; its Hg by double backward in both)', async () => {
    check(await compare('mnist_lenet_300_100', named('mnist_lenet_300_100', [28, 28, 1]), [28, 28, 1], 128, 200), 1e-5);
  });

  it('ResNet-8 (width 4) on a batch of 4: convolutions, batch norm in train (SNIP, GraSP at T = 1 and 200) and eval (SynFlow) mode', async () => {
    check(await compare('cifar_resnet_8_4', named('cifar_resnet_8_4', [32, 32, 3]), [32, 32, 3], 4, 1), 1e-4);
    const hot = await compare('cifar_resnet_8_4', named('cifar_resnet_8_4', [32, 32, 3]), [32, 32, 3], 8, 200);
    expect(worst(hot.errors.grasp), JSON.stringify(hot.errors.grasp)).to.be.below(1e-4);
    expect(hot.graspMaskDifferences).to.equal(0);
  });

  it('ImageNet ResNet-18 (width 4) on 32x32 images, a batch of 4: max pooling with padding, projection shortcuts', async () => {
    check(await compare('imagenet_resnet_18_4', named('imagenet_resnet_18_4', [32, 32, 3]), [32, 32, 3], 4, 1), 1e-4);
  });

  it("on lth's native backend: GraSP runs on its kernels without the fused ones, ResNet-8 as exact (SNIP, SynFlow with the fused kernels)", async () => {
    expect(native.register(), `the native backend is not built (${native.unavailableReason()})`).to.equal(true);
    await tf.setBackend('native');
    try {
      let used = '';
      const make = named('cifar_resnet_8_4', [32, 32, 3]);
      check(await compare('cifar_resnet_8_4', () => ((used ||= tf.getBackend()), make()), [32, 32, 3], 4, 1), 1e-4);
      expect(used).to.equal('native');
      expect(tf.getBackend(), 'the backend restored').to.equal('native');
      expect(await onSecondOrderBackend(() => Promise.resolve(tf.getBackend()))).to.equal(SECOND_ORDER_BACKEND);
    } finally {
      await useCpuBackend();
    }
  });

  it('a small VGG with batch norm on a batch of 4: max pooling, convolutions with bias', async () => {
    const plan: VggPlanEntry[] = [8, 'M', 16, 16, 'M', 512];
    check(await compare(`vgg:${plan.join('/')}`, tinyVgg(plan, [8, 8, 3]), [8, 8, 3], 4, 1), 1e-4);
  });
});
