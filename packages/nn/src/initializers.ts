import type { BatchNormInitializer, Initializer, Rng } from '@lth/kernel';
import { registerBatchNormInitializer, registerInitializer } from '@lth/kernel';
import { orthonormalColumns } from './orthogonal';

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** `kaiming_normal_` with PyTorch's defaults (fan_in, ReLU gain): N(0, 2/fan_in). */
export const kaimingNormal: Initializer = (shape, fanIn, rng) => rng.fillNormal(new Float32Array(count(shape)), 0, Math.sqrt(2 / fanIn));

/** `kaiming_uniform_` with PyTorch's defaults (fan_in, ReLU gain): U(±√(6/fan_in)). */
export const kaimingUniform: Initializer = (shape, fanIn, rng) => {
  const bound = Math.sqrt(6 / fanIn);
  return rng.fillUniform(new Float32Array(count(shape)), -bound, bound);
};

/**
 * `orthogonal_` with gain 1: a normal matrix of shape `[shape[0], rest]` (the PyTorch shape
 * flattened), transposed when wide, replaced by the Q of its QR decomposition with R's diagonal
 * made positive, and transposed back. Rows (or columns, when tall) come out orthonormal.
 */
export const orthogonal: Initializer = (shape, _fanIn, rng: Rng) => {
  const rows = shape[0];
  const cols = count(shape) / rows;
  const flat = new Float64Array(rows * cols);
  for (let i = 0; i < flat.length; i++) flat[i] = rng.normal();
  const out = new Float32Array(rows * cols);
  if (rows >= cols) {
    out.set(orthonormalColumns(flat, rows, cols));
  } else {
    const t = new Float64Array(cols * rows);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = flat[i * cols + j];
    const q = orthonormalColumns(t, cols, rows);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = q[j * rows + i];
  }
  return out;
};

/** OpenLTH's `binary`: `kaiming_normal_`, then `sign(w) · std(w)` with the tensor's unbiased std (`torch.std`). */
export const binary: Initializer = (shape, fanIn, rng) => {
  const w = kaimingNormal(shape, fanIn, rng);
  let mean = 0;
  for (let i = 0; i < w.length; i++) mean += w[i];
  mean /= w.length;
  let ss = 0;
  for (let i = 0; i < w.length; i++) ss += (w[i] - mean) ** 2;
  const std = Math.sqrt(ss / (w.length - 1));
  for (let i = 0; i < w.length; i++) w[i] = Math.sign(w[i]) * std;
  return w;
};

/** BN `uniform` (the default of every model): weight U[0, 1), bias 0. */
export const uniformBatchNorm: BatchNormInitializer = (c, rng) => ({ weight: rng.fillUniform(new Float32Array(c), 0, 1), bias: new Float32Array(c) });

/** BN `fixed`: weight 1, bias 0 (PyTorch's own default). */
export const fixedBatchNorm: BatchNormInitializer = (c) => ({ weight: new Float32Array(c).fill(1), bias: new Float32Array(c) });

/** BN `oneone`: weight 1, bias 1. */
export const oneOneBatchNorm: BatchNormInitializer = (c) => ({ weight: new Float32Array(c).fill(1), bias: new Float32Array(c).fill(1) });

/** BN `positivenegative`: weight U[-1, 1), bias 0. */
export const positiveNegativeBatchNorm: BatchNormInitializer = (c, rng) => ({ weight: rng.fillUniform(new Float32Array(c), -1, 1), bias: new Float32Array(c) });

registerInitializer('kaiming_normal', kaimingNormal, 'kaiming_normal_ (fan_in, ReLU): N(0, 2/fan_in)');
registerInitializer('kaiming_uniform', kaimingUniform, 'kaiming_uniform_ (fan_in, ReLU): U(±sqrt(6/fan_in))');
registerInitializer('orthogonal', orthogonal, 'orthogonal_ with gain 1');
registerInitializer('binary', binary, 'kaiming_normal_, then sign(w) * std(w)');
registerBatchNormInitializer('uniform', uniformBatchNorm, 'weight U[0,1), bias 0');
registerBatchNormInitializer('fixed', fixedBatchNorm, 'weight 1, bias 0');
registerBatchNormInitializer('oneone', oneOneBatchNorm, 'weight 1, bias 1');
registerBatchNormInitializer('positivenegative', positiveNegativeBatchNorm, 'weight U[-1,1), bias 0');
