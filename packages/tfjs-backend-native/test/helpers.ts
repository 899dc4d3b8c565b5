import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'chai';
import { ensureGradients, isAvailable, register } from '../src';

/** Registers gradients and the native backend once; skips the suite when the addon is missing. */
export function setup(ctx: Mocha.Suite): void {
  ctx.beforeAll(async function () {
    if (!isAvailable()) this.skip();
    await ensureGradients();
    expect(register({ threads: 2 })).to.equal(true);
  });
  ctx.afterAll(async () => {
    await tf.setBackend('cpu');
  });
}

let seed = 1000;

/** Restarts the sequence of `rand` (to build identical models on two backends). */
export function resetSeed(s = 1000): void {
  seed = s;
}

/** Deterministic random data as a plain array (the same values on every backend). */
export function rand(shape: number[], scale = 1): { shape: number[]; data: Float32Array } {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let s = seed++ * 2654435761 % 4294967296;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) % 4294967296;
    data[i] = ((s / 4294967296) * 2 - 1) * scale;
  }
  return { shape, data };
}

/** Turns data from `rand` into a tensor on the current backend. */
export const t = (r: { shape: number[]; data: Float32Array }): tf.Tensor => tf.tensor(r.data, r.shape);

type Out = tf.Tensor | tf.Tensor[] | Record<string, tf.Tensor>;

function flatten(o: Out): tf.Tensor[] {
  if (o instanceof tf.Tensor) return [o];
  if (Array.isArray(o)) return o;
  return Object.keys(o).sort().map((k) => o[k]);
}

/** Runs `f` on `backend` and returns shapes and copies of the results, leaking nothing. */
export async function runOn(backend: string, f: () => Out): Promise<{ shape: number[]; values: Float32Array }[]> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const outs = flatten(tf.tidy(f) as Out);
  const res = outs.map((o) => ({ shape: o.shape, values: Float32Array.from(o.dataSync()) }));
  tf.dispose(outs);
  expect(tf.memory().numTensors, `tensors leaked on ${backend}`).to.equal(before);
  return res;
}

/** Max |a - b| relative to max(1, max |a|). */
export function relDiff(a: Float32Array, b: Float32Array): number {
  let d = 0, m = 1;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    if (Number.isNaN(a[i]) !== Number.isNaN(b[i])) return Infinity;
    m = Math.max(m, Math.abs(a[i]));
  }
  return d / m;
}

/** Asserts `f` gives the same shapes and values (within `tol`) on cpu and native. */
export async function expectSame(f: () => Out, tol = 1e-5, label = ''): Promise<void> {
  const ref = await runOn('cpu', f);
  const got = await runOn('native', f);
  expect(got.length).to.equal(ref.length);
  ref.forEach((r, i) => {
    expect(got[i].shape, `${label} output ${i} shape`).to.deep.equal(r.shape);
    const d = relDiff(r.values, got[i].values);
    expect(d, `${label} output ${i}: relative difference ${d}`).to.be.at.most(tol);
  });
}
