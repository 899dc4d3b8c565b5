#!/usr/bin/env node
'use strict';
// Builds the native addon with node-gyp. Never fails the install: when the
// toolchain or oneDNN/OpenBLAS are missing it prints one line and exits 0.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const logFile = path.join(root, 'native-build.log');
const unavailable = '@lth/tfjs-backend-native: oneDNN/OpenBLAS not found ' +
  '(apt-get install libdnnl-dev libopenblas-dev); the native backend is unavailable';

function nodeGypCommand() {
  try {
    return [process.execPath, require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] })];
  } catch {
    const fromNpm = process.env.npm_config_node_gyp;
    if (fromNpm && fs.existsSync(fromNpm)) return [process.execPath, fromNpm];
    return null;
  }
}

function librariesPresent() {
  const headers = ['/usr/include/oneapi/dnnl/dnnl.hpp', '/usr/include/cblas.h',
    '/usr/include/x86_64-linux-gnu/cblas.h', '/usr/include/aarch64-linux-gnu/cblas.h'];
  return fs.existsSync(headers[0]) && headers.slice(1).some((h) => fs.existsSync(h));
}

// Headers that ship with the running node (e.g. Debian's /usr/include/node) let the
// build work offline instead of downloading them.
function localNodeDir() {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : null;
}

// True when the built addon is newer than every source file (skip the rebuild).
function upToDate() {
  const addon = path.join(root, 'build', 'Release', 'tfjs_native.node');
  if (!fs.existsSync(addon) || process.env.LTH_NATIVE_FORCE_BUILD) return false;
  const built = fs.statSync(addon).mtimeMs;
  const sources = [path.join(root, 'binding.gyp'), __filename,
    ...fs.readdirSync(path.join(root, 'native')).map((f) => path.join(root, 'native', f))];
  return sources.every((f) => fs.statSync(f).mtimeMs <= built);
}

// Serialises concurrent builds (parallel installs) with a lock directory.
function withLock(f) {
  const lock = path.join(root, '.build-lock');
  const deadline = Date.now() + 10 * 60 * 1000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      const age = Date.now() - fs.statSync(lock).mtimeMs;
      if (age > 10 * 60 * 1000 || Date.now() > deadline) {
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    return f();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function main() {
  if (process.env.LTH_NATIVE_SKIP_BUILD) return;
  withLock(build);
}

function build() {
  if (upToDate()) {
    console.log('@lth/tfjs-backend-native: native addon up to date');
    return;
  }
  const gyp = nodeGypCommand();
  if (!librariesPresent() || gyp == null) {
    console.log(unavailable);
    return;
  }
  const jobs = String(Math.max(1, require('os').cpus().length));
  const args = [gyp[1], 'rebuild', '--release', '-j', jobs];
  const nodedir = localNodeDir();
  if (nodedir && !process.env.npm_config_nodedir) args.push(`--nodedir=${nodedir}`);
  const r = spawnSync(gyp[0], args,
    { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  fs.writeFileSync(logFile, `${r.stdout || ''}\n${r.stderr || ''}`);
  if (r.status !== 0) {
    console.log(`${unavailable} (build log: ${logFile})`);
    return;
  }
  console.log('@lth/tfjs-backend-native: native addon built');
}

try {
  main();
} catch (e) {
  console.log(`${unavailable} (${e && e.message})`);
}
process.exit(0);
