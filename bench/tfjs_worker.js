'use strict';
// Times one model on one tfjs backend and prints one JSON line. Run by bench/run.js.
const path = require('path');
const tf = require('@tensorflow/tfjs-core');
const native = require('@lth/tfjs-backend-native');
const { models } = require('./models');

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
  const model = models[modelName]();
  const x = tf.randomNormal([batch, ...model.inputShape], 0, 1, 'float32', 7);
  const labels = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 8), 10);
  const optimizer = tf.train.momentum(0.01, 0.9);
  const result = { framework: 'tfjs', backend, model: modelName, batch, steps, bn: require('./models').BN_MODE };
  const baseline = rssMb();
  const step = () => {
    const { value, grads } = tf.variableGrads(() =>
      tf.losses.softmaxCrossEntropy(labels, model.forward(x, true)));
    optimizer.applyGradients(grads);
    const loss = value.dataSync()[0];
    value.dispose();
    tf.dispose(grads);
    return loss;
  };
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
