import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients, stateEntry, type Mask, type Model, type PruningBatch } from '@lth/kernel';

/**
 * The scoring rules of pruning at initialisation, each on a network whose pruned weights are
 * already zero (`maskWeights`). Every function returns one Float32Array per named weight, in
 * lth's layout of that weight, and leaves no tensors behind.
 */

/** Zeroes the weights `mask` prunes, in place. */
export function maskWeights(model: Model, mask: Mask): void {
  for (const name of mask.keys()) {
    const v = stateEntry(model, name).variable;
    const m = mask.get(name)!;
    tf.tidy(() => v.assign(tf.mul(v, tf.tensor(m.data, [...m.shape], 'float32'))));
  }
}

function variablesOf(model: Model, names: readonly string[]): tf.Variable[] {
  return names.map((n) => stateEntry(model, n).variable);
}

function read(t: tf.Tensor): Float32Array {
  return Float32Array.from(t.dataSync() as Float32Array);
}

/** The gradient of the mean cross-entropy of `logits / temperature` on `batch`, by weight name. */
function lossGradients(model: Model, names: readonly string[], batch: PruningBatch, temperature = 1): tf.Tensor[] {
  const vars = variablesOf(model, names);
  const x = tf.tensor4d(batch.images, batch.shape, 'float32');
  const y = tf.tensor1d(batch.labels, 'int32');
  try {
    const { value, grads } = tf.variableGrads(() => {
      const logits = model.forward(x, true);
      return model.loss(temperature === 1 ? logits : tf.div(logits, temperature), y);
    }, vars);
    value.dispose();
    return vars.map((v) => grads[v.name]);
  } finally {
    x.dispose();
    y.dispose();
  }
}

/**
 * SNIP's connection sensitivity (Lee et al. 2019, eq. 6 before normalisation): `|g ⊙ w|`,
 * `g` the gradient of the mean cross-entropy on `batch` at the network's weights, with
 * batch-norm in training mode as the paper's code runs it. The normalisation by the sum does
 * not change the ranking and is left out.
 */
export async function snipScores(model: Model, names: readonly string[], batch: PruningBatch): Promise<Map<string, Float32Array>> {
  await ensureGradients();
  const grads = lossGradients(model, names, batch);
  const out = new Map<string, Float32Array>();
  tf.tidy(() => {
    names.forEach((n, i) => out.set(n, read(tf.abs(tf.mul(grads[i], stateEntry(model, n).variable)))));
  });
  tf.dispose(grads);
  return out;
}

/**
 * GraSP's score (Wang et al. 2020, eq. 8, and the authors' code): `S = -w ⊙ Hg`, `g` the
 * gradient of the cross-entropy of `logits / temperature` on `batch` over all the weights
 * `names`, `H` its Hessian. The highest scores are pruned. `Hg` is the central difference
 * `(∇L(w + εg) - ∇L(w - εg)) / 2ε` with `ε = eta · ‖w‖ / ‖g‖` (tfjs has no second-order
 * gradients through fused kernels; PyTorch's double backward gives the same product to about
 * 1e-3 relative, see the tests).
 */
export async function graspScores(model: Model, names: readonly string[], batch: PruningBatch, temperature: number, eta = 1e-3): Promise<Map<string, Float32Array>> {
  await ensureGradients();
  const vars = variablesOf(model, names);
  const w0 = vars.map((v) => v.clone());
  const g = lossGradients(model, names, batch, temperature);
  try {
    const wNorm = tf.tidy(() => Math.sqrt(w0.reduce((s, w) => s + tf.sum(tf.square(w)).dataSync()[0], 0)));
    const gNorm = tf.tidy(() => Math.sqrt(g.reduce((s, t) => s + tf.sum(tf.square(t)).dataSync()[0], 0)));
    const out = new Map<string, Float32Array>();
    if (gNorm === 0) {
      names.forEach((n, i) => out.set(n, new Float32Array(vars[i].size)));
      return out;
    }
    const eps = (eta * wNorm) / gNorm;
    const at = (sign: number): tf.Tensor[] => {
      vars.forEach((v, i) => tf.tidy(() => v.assign(tf.add(w0[i], tf.mul(g[i], sign * eps)))));
      return lossGradients(model, names, batch, temperature);
    };
    const plus = at(1);
    const minus = at(-1);
    vars.forEach((v, i) => v.assign(w0[i]));
    tf.tidy(() => {
      names.forEach((n, i) => {
        const hg = tf.div(tf.sub(plus[i], minus[i]), 2 * eps);
        out.set(n, read(tf.neg(tf.mul(w0[i], hg))));
      });
    });
    tf.dispose([...plus, ...minus]);
    return out;
  } finally {
    tf.dispose([...w0, ...g]);
  }
}

/**
 * SynFlow's synaptic saliency (Tanaka et al. 2020, and the authors' code): with every
 * floating-point state entry replaced by its absolute value (the `linearize` step: weights,
 * biases and batch-norm parameters and statistics) and batch norm in evaluation mode,
 * `R = sum(f(1))` on one all-ones input, and the score of a weight is `|w ⊙ ∂R/∂w|`. The
 * caller makes the weights absolute and masked (`absoluteState`, `maskWeights`); float32 where
 * the paper's code uses float64 (a non-finite score is an error, not a wrong ranking).
 */
export async function synflowScores(model: Model, names: readonly string[], inputShape: readonly [number, number, number]): Promise<Map<string, Float32Array>> {
  await ensureGradients();
  const vars = variablesOf(model, names);
  const out = new Map<string, Float32Array>();
  tf.tidy(() => {
    const x = tf.ones([1, ...inputShape]) as tf.Tensor4D;
    const { value, grads } = tf.variableGrads(() => tf.sum(model.forward(x, false)) as tf.Scalar, vars);
    value.dispose();
    names.forEach((n, i) => out.set(n, read(tf.abs(tf.mul(grads[vars[i].name], vars[i])))));
  });
  return out;
}

/** Replaces every float32 state entry of `model` by its absolute value (SynFlow's `linearize`). */
export function absoluteState(model: Model): void {
  for (const e of model.state) {
    if (e.torchDtype !== 'float32') continue;
    tf.tidy(() => e.variable.assign(tf.abs(e.variable)));
  }
}
