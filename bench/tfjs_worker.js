'use strict';
// Times one model on one tfjs backend and prints one JSON line. Run by bench/run.js.
// LeNet is the model users train: `mnist_lenet_300_100` built by @lth/kernel's buildModel from
// @lth/plugin-model-lenet, stepped by @lth/training's trainStep with createOptimizer's SGD at
// lr 0.1 (OpenLTH's LeNet default, no momentum). ResNet-20 is bench/models.js' standalone model
// with tf.train.momentum(0.01, 0.9).
const path = require('path');
const tf = require('@tensorflow/tfjs-core');
const native = require('@lth/tfjs-backend-native');
const { models } = require('./models');

const LENET_LR = 0.1;

/**
 * The lth LeNet-300-100 and a step of lth's training loop on one fixed batch (images
 * [batch, 28, 28, 1], labels 0..9), shaped like bench/models.js' models.
 */
function lthLenet(batch) {
  const kernel = require('@lth/kernel');
  require('@lth/plugin-model-lenet');
  const training = require('@lth/training');
  const hp = kernel.ModelHparams.create({ model_name: 'mnist_lenet_300_100', model_init: 'kaiming_normal', batchnorm_init: 'uniform' });
  const model = kernel.buildModel(hp, { outputs: 10, inputShape: [28, 28, 1], seed: 'bench' });
  const training_hp = kernel.TrainingHparams.create({ optimizer_name: 'sgd', lr: LENET_LR, training_steps: '1ep' });
  const params = model.state.filter((e) => e.role !== 'buffer' && e.variable.trainable)
    .map((e) => ({ name: e.name, variable: e.variable, layout: e.layout }));
  const optimizer = training.createOptimizer(training_hp, params);
  const trainable = params.map((p) => p.variable);
  const rng = new kernel.Rng('bench', 'lenet');
  const data = {
    images: rng.fillUniform(new Float32Array(batch * 784), 0, 1),
    labels: Int32Array.from({ length: batch }, (_, i) => i % 10),
    size: batch,
    shape: [batch, 28, 28, 1],
  };
  return {
    inputShape: [28, 28, 1],
    forward: (x, isTraining) => model.forward(x, isTraining),
    step: () => training.trainStep(model, trainable, optimizer, data, LENET_LR, true),
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

// A step of a bench/models.js model: softmax cross-entropy, tf.train.momentum(0.01, 0.9).
function standaloneStep(model, batch) {
  const x = tf.randomNormal([batch, ...model.inputShape], 0, 1, 'float32', 7);
  const labels = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 8), 10);
  const optimizer = tf.train.momentum(0.01, 0.9);
  return () => {
    const { value, grads } = tf.variableGrads(() =>
      tf.losses.softmaxCrossEntropy(labels, model.forward(x, true)));
    optimizer.applyGradients(grads);
    const loss = value.dataSync()[0];
    value.dispose();
    tf.dispose(grads);
    return loss;
  };
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
  const model = modelName === 'lenet' ? lthLenet(batch) : models[modelName]();
  const result = { framework: 'tfjs', backend, model: modelName, batch, steps };
  if (modelName === 'lenet') Object.assign(result, { code: 'lth', optimizer: `sgd lr ${LENET_LR}` });
  else Object.assign(result, { code: 'bench/models.js', optimizer: 'momentum 0.9 lr 0.01', bn: require('./models').BN_MODE });
  const baseline = rssMb();
  const step = model.step ?? standaloneStep(model, batch);
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
