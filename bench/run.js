#!/usr/bin/env node
'use strict';
// `npm run bench`: LeNet-300-100 and CIFAR ResNet-20 training steps (batch 128) and a
// 10,000-image evaluation pass on tfjs `native`, `wasm` (and `cpu` for LeNet) and in PyTorch,
// each in its own process. Prints ms/step, eval time, peak RSS and the ratios to PyTorch,
// and writes bench/out/results.json.
//
// Options: --models lenet,resnet20  --backends torch,native,wasm,cpu  --steps N  --warmup N
//          --repeats 3  --eval-images 10000  --leak-steps 1000 (extra LeNet steps on native for the
//          leak check). Each model/backend pair runs --repeats times, interleaved with the others
//          (torch, native, torch, native, ...), and the run with the lowest median counts:
//          on a shared 2-core machine a burst of other work otherwise decides the ratio. `wasm`
//          and `cpu` (the slow references) run once; `cpu` 10 steps after 3 warm-up (about half
//          a second a LeNet step).
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

function opt(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

const models = opt('models', 'lenet,resnet20').split(',');
const backends = opt('backends', 'torch,native,wasm,cpu').split(',');
// Per model: a LeNet step is a few milliseconds and V8 takes a hundred or so steps to optimise
// the JavaScript around the kernels, so LeNet gets a longer warm-up; a ResNet-20 step is ~0.3 s.
const DEFAULT_STEPS = { lenet: 200, resnet20: 30 }, DEFAULT_WARMUP = { lenet: 200, resnet20: 10 };
const stepsOf = (model) => opt('steps', String(DEFAULT_STEPS[model] ?? 50));
const warmupOf = (model) => opt('warmup', String(DEFAULT_WARMUP[model] ?? 20));
const repeats = Number(opt('repeats', '3'));
const evalImages = opt('eval-images', '10000'), leakSteps = opt('leak-steps', '1000');
const threads = String(os.availableParallelism ? os.availableParallelism() : os.cpus().length);

function findPython() {
  for (const py of [process.env.LTH_BENCH_PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean)) {
    const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return null;
}

// The same OpenBLAS kernels for PyTorch as for the native backend (OpenBLAS 0.3.21 misdetects
// recent Intel CPUs as Prescott; see @lth/tfjs-backend-native's openBlasCoreType()).
function nativeEnv() {
  try {
    const core = require('@lth/tfjs-backend-native').openBlasCoreType();
    return core && process.env.OPENBLAS_CORETYPE === undefined ? { OPENBLAS_CORETYPE: core } : {};
  } catch {
    return {};
  }
}

function runJob(model, backend, python, leakSteps) {
  const slow = backend === 'cpu';
  const common = ['--model', model, '--steps', slow ? '10' : stepsOf(model), '--warmup', slow ? '3' : warmupOf(model),
    '--eval-images', evalImages];
  let cmd, args;
  if (backend === 'torch') {
    if (python == null) return { backend, model, error: 'PyTorch not found (apt-get install python3-torch)' };
    cmd = python;
    args = [path.join(__dirname, 'torch_reference.py'), ...common, '--threads', threads];
  } else {
    cmd = process.execPath;
    args = [path.join(__dirname, 'tfjs_worker.js'), '--backend', backend, ...common, '--leak-steps', leakSteps];
  }
  const r = spawnSync(cmd, args, {
    encoding: 'utf8', env: { ...process.env, ...nativeEnv() }, maxBuffer: 64 << 20, timeout: 30 * 60 * 1000,
  });
  const line = (r.stdout || '').trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (line === undefined) {
    return { backend, model, error: `exit ${r.status}: ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}` };
  }
  return JSON.parse(line);
}

const fmt = (v, d = 1) => (v == null ? '—' : Number(v).toFixed(d));

function main() {
  const python = backends.includes('torch') ? findPython() : null;
  const plan = models.map((m) => `${m} median of ${stepsOf(m)} steps after ${warmupOf(m)}`).join(', ');
  console.log(`bench: batch 128, ${plan}, best of ${repeats} runs, eval ${evalImages} images,` +
    ` ${threads} threads, ${os.cpus()[0].model}; OPENBLAS_CORETYPE=${nativeEnv().OPENBLAS_CORETYPE ?? process.env.OPENBLAS_CORETYPE ?? '(auto)'}`);
  const runs = [];
  for (let r = 0; r < repeats; r++) {
    for (const model of models) {
      for (const backend of backends) {
        if (backend === 'cpu' && model !== 'lenet') continue;
        if ((backend === 'cpu' || backend === 'wasm') && r > 0) continue;
        process.stderr.write(`  [${r + 1}/${repeats}] ${model} on ${backend}...\n`);
        const leak = backend === 'native' && model === 'lenet' && r === 0 ? leakSteps : '0';
        runs.push({ repeat: r, ...runJob(model, backend, python, leak) });
      }
    }
  }
  const results = [];
  for (const model of models) {
    for (const backend of backends) {
      const mine = runs.filter((q) => q.model === model && q.backend === backend);
      if (mine.length === 0) continue;
      const timed = mine.filter((q) => q.step_ms != null);
      const best = timed.length ? timed.reduce((a, b) => (b.step_ms < a.step_ms ? b : a)) : mine[0];
      const leak = mine.find((q) => q.leak_steps > q.steps) ?? best;
      const evals = mine.map((q) => q.eval_ms).filter((v) => v != null);
      results.push({ ...best, eval_ms: evals.length ? Math.min(...evals) : best.eval_ms,
        peak_rss_mb: Math.max(...mine.map((q) => q.peak_rss_mb ?? 0)) || best.peak_rss_mb,
        tensors_before: leak.tensors_before, tensors_after: leak.tensors_after, leak_steps: leak.leak_steps,
        runs: mine.length, step_ms_runs: timed.map((q) => q.step_ms) });
    }
  }
  const header = ['model', 'backend', 'ms/step', 'x torch', 'eval ms', 'x torch', 'peak MB', 'x torch', 'tensors (steps)'];
  const rows = [header];
  const notes = [];
  for (const r of results) {
    const torch = results.find((q) => q.model === r.model && q.backend === 'torch' && q.step_ms != null);
    const ratio = (a, b) => (a != null && b != null ? `${(a / b).toFixed(2)}x` : '—');
    rows.push([r.model, r.backend, fmt(r.step_ms), ratio(r.step_ms, torch?.step_ms), fmt(r.eval_ms, 0),
      ratio(r.eval_ms, torch?.eval_ms), fmt(r.peak_rss_mb, 0), ratio(r.peak_rss_mb, torch?.peak_rss_mb),
      r.tensors_before != null ? `${r.tensors_before}→${r.tensors_after} (${r.leak_steps})` : '—']);
    if (r.error) notes.push(`${r.model} on ${r.backend}: ${r.error}`);
    if (r.train_error) notes.push(`${r.model} on ${r.backend}: training skipped — ${r.train_error}`);
    if (r.eval_error) notes.push(`${r.model} on ${r.backend}: evaluation skipped — ${r.eval_error}`);
  }
  if (backends.includes('cpu') && models.includes('resnet20')) notes.push('resnet20 on cpu: not run (minutes per step)');
  const widths = header.map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  for (const row of rows) console.log(row.map((c, i) => String(c).padStart(widths[i])).join('  '));
  for (const n of notes) console.log(`note: ${n}`);
  const out = path.join(__dirname, 'out');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'results.json'), `${JSON.stringify({ results, runs }, null, 2)}\n`);
}

main();
