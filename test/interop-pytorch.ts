import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { maxAbsDiff, OPENLTH_MODELS, runTorch, openTestSession } from '@lth/testing';
import { loadSafetensors, ModelHparams, Rng, saveSafetensors, Step, toTorchLayout, type Model, type SafeTensor } from '@lth/kernel';
import { buildModel, loadModelState, saveModel, trainableVariables } from '@lth/nn';

/** The model families the interoperability checks build. */
export const { registry } = openTestSession({ plugins: ['@lth/plugin-model-lenet', '@lth/plugin-model-resnet', '@lth/plugin-model-vgg'] });

/**
 * Loads lth's model into OpenLTH's (strict), evaluates it, then runs one train-mode forward and
 * backward; builds a PyTorch model of its own, gives it random batch-norm weights and running
 * statistics, and saves it for lth to load.
 */
const INTEROP = `
torch.set_num_threads(2)
d, name, outputs = sys.argv[1], sys.argv[2], int(sys.argv[3])
inp = read_safetensors(d + '/input.safetensors')
nchw = lambda t: t.permute(0, 3, 1, 2).contiguous()
x, x_train, labels = nchw(inp['x']), nchw(inp['x_train']), inp['labels'].long()
out = {}
m = build(name, outputs)
m.load_state_dict(read_safetensors(d + '/lth.safetensors'), strict=True)
m.eval()
with torch.no_grad():
    out['eval_logits'] = m(x)
m.train()
logits = m(x_train)
F.cross_entropy(logits, labels).backward()
out['train_logits'] = logits.detach()
for n, p in m.named_parameters():
    out['grad.' + n] = p.grad
for n, t in m.state_dict().items():
    out['after.' + n] = t
torch.manual_seed(0)
t = build(name, outputs)
for mod in t.modules():
    if isinstance(mod, nn.BatchNorm2d):
        nn.init.uniform_(mod.weight, 0.5, 1.5)
        nn.init.uniform_(mod.bias, -0.2, 0.2)
t.train()
with torch.no_grad():
    for _ in range(2):
        t(torch.randn(x.shape))
t.eval()
with torch.no_grad():
    out['torch_eval_logits'] = t(x)
write_safetensors(d + '/torch_model.safetensors', t.state_dict())
write_safetensors(d + '/out.safetensors', out)
`;

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(Number(a[i])));
  return m;
}

/** What `compareWithPyTorch` measured; every difference is a max absolute difference. */
export interface InteropReport {
  /** lth's eval logits against PyTorch's with lth's weights. */
  readonly evalLogits: number;
  /** Train-mode logits (batch statistics) of the same weights. */
  readonly trainLogits: number;
  /** With `gradients`: the loss gradient's difference, per parameter, relative to its largest magnitude. */
  readonly gradients: ReadonlyMap<string, number>;
  /** Every state entry after the train-mode forward (running statistics updated). */
  readonly stateAfterTrain: ReadonlyMap<string, number>;
  /** lth's eval logits with PyTorch's weights against PyTorch's. */
  readonly torchWeightsEvalLogits: number;
  /** Names PyTorch's `state_dict()` has, in order. */
  readonly torchStateNames: readonly string[];
}

/**
 * Builds `name` in lth, warms its batch-norm running statistics with two train-mode forwards,
 * saves it and checks it against OpenLTH's PyTorch model in both directions (see `INTEROP`).
 * `gradients` also compares the loss gradients of a train-mode step (slow on the CPU backend:
 * about 20 s for ResNet-20 at batch 2).
 */
export function compareWithPyTorch(name: string, inputShape: [number, number, number], outputs: number, batch: number, options: { gradients?: boolean } = {}): InteropReport {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lth-interop-${name}-`));
  const hp = ModelHparams.create({ model_name: name, model_init: 'kaiming_normal', batchnorm_init: 'uniform' });
  const m: Model = buildModel(hp, { outputs, inputShape, seed: `interop-${name}`, registry });
  try {
    const rng = new Rng('interop-input', name);
    const n = batch * inputShape[0] * inputShape[1] * inputShape[2];
    const shape = [batch, ...inputShape] as [number, number, number, number];
    const xData = rng.fillNormal(new Float32Array(n));
    const xTrainData = rng.fillNormal(new Float32Array(n));
    const labels = Int32Array.from({ length: batch }, () => rng.int(outputs));
    for (let i = 0; i < 2; i++) tf.tidy(() => void m.forward(tf.tensor4d(rng.fillNormal(new Float32Array(n)), shape), true));
    const lthFile = saveModel(m, dir, Step.zero(1));
    fs.renameSync(lthFile, path.join(dir, 'lth.safetensors'));
    const f32 = (data: Float32Array): SafeTensor => ({ dtype: 'F32', shape, data });
    saveSafetensors(path.join(dir, 'input.safetensors'), [
      ['x', f32(xData)],
      ['x_train', f32(xTrainData)],
      ['labels', { dtype: 'I32', shape: [batch], data: labels }],
    ]);
    runTorch(OPENLTH_MODELS + INTEROP, [dir, name, String(outputs)]);
    const out = loadSafetensors(path.join(dir, 'out.safetensors')).tensors;
    const want = (k: string) => {
      const t = out.get(k);
      if (!t) throw new Error(`PyTorch wrote no '${k}'`);
      return t.data as ArrayLike<number>;
    };

    const x = tf.tensor4d(xData, shape);
    const evalLogits = maxAbsDiff(tf.tidy(() => m.forward(x, false)).dataSync(), want('eval_logits'));

    const xTrain = tf.tensor4d(xTrainData, shape);
    const y = tf.tensor1d(labels, 'int32');
    const gradients = new Map<string, number>();
    let trainLogits: number;
    if (options.gradients) {
      let logits: tf.Tensor2D | null = null;
      const { value, grads } = tf.variableGrads(() => {
        logits = tf.keep(m.forward(xTrain, true));
        return m.loss(logits, y);
      }, trainableVariables(m));
      trainLogits = maxAbsDiff(logits!.dataSync(), want('train_logits'));
      for (const e of m.state) {
        const g = grads[e.variable.name];
        if (!g) continue;
        const ref = want(`grad.${e.name}`);
        gradients.set(e.name, maxAbsDiff(toTorchLayout(g.dataSync() as Float32Array, e.variable.shape, e.layout), ref) / Math.max(maxAbs(ref), 1e-6));
      }
      tf.dispose([value, logits!, ...Object.values(grads)]);
    } else {
      trainLogits = maxAbsDiff(tf.tidy(() => m.forward(xTrain, true)).dataSync(), want('train_logits'));
    }
    tf.dispose([y, xTrain]);
    const stateAfterTrain = new Map<string, number>();
    for (const e of m.state) {
      const lth = toTorchLayout(e.variable.dataSync() as Float32Array | Int32Array, e.variable.shape, e.layout);
      stateAfterTrain.set(e.name, maxAbsDiff(lth, want(`after.${e.name}`)));
    }

    const torchFile = path.join(dir, 'torch_model.safetensors');
    const torchStateNames = [...loadSafetensors(torchFile).tensors.keys()];
    loadModelState(m, torchFile);
    const torchWeightsEvalLogits = maxAbsDiff(tf.tidy(() => m.forward(x, false)).dataSync(), want('torch_eval_logits'));
    x.dispose();
    return { evalLogits, trainLogits, gradients, stateAfterTrain, torchWeightsEvalLogits, torchStateNames };
  } finally {
    m.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
