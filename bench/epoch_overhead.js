#!/usr/bin/env node
'use strict';
// Issue "lth train" acceptance 12: for LeNet-300-100 on Fashion-MNIST (batch 128), how much of
// an epoch is spent outside the backend's own work. One epoch of the real training loop
// (`train()` with OpenLTH's callbacks) is timed piece by piece:
//   data        producing the training and test batches (order, gather, normalisation)
//   saving      model, logger and checkpoint writes
//   eval        the test-set forward passes (backend work)
//   steps       everything else in the loop: forward, backward, optimizer (backend work)
// overhead = (data + saving) / epoch. The same split is measured for OpenLTH's pipeline
// (torchvision dataset, per-example PIL conversion, DataLoader) in PyTorch by
// epoch_overhead_torch.py, printed side by side.
//
// Usage: node bench/epoch_overhead.js [--backends native,wasm] [--epochs 1]
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

function opt(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

const quiet = { quiet: true, isTTY: false, line() {}, progress: () => ({ update() {}, stop() {} }) };
const now = () => performance.now();

function timedLoader(loader, acc) {
  return {
    iterationsPerEpoch: loader.iterationsPerEpoch,
    async *epoch(seed, skip) {
      const it = loader.epoch(seed, skip)[Symbol.asyncIterator]();
      for (;;) {
        const t0 = now();
        const r = await it.next();
        acc.ms += now() - t0;
        if (r.done) return;
        yield r.value;
      }
    },
  };
}

function timed(cb, acc) {
  return async (ctx) => {
    const t0 = now();
    await cb(ctx);
    acc.ms += now() - t0;
  };
}

async function measure(backend, epochs) {
  const k = require('@lth/kernel');
  const nn = require('@lth/nn');
  const lthData = require('@lth/data');
  require('@lth/plugin-platform-local');
  require('@lth/plugin-dataset-mnist');
  require('@lth/plugin-model-lenet');
  const t = require('@lth/training');
  const { LocalPlatformHparams } = require('@lth/plugin-platform-local');
  const platform = k.registry.platformFactory('local').instance.create(LocalPlatformHparams.create({ backend }), {});
  await platform.setup(() => {});
  const dataset = k.DatasetHparams.create({ dataset_name: 'fashion_mnist', batch_size: 128 });
  const training = k.TrainingHparams.create({ optimizer_name: 'sgd', lr: 0.1, training_steps: `${epochs}ep`, data_order_seed: 0 });
  const ctx = t.datasetContext(platform, quiet);
  const info = k.registry.dataset('fashion_mnist').instance.info('fashion_mnist');
  const model = nn.buildModel(k.ModelHparams.create({ model_name: 'mnist_lenet_300_100', model_init: 'kaiming_normal', batchnorm_init: 'uniform' }), {
    outputs: lthData.numClasses(dataset, info), inputShape: info.imageShape, seed: 'bench',
  });
  const data = { ms: 0 }, testData = { ms: 0 }, evalAll = { ms: 0 }, saving = { ms: 0 };
  const train = new lthData.DataLoader(await lthData.loadSplit(dataset, 'train', ctx), 128, { augment: true });
  const test = new lthData.DataLoader(await lthData.loadSplit(dataset, 'test', ctx), 128);
  const ipe = train.iterationsPerEpoch;
  const start = k.Step.zero(ipe), end = k.Step.fromStr(training.training_steps, ipe);
  const evaluate = timed(t.evaluationCallback('test', timedLoader(test, testData), null), evalAll);
  const callbacks = [
    t.everyEpoch(evaluate),
    t.atStep(start, timed(t.saveModelCallback, saving)),
    t.atStep(end, timed(t.saveModelCallback, saving)),
    t.atStep(end, timed(t.saveLoggerCallback, saving)),
    t.everyEpoch(timed(t.saveCheckpointCallback, saving)),
  ];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lth-bench-'));
  const t0 = now();
  await t.train({ training, model, loader: timedLoader(train, data), outputLocation: dir, callbacks, endStep: end, platform, out: quiet });
  const total = now() - t0;
  fs.rmSync(dir, { recursive: true, force: true });
  const evalBackend = evalAll.ms - testData.ms;
  const dataMs = data.ms + testData.ms;
  return {
    backend: platform.backend, epochs, total, steps: total - data.ms - evalAll.ms - saving.ms, eval: evalBackend,
    data: dataMs, saving: saving.ms, overhead: (dataMs + saving.ms) / total,
  };
}

function torchReference(epochs) {
  const py = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import torch, torchvision'], { encoding: 'utf8' }).status === 0);
  if (!py) return { backend: 'pytorch', error: 'PyTorch/torchvision not found (apt-get install python3-torch python3-torchvision)' };
  const r = spawnSync(py, [path.join(__dirname, 'epoch_overhead_torch.py'), '--epochs', String(epochs)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = (r.stdout || '').trim().split('\n').filter((l) => l.startsWith('{')).pop();
  return line ? JSON.parse(line) : { backend: 'pytorch', error: (r.stderr || '').trim().split('\n').pop() };
}

async function main() {
  if (process.argv.includes('--child')) {
    const r = await measure(opt('backend', 'native'), Number(opt('epochs', '1')));
    process.stdout.write(JSON.stringify(r) + '\n');
    return;
  }
  const epochs = opt('epochs', '1');
  const rows = [];
  for (const b of opt('backends', 'native,wasm').split(',')) {
    const r = spawnSync(process.execPath, [__filename, '--child', '--backend', b, '--epochs', epochs], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const line = (r.stdout || '').trim().split('\n').filter((l) => l.startsWith('{')).pop();
    rows.push(line ? JSON.parse(line) : { backend: b, error: (r.stderr || '').trim().split('\n').pop() });
  }
  rows.push(torchReference(epochs));
  const s = (ms) => (ms / 1000).toFixed(2).padStart(8);
  console.log(`LeNet-300-100, Fashion-MNIST, batch 128, ${epochs} epoch(s) with per-epoch test evaluation (seconds)`);
  console.log('backend      epoch     steps      eval      data    saving   outside the backend');
  for (const r of rows) {
    if (r.error) console.log(`${r.backend.padEnd(9)} ${r.error}`);
    else console.log(`${r.backend.padEnd(9)}${s(r.total)}  ${s(r.steps)}  ${s(r.eval)}  ${s(r.data)}  ${s(r.saving)}   ${(100 * r.overhead).toFixed(1).padStart(5)}%`);
  }
  console.log('outside the backend = (data + saving) / epoch; target under 10% (OpenLTH/PyTorch is the last row).');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
