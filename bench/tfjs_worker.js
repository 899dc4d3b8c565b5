'use strict';
// Times one model on one tfjs backend and prints one JSON line. Run by bench/run.js.
// Both models are the ones users train: lth's `mnist_lenet_300_100` and `cifar_resnet_20`
// built by @lth/nn's buildModel from their plugins, stepped by @lth/training's trainStep
// with createOptimizer's SGD at OpenLTH's defaults (LeNet: lr 0.1, no momentum; ResNet-20:
// lr 0.1, momentum 0.9, weight decay 1e-4), on one fixed batch of seeded random images.
const path = require('path');
const tf = require('@tensorflow/tfjs-core');
const native = require('@lth/tfjs-backend-native');

/** What each bench model is: its lth name, input, optimizer and plugin. */
const MODELS = {
  lenet: { name: 'mnist_lenet_300_100', plugin: '@lth/plugin-model-lenet', inputShape: [28, 28, 1],
    training: { optimizer_name: 'sgd', lr: 0.1 } },
  resnet20: { name: 'cifar_resnet_20', plugin: '@lth/plugin-model-resnet', inputShape: [32, 32, 3],
    training: { optimizer_name: 'sgd', lr: 0.1, momentum: 0.9, weight_decay: 1e-4 } },
};

/** The lth model and one step of lth's training loop on one fixed batch (labels 0..9). */
function lthModel(key, batch) {
  const spec = MODELS[key];
  const kernel = require('@lth/kernel');
  const nn = require('@lth/nn');
  require(spec.plugin);
  const training = require('@lth/training');
  const hp = kernel.ModelHparams.create({ model_name: spec.name, model_init: 'kaiming_normal', batchnorm_init: 'uniform' });
  const model = nn.buildModel(hp, { outputs: 10, inputShape: spec.inputShape, seed: 'bench' });
  const trainingHp = kernel.TrainingHparams.create({ ...spec.training, training_steps: '1ep' });
  const params = model.state.filter((e) => e.role !== 'buffer' && e.variable.trainable)
    .map((e) => ({ name: e.name, variable: e.variable, layout: e.layout }));
  const optimizer = training.createOptimizer(trainingHp, params);
  const trainable = params.map((p) => p.variable);
  const rng = new kernel.Rng('bench', key);
  const pixels = spec.inputShape.reduce((a, b) => a * b, 1);
  const data = {
    images: rng.fillUniform(new Float32Array(batch * pixels), 0, 1),
    labels: Int32Array.from({ length: batch }, (_, i) => i % 10),
    size: batch,
    shape: [batch, ...spec.inputShape],
  };
  return {
    inputShape: spec.inputShape,
    describe: { code: `lth ${spec.name}`, optimizer: JSON.stringify(spec.training) },
    forward: (x, isTraining) => model.forward(x, isTraining),
    step: () => training.trainStep(model, trainable, optimizer, data, spec.training.lr, true),
  };
}

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

async function setBackend(name) {
  if (name === 'native') {
    if (!native.register()) throw new Error(`native backend unavailable: ${native.unavailableReason()}`);
  } else if (name === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    const dir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), path.sep);
    wasm.setWasmPaths(dir.endsWith(`dist${path.sep}`) ? dir : path.join(dir, 'dist', path.sep));
  } else {
    require('@tensorflow/tfjs-backend-cpu');
  }
  if (!(await tf.setBackend(name))) throw new Error(`could not initialise backend ${name}`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rssMb = () => process.resourceUsage().maxRSS / 1024;

async function main() {
  const backend = arg('backend', 'native'), modelName = arg('model', 'lenet');
  const batch = Number(arg('batch', 128)), steps = Number(arg('steps', 10));
  const warmup = Number(arg('warmup', 3)), evalImages = Number(arg('eval-images', 10000));
  const evalBatch = Number(arg('eval-batch', 1000)), leakSteps = Number(arg('leak-steps', 0));
  await native.ensureGradients();
  await setBackend(backend);
  if (!(modelName in MODELS)) throw new Error(`unknown bench model ${modelName} (known: ${Object.keys(MODELS)})`);
  const model = lthModel(modelName, batch);
  const result = { framework: 'tfjs', backend, model: modelName, batch, steps, ...model.describe };
  const baseline = rssMb();
  const step = model.step;
  try {
    for (let i = 0; i < warmup; i++) step();
    const tensorsBefore = tf.memory().numTensors;
    const times = [], losses = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      losses.push(step());
      times.push(performance.now() - t0);
    }
    for (let i = 0; i < leakSteps; i++) step();
    Object.assign(result, {
      step_ms: median(times), step_ms_all: times, losses,
      tensors_before: tensorsBefore, tensors_after: tf.memory().numTensors,
      leak_steps: steps + leakSteps,
    });
  } catch (e) {
    result.train_error = String(e && e.message || e).split('\n')[0];
  }
  try {
    const xe = tf.randomNormal([evalBatch, ...model.inputShape], 0, 1, 'float32', 9);
    tf.tidy(() => model.forward(xe, false)).dispose();
    const t0 = performance.now();
    for (let done = 0; done < evalImages; done += evalBatch) {
      const n = Math.min(evalBatch, evalImages - done);
      tf.tidy(() => {
        const xb = n === evalBatch ? xe : tf.slice(xe, 0, n);
        return tf.argMax(model.forward(xb, false), 1);
      }).dataSync();
    }
    result.eval_ms = performance.now() - t0;
    result.eval_images = evalImages;
  } catch (e) {
    result.eval_error = String(e && e.message || e).split('\n')[0];
  }
  result.peak_rss_mb = rssMb();
  result.baseline_rss_mb = baseline;
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e) => {
  process.stdout.write(`${JSON.stringify({ error: String(e && e.stack || e) })}\n`);
  process.exitCode = 1;
});
