import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { expect } from 'chai';
import { ModelHparams, Rng, TrainingHparams } from '@lth/kernel';
import { buildModel, ensureGradients } from '@lth/nn';
import { openTestSession } from '@lth/testing';
import { createOptimizer, trainStep, type TrainingBatch } from '@lth/training';
import * as native from '@lth/tfjs-backend-native';

const { registry } = openTestSession({ plugins: ['@lth/plugin-model-lenet', '@lth/plugin-model-resnet'] });

/**
 * One training run to repeat on two backends: an lth model trained with `trainStep` on one
 * fixed batch, with the optimizer hyperparameters of OpenLTH's defaults for that model.
 */
interface CurveRun {
  readonly model: string;
  readonly inputShape: readonly [number, number, number];
  readonly batch: number;
  readonly iterations: number;
  readonly training: { readonly lr: number; readonly momentum?: number; readonly weight_decay?: number };
}

/** What a run leaves: the loss at each iteration and every state entry at step 0, after the first update, and at the end. */
interface Curve {
  readonly losses: number[];
  readonly initial: Map<string, Float32Array>;
  readonly afterFirst: Map<string, Float32Array>;
  readonly final: Map<string, Float32Array>;
}

// Tolerances, measured on a 2-core x86 machine (native against cpu, and native against itself
// with the fc weights scaled by 1 + 1e-7 over 60 data seeds of the ResNet-20 run):
// - Up to the first update both backends agree to float32 rounding: weights within 1.5e-7 after
//   it, the losses at iterations 0 and 1 within 3.4e-7 (relative). A 0.1% error in the gradient
//   of one layer (a conv, a batch-norm weight, the fc weight), or a missing weight decay, moves a
//   weight by >= 1e-5 in that update, which EARLY_WEIGHT_ATOL catches with 13x room for rounding.
// - Later the runs may part at ReLU kinks: a pre-activation within rounding of zero takes the
//   other side on one backend, and the step after it differs by ~1e-4. This happens in ~1 of 6
//   seeds within 4 iterations (the seed here does it at iteration 3: ~1e-4 of the loss), and
//   led to at most 1.5e-3 of the loss and 2.5e-3 in a weight. CURVE_* allow for it and still
//   fail on a 1% gradient error in one layer (8e-3 of the loss at iteration 2, 3e-2 in the
//   weights) or a momentum of 0.89 for 0.9 (1e-2 in the weights).
const EARLY_LOSS_RTOL = 1e-5;
const EARLY_WEIGHT_ATOL = 2e-6;
const CURVE_LOSS_RTOL = 5e-3;
const CURVE_WEIGHT_ATOL = 5e-3;
const MODEL_SEED = 7;

function snapshot(state: ReadonlyArray<{ name: string; variable: tf.Variable }>): Map<string, Float32Array> {
  return new Map(state.map((e) => [e.name, Float32Array.from(e.variable.dataSync())]));
}

/** Registers the native backend and its gradients; fails (never skips) where the addon is not built. */
async function requireNative(): Promise<void> {
  const hint = 'apt-get install libdnnl-dev libopenblas-dev, then npm run build:native -w @lth/tfjs-backend-native';
  expect(native.register(), `the native backend is not built (${native.unavailableReason()}): ${hint}`).to.equal(true);
  await native.ensureGradients();
}

/** Selects `backend`, builds the model fresh on it (variables live on the backend that made them), and trains. */
async function trainOn(backend: 'cpu' | 'native', run: CurveRun): Promise<Curve> {
  expect(await tf.setBackend(backend), `tf.setBackend('${backend}')`).to.equal(true);
  const hp = ModelHparams.create({ model_name: run.model, model_init: 'kaiming_normal', batchnorm_init: 'uniform' });
  const model = buildModel(hp, { outputs: 10, inputShape: run.inputShape, seed: MODEL_SEED, registry });
  const params = model.state
    .filter((e) => e.role !== 'buffer' && e.variable.trainable)
    .map((e) => ({ name: e.name, variable: e.variable, layout: e.layout }));
  const training = TrainingHparams.create({ optimizer_name: 'sgd', training_steps: `${run.iterations}it`, ...run.training });
  const optimizer = createOptimizer(training, params);
  try {
    const pixels = run.inputShape[0] * run.inputShape[1] * run.inputShape[2];
    const rng = new Rng('native-curve', run.model);
    const batch: TrainingBatch = {
      images: rng.fillUniform(new Float32Array(run.batch * pixels), 0, 1),
      labels: Int32Array.from({ length: run.batch }, (_, i) => i % 10),
      size: run.batch,
      shape: [run.batch, ...run.inputShape],
    };
    const initial = snapshot(model.state);
    let afterFirst = initial;
    const trainable = params.map((p) => p.variable);
    const losses: number[] = [];
    for (let i = 0; i < run.iterations; i++) {
      const loss = trainStep(model, trainable, optimizer, batch, training.lr, true);
      expect(loss, `${backend} iteration ${i}: trainStep read no loss`).to.be.a('number');
      losses.push(loss as number);
      if (i === 0) afterFirst = snapshot(model.state);
    }
    return { losses, initial, afterFirst, final: snapshot(model.state) };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return Number.isNaN(d) ? Infinity : d;
}

function expectWeightsClose(cpu: Map<string, Float32Array>, nat: Map<string, Float32Array>, tol: number, when: string): void {
  for (const [name, w] of cpu) expect(maxAbsDiff(w, nat.get(name) as Float32Array), `${name} ${when}`).to.be.at.most(tol);
}

/** Asserts the native run starts from the cpu run's weights, follows its loss curve, and ends at its weights. */
function expectSameCurve(cpu: Curve, nat: Curve): void {
  expect([...nat.initial.keys()]).to.deep.equal([...cpu.initial.keys()]);
  for (const [name, w] of cpu.initial) {
    const n = nat.initial.get(name) as Float32Array;
    expect(n.length, `${name} size`).to.equal(w.length);
    expect(w.findIndex((v, i) => !Object.is(v, n[i])), `${name} differs at step 0`).to.equal(-1);
  }
  const curves = `cpu [${cpu.losses.join(', ')}], native [${nat.losses.join(', ')}]`;
  expect(nat.losses).to.have.length(cpu.losses.length);
  cpu.losses.forEach((l, i) => {
    expect(Number.isFinite(l), `cpu iteration ${i}: ${curves}`).to.equal(true);
    const tol = (i <= 1 ? EARLY_LOSS_RTOL : CURVE_LOSS_RTOL) * Math.abs(l);
    expect(Math.abs(nat.losses[i] - l), `iteration ${i}: ${curves}`).to.be.at.most(tol);
  });
  for (const c of [cpu, nat]) expect(c.losses[c.losses.length - 1], `the loss does not decrease: ${curves}`).to.be.below(0.75 * c.losses[0]);
  expectWeightsClose(cpu.afterFirst, nat.afterFirst, EARLY_WEIGHT_ATOL, 'after the first update');
  expectWeightsClose(cpu.final, nat.final, CURVE_WEIGHT_ATOL, `after ${cpu.losses.length} updates`);
}

/**
 * Acceptance (issue 6): a training run of LeNet and ResNet-20 on the native backend gives the
 * CPU backend's loss curve, within float32 rounding, over the first iterations.
 */
describe('native backend: lth training runs follow the cpu backend loss curve (end to end)', function () {
  let previous: string;
  before(async () => {
    previous = tf.getBackend();
    await ensureGradients();
  });
  after(async () => {
    if (previous) await tf.setBackend(previous);
  });

  it("mnist_lenet_300_100: 10 SGD iterations with OpenLTH's defaults (lr 0.1, no momentum) on one batch of 32", async function () {
    this.timeout(60_000);
    const run: CurveRun = { model: 'mnist_lenet_300_100', inputShape: [28, 28, 1], batch: 32, iterations: 10, training: { lr: 0.1 } };
    await requireNative();
    const cpu = await trainOn('cpu', run);
    const nat = await trainOn('native', run);
    expectSameCurve(cpu, nat);
  });

  // The real cifar_resnet_20 (all 20 layers, every weight and batch-norm statistic shaped as on
  // CIFAR-10) on 16x16 images (feature maps 16/8/4; the average pool follows the map). The time
  // is tfjs' cpu Conv2DBackpropFilter, a scalar loop: about 1 s per 32x32 image and iteration
  // on a 2-core machine, so 32x32 would allow 2 images for 3 iterations in a minute. A batch of
  // 4 at 16x16 costs ~7 s an iteration: 4 iterations, ~30 s for the cpu run, 0.4 s for native.
  it("cifar_resnet_20: 4 SGD iterations with OpenLTH's defaults (lr 0.1, momentum 0.9, weight decay 1e-4) on one batch of 4", async function () {
    this.timeout(180_000);
    const run: CurveRun = {
      model: 'cifar_resnet_20', inputShape: [16, 16, 3], batch: 4, iterations: 4,
      training: { lr: 0.1, momentum: 0.9, weight_decay: 1e-4 },
    };
    await requireNative();
    const cpu = await trainOn('cpu', run);
    const nat = await trainOn('native', run);
    expectSameCurve(cpu, nat);
  });
});
