import * as tf from '@tensorflow/tfjs-core';
import { LthError, type Mask, type Model, type PruningBatch } from '@lth/kernel';
import { ensureGradients, FUSED_KERNELS, stateEntry } from '@lth/nn';

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
 * `names`, `H` its Hessian; the highest scores are pruned. Batch norm runs in training mode, as
 * in the paper's code. `Hg` is exact, by double backward: the gradient of `g · ∇L(w)` with `g`
 * held constant, as the authors' code computes it (checked against PyTorch on LeNet, CIFAR
 * ResNet, ImageNet ResNet and VGG with batch norm). It needs a backend without fused kernels
 * (their gradients have no gradients): the `grasp` strategy runs it through
 * `onSecondOrderBackend`; the loss is `twiceDifferentiableCrossEntropy` and the missing second-order
 * gradients are registered by `registerSecondOrderGradients`. A model with an operation whose
 * gradient tfjs cannot differentiate again is an `LthError` naming the operation.
 */
export async function graspScores(model: Model, names: readonly string[], batch: PruningBatch, temperature: number): Promise<Map<string, Float32Array>> {
  await ensureGradients();
  registerSecondOrderGradients();
  const vars = variablesOf(model, names);
  const g = lossGradients(model, names, batch, temperature);
  const x = tf.tensor4d(batch.images, batch.shape, 'float32');
  const y = tf.tensor1d(batch.labels, 'int32');
  const loss = () => twiceDifferentiableCrossEntropy(tf.div(model.forward(x, true), temperature) as tf.Tensor2D, y);
  try {
    const { value, grads } = tf.variableGrads(() => {
      const inner = tf.variableGrads(loss, vars).grads;
      return tf.addN(vars.map((v, i) => tf.sum(tf.mul(inner[v.name], g[i])))) as tf.Scalar;
    }, vars);
    value.dispose();
    const out = new Map<string, Float32Array>();
    tf.tidy(() => names.forEach((n, i) => out.set(n, read(tf.neg(tf.mul(vars[i], grads[vars[i].name]))))));
    tf.dispose(Object.values(grads));
    return out;
  } catch (e) {
    const op = /gradient function not found for (\w+)/.exec((e as Error).message);
    if (!op) throw e;
    throw new LthError(
      'UNSUPPORTED_MODEL',
      `grasp cannot score ${model.name}: its Hessian-gradient product needs the second derivative of the operation ${op[1]}, which tfjs does not have. Use snip or synflow for this model.`,
    );
  } finally {
    tf.dispose([...g, x, y]);
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

/**
 * `e^x` whose gradient `dy · e^x` recomputes `e^x` from the input. tfjs' `exp` (like `sigmoid`,
 * `pow`, `tanh`, `softmax`) differentiates through its saved output, and the engine records the
 * copy it saves before the operation itself, so a second derivative treats that output as a
 * constant and silently loses a term.
 */
const twiceDifferentiableExp = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  return { value: tf.exp(x), gradFunc: (dy: tf.Tensor, [input]: tf.Tensor[]) => tf.mul(dy, tf.exp(input)) };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;

/**
 * Mean cross-entropy, written so that tfjs can differentiate it twice: tfjs' `logSoftmax` is a
 * custom gradient and `exp` loses its second derivative (see `twiceDifferentiableExp`). The
 * shift by the row maximum is a constant read back from the values (tfjs' `max` has no second
 * derivative); the log-sum-exp does not depend on it.
 */
export function twiceDifferentiableCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const shift = tf.tensor2d(tf.max(logits, 1, true).dataSync() as Float32Array, [logits.shape[0], 1]);
  const z = tf.sub(logits, shift);
  const logp = tf.sub(z, tf.log(tf.sum(twiceDifferentiableExp(z), 1, true)));
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(labels, logits.shape[1]), logp), 1))) as tf.Scalar;
}

/**
 * Registers, once, gradients tfjs lacks for second derivatives through convolutional networks:
 * that of `Conv2DBackpropFilter` (the filter gradient: a transposed convolution of `dy` for `x`,
 * and a convolution of `x` for `dy`, both with the incoming filter gradient), that of
 * `AvgPoolGrad` (linear in `dy`: average pooling of the incoming gradient; zero for the input)
 * and that of `MaxPoolGrad` (linear in `dy`: the incoming gradient read at each window's
 * maximum, the position `MaxPoolGrad` routes to, found by `maxPoolWithArgmax`; zero for the
 * input and output, on which it depends piecewise constantly).
 */
export function registerSecondOrderGradients(): void {
  if (tf.getGradient('AvgPoolGrad') == null) {
    tf.registerGradient({
      kernelName: 'AvgPoolGrad',
      inputsToSave: ['input'],
      gradFunc: (dx: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
        const [input] = saved;
        const filterSize = attrs.filterSize as [number, number];
        const strides = attrs.strides as [number, number];
        const pad = attrs.pad as 'valid' | 'same' | number;
        const dimRoundingMode = attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined;
        return {
          dy: () => tf.avgPool(dx as tf.Tensor4D, filterSize, strides, pad, dimRoundingMode),
          input: () => tf.zerosLike(input),
        };
      },
    });
  }
  if (tf.getGradient('MaxPoolGrad') == null) {
    tf.registerGradient({
      kernelName: 'MaxPoolGrad',
      inputsToSave: ['input', 'output'],
      gradFunc: (dx: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
        const [input, output] = saved as [tf.Tensor4D, tf.Tensor4D];
        const filterSize = attrs.filterSize as [number, number];
        const strides = attrs.strides as [number, number];
        const pad = attrs.pad as 'valid' | 'same' | number;
        return {
          dy: () => tf.gather(tf.reshape(dx as tf.Tensor, [-1]), tf.maxPoolWithArgmax(input, filterSize, strides, pad, true).indexes),
          input: () => tf.zerosLike(input),
          output: () => tf.zerosLike(output),
        };
      },
    });
  }
  if (tf.getGradient('Conv2DBackpropFilter') != null) return;
  tf.registerGradient({
    kernelName: 'Conv2DBackpropFilter',
    inputsToSave: ['x', 'dy'],
    gradFunc: (dFilter: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [x, dy] = saved as [tf.Tensor4D, tf.Tensor4D];
      const df = dFilter as tf.Tensor4D;
      const strides = attrs.strides as [number, number];
      const pad = attrs.pad as 'valid' | 'same' | number;
      const dimRoundingMode = attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined;
      return {
        x: () => tf.conv2dTranspose(dy, df, x.shape, strides, pad, dimRoundingMode),
        dy: () => tf.conv2d(x, df, strides, pad, 'NHWC', 1, dimRoundingMode),
      };
    },
  });
}

/** The backend `onSecondOrderBackend` registers beside lth's native one. */
export const SECOND_ORDER_BACKEND = 'lth-native-second-order';

/**
 * Runs `f` on a backend whose gradients can be differentiated again, then restores the
 * backend that was active; the tensors `f` creates live on that backend. When lth's `native`
 * backend is active: the same native kernels registered under `SECOND_ORDER_BACKEND` without
 * the fused training kernels (`FUSED_KERNELS`, whose gradients have no gradients); its
 * gradients are tfjs' own (the native backend's single-pass gradients apply only under the name
 * `native`). Elsewhere: tfjs' pure-JS CPU backend, loaded when needed.
 */
export async function onSecondOrderBackend<T>(f: () => Promise<T>): Promise<T> {
  const previous = tf.getBackend();
  if (previous === 'cpu' || previous === SECOND_ORDER_BACKEND) return f();
  const target = previous === 'native' ? registerSecondOrderNative() : 'cpu';
  if (target === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend(target);
  try {
    return await f();
  } finally {
    await tf.setBackend(previous);
  }
}

function registerSecondOrderNative(): string {
  if (tf.findBackendFactory(SECOND_ORDER_BACKEND) != null) return SECOND_ORDER_BACKEND;
  const native = tf.findBackend('native') as tf.KernelBackend;
  const Backend = native.constructor as new () => tf.KernelBackend;
  tf.registerBackend(SECOND_ORDER_BACKEND, () => new Backend(), -1);
  const fused = new Set<string>(Object.values(FUSED_KERNELS));
  for (const k of tf.getKernelsForBackend('native')) {
    if (!fused.has(k.kernelName)) tf.registerKernel({ ...k, backendName: SECOND_ORDER_BACKEND });
  }
  return SECOND_ORDER_BACKEND;
}
