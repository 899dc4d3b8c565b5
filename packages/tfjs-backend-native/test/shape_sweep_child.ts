/**
 * Child process of `shape_sweep.test.ts`: compares conv2d (forward and both
 * backprops) and max/avg pooling (forward and gradient) on the native and cpu
 * backends over fixed regression shapes and a seeded random sweep, and prints
 * one JSON line `{cases, mismatches, stats}`. It runs in its own process so
 * that heap corruption in the addon fails the test instead of killing mocha.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients, kernelStats, register, resetKernelStats } from '../src';

type Pad = 'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];

/** One shape case: a convolution (`oc` set) or a pooling (`pool` set). */
export interface SweepCase {
  x: [number, number, number, number];
  k: [number, number];
  s: [number, number];
  pad: Pad;
  oc?: number;
  pool?: 'max' | 'avg';
}

class Lcg {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (Math.imul(this.s, 1664525) + 1013904223) >>> 0;
    return this.s / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
}

/** 1x1 stride-2/3 convolutions and stride > window poolings on even and odd sizes (the heap-overrun shapes). */
function regressionCases(): SweepCase[] {
  const cases: SweepCase[] = [];
  for (const size of [16, 15, 17, 8]) {
    for (const [cin, cout] of [[8, 16], [4, 8], [16, 32], [3, 5], [1, 2]]) {
      for (const s of [2, 3]) cases.push({ x: [3, size, size, cin], k: [1, 1], s: [s, s], pad: 'valid', oc: cout });
    }
    cases.push({ x: [2, size, size, 8], k: [1, 1], s: [2, 2], pad: 'same', oc: 16 });
    cases.push({ x: [2, size, size, 4], k: [1, 1], s: [2, 1], pad: 'valid', oc: 8 });
    for (const pool of ['max', 'avg'] as const) {
      cases.push({ x: [2, size, size, 8], k: [1, 1], s: [2, 2], pad: 'valid', pool });
      cases.push({ x: [2, size, size, 3], k: [2, 2], s: [3, 3], pad: 'valid', pool });
      cases.push({ x: [2, size, size, 5], k: [3, 3], s: [2, 2], pad: 'same', pool });
    }
  }
  return cases;
}

function randomCases(seed: number, count: number): SweepCase[] {
  const r = new Lcg(seed);
  const cases: SweepCase[] = [];
  while (cases.length < count) {
    const x: SweepCase['x'] = [r.int(1, 4), r.int(1, 13), r.int(1, 13), r.int(1, 16)];
    const k: SweepCase['k'] = [r.int(1, 5), r.int(1, 5)];
    const s: SweepCase['s'] = [r.int(1, 3), r.int(1, 3)];
    const kind = r.int(0, 2);
    const padKind = r.int(0, kind === 0 ? 2 : 1);
    const pad: Pad = padKind === 0 ? 'valid' : padKind === 1 ? 'same'
      : [[0, 0], [r.int(0, 2), r.int(0, 2)], [r.int(0, 2), r.int(0, 2)], [0, 0]];
    const extraH = Array.isArray(pad) ? pad[1][0] + pad[1][1] : pad === 'same' ? k[0] : 0;
    const extraW = Array.isArray(pad) ? pad[2][0] + pad[2][1] : pad === 'same' ? k[1] : 0;
    if (x[1] + extraH < k[0] || x[2] + extraW < k[1]) continue;
    if (kind === 0) cases.push({ x, k, s, pad, oc: r.int(1, 16) });
    else cases.push({ x, k, s, pad, pool: kind === 1 ? 'max' : 'avg' });
  }
  return cases;
}

function values(shape: number[], seed: number): Float32Array {
  const r = new Lcg(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () => r.next() * 2 - 1);
}

/** Forward output and gradients of sum(y²) for one case, on the current backend. */
function outputs(c: SweepCase, xv: Float32Array, wv: Float32Array | null): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(xv, c.x);
    let res: tf.Tensor[];
    if (c.pool === undefined) {
      const w = tf.tensor4d(wv!, [c.k[0], c.k[1], c.x[3], c.oc!]);
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad);
      res = [f(x, w), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(f(a, b))))([x, w])];
    } else {
      const op = c.pool === 'max' ? tf.maxPool : tf.avgPool;
      const f = (a: tf.Tensor) => op(a as tf.Tensor4D, c.k, c.s, c.pad as 'valid' | 'same');
      res = [f(x), tf.grad((a: tf.Tensor) => tf.sum(tf.square(f(a))))(x)];
    }
    return res.map((t) => Float32Array.from(t.dataSync()));
  });
}

function relDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let d = 0, m = 1;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) !== Number.isNaN(b[i])) return Infinity;
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(a[i]));
  }
  return d / m;
}

async function main(): Promise<void> {
  const seed = Number(process.env.LTH_SWEEP_SEED ?? 20240611);
  const count = Number(process.env.LTH_SWEEP_COUNT ?? 250);
  await ensureGradients();
  if (!register({ threads: 2 })) throw new Error('native backend unavailable');
  resetKernelStats();
  const cases = [...regressionCases(), ...randomCases(seed, count)];
  const mismatches: string[] = [];
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    const xv = values(c.x, 2 * i + 1);
    const wv = c.pool === undefined ? values([c.k[0], c.k[1], c.x[3], c.oc!], 2 * i + 2) : null;
    await tf.setBackend('cpu');
    const ref = outputs(c, xv, wv);
    await tf.setBackend('native');
    const got = outputs(c, xv, wv);
    ref.forEach((r, j) => {
      const d = relDiff(r, got[j]);
      if (!(d <= 1e-4)) mismatches.push(`${JSON.stringify(c)} output ${j}: relative difference ${d}`);
    });
  }
  process.stdout.write(`${JSON.stringify({ cases: cases.length, mismatches, stats: kernelStats() })}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
