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

function main() {
  if (process.env.LTH_NATIVE_SKIP_BUILD) return;
  const gyp = nodeGypCommand();
  if (!librariesPresent() || gyp == null) {
    console.log(unavailable);
    return;
  }
  const jobs = String(Math.max(1, require('os').cpus().length));
  const r = spawnSync(gyp[0], [gyp[1], 'rebuild', '--release', '-j', jobs],
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
