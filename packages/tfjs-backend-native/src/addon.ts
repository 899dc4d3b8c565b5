import * as fs from 'fs';
import * as path from 'path';
import { configureNativeEnv } from './cpu_env';

/**
 * The functions exported by the compiled N-API addon (`native/*.cc`).
 *
 * Every function reads its inputs from, and writes its results into,
 * caller-owned `Float32Array`s (zero copy). Shapes are passed as plain
 * number arrays. Any error inside the addon (a bad argument, an oneDNN
 * failure) is thrown as a JavaScript `Error`; the process never aborts.
 */
export interface NativeAddon {
  setThreads(threads: number): void;
  getThreads(): number;
  versions(): { onednn: string; openblas: string };
  matmul(
    a: Float32Array, b: Float32Array, out: Float32Array, batchA: number, batchB: number,
    m: number, n: number, k: number, transA: boolean, transB: boolean,
    bias?: Float32Array | null, activation?: number, alpha?: number): void;
  binary(
    op: number, a: Float32Array, aShape: number[], b: Float32Array, bShape: number[],
    out: Float32Array, outShape: number[]): void;
  unary(op: number, x: Float32Array, out: Float32Array, alpha?: number): void;
  fill(out: Float32Array, value: number): void;
  addN(inputs: Float32Array[], out: Float32Array): void;
  reduce(op: number, x: Float32Array, outer: number, r: number, inner: number, out: Float32Array): void;
  bnForward(
    x: Float32Array, mean: Float32Array, variance: Float32Array, offset: Float32Array | null,
    scale: Float32Array | null, eps: number, channels: number, out: Float32Array): void;
  bnGrad(
    x: Float32Array, dy: Float32Array, mean: Float32Array, variance: Float32Array,
    scale: Float32Array | null, eps: number, channels: number, dx: Float32Array | null,
    dmean: Float32Array | null, dvariance: Float32Array | null, dscale: Float32Array | null,
    doffset: Float32Array | null): void;
  bnTrainForward(
    x: Float32Array, scale: Float32Array | null, offset: Float32Array | null, eps: number,
    channels: number, y: Float32Array, mean: Float32Array, variance: Float32Array, relu?: boolean): void;
  bnTrainBackward(
    x: Float32Array, dy: Float32Array, mean: Float32Array, variance: Float32Array,
    scale: Float32Array | null, eps: number, channels: number, dx: Float32Array | null,
    dscale: Float32Array | null, doffset: Float32Array | null, y?: Float32Array | null): void;
  softmax(x: Float32Array, rows: number, cols: number, out: Float32Array, log?: boolean): void;
  transpose(x: Float32Array, shape: number[], perm: number[], out: Float32Array): void;
  slice(x: Float32Array, shape: number[], begin: number[], size: number[], out: Float32Array): void;
  pad(x: Float32Array, shape: number[], before: number[], outShape: number[], value: number, out: Float32Array): void;
  concat(inputs: Float32Array[], innerSizes: number[], outer: number, out: Float32Array): void;
  convForward(
    x: Float32Array, filter: Float32Array, bias: Float32Array | null, out: Float32Array,
    params: number[], activation?: number, alpha?: number): void;
  convBackwardData(dy: Float32Array, filter: Float32Array, dx: Float32Array, params: number[]): void;
  convBackwardWeights(
    x: Float32Array, dy: Float32Array, dw: Float32Array, params: number[],
    dbias?: Float32Array | null): void;
  poolForward(x: Float32Array, out: Float32Array, params: number[], isMax: boolean): void;
  softmaxCrossEntropy(
    logits: Float32Array, rows: number, cols: number, labels: Int32Array, probs: Float32Array,
    loss: Float32Array): void;
  softmaxCrossEntropyGrad(
    probs: Float32Array, rows: number, cols: number, labels: Int32Array, scale: number,
    out: Float32Array): void;
  sgdUpdate(
    w: Float32Array, g: Float32Array, buf: Float32Array | null, mask: Float32Array | null,
    outW: Float32Array, outBuf: Float32Array | null, lr: number, momentum: number,
    nesterov: boolean, weightDecay: number): void;
  poolBackward(
    dy: Float32Array, x: Float32Array | null, dx: Float32Array, params: number[],
    isMax: boolean): void;
}

const candidates = [
  path.join(__dirname, '..', '..', 'build', 'Release', 'tfjs_native.node'),
  path.join(__dirname, '..', '..', 'build', 'Debug', 'tfjs_native.node'),
];

let cached: NativeAddon | null | undefined;
let loadError: string | undefined;

/** Loads the addon once; returns null when it was not built or fails to load. */
export function loadAddon(): NativeAddon | null {
  if (cached !== undefined) return cached;
  cached = null;
  configureNativeEnv();
  for (const file of candidates) {
    if (!fs.existsSync(file)) continue;
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      cached = require(file) as NativeAddon;
      return cached;
    } catch (e) {
      loadError = `failed to load ${file}: ${(e as Error).message}`;
    }
  }
  if (loadError === undefined) loadError = 'the addon was not built (run `npm run build:native`)';
  return cached;
}

/** Why the addon is unavailable, when it is. */
export function addonError(): string | undefined {
  loadAddon();
  return cached ? undefined : loadError;
}

/** The loaded addon; throws a clear error when it is unavailable. */
export function addon(): NativeAddon {
  const a = loadAddon();
  if (a == null) throw new Error(`@lth/tfjs-backend-native: ${addonError()}`);
  return a;
}
