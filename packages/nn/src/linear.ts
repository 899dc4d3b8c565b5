import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@lth/kernel';
import { Module, type Forward } from './module';
import { pytorchDefaultUniform } from './default-init';

/** What `Linear.forwardWith` applies to `x Wᵀ + b`: nothing (`linear`) or `relu`. */
export type LinearActivation = 'linear' | 'relu';

/**
 * PyTorch's `nn.Linear(inFeatures, outFeatures, bias)`: `y = x Wᵀ + b`.
 *
 * The weight is held `[out, in]` as in PyTorch (layout `same`, role `linear.weight`, prunable).
 * Both weight and bias start from PyTorch's default, U(±1/√inFeatures) (`kaiming_uniform_`
 * with a=√5 for the weight), drawn from `rng`; `buildModel` then applies `model_init` to the weight.
 *
 * The forward pass is one `_FusedMatMul` kernel (matrix product, bias and, with
 * `forwardWith(x, 'relu')`, the ReLU): on the cpu backend this is bit-identical to
 * `relu(matMul(x, Wᵀ) + b)`; backends with a native fused kernel (lth's `native`) add the bias
 * inside the product, which can change the last bit. Its gradient is PyTorch's (the ReLU's
 * through the backend's registered `Relu` gradient, evaluated at the output). On other backends
 * (wasm) it runs the separate ops.
 */
export class Linear extends Module implements Forward {
  readonly weight: tf.Variable<tf.Rank.R2>;
  readonly bias: tf.Variable<tf.Rank.R1> | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    rng: Rng,
    options: { bias?: boolean } = {},
  ) {
    super();
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = this.addParameter('weight', tf.tidy(() => tf.variable(tf.tensor2d(pytorchDefaultUniform(outFeatures * inFeatures, bound, rng), [outFeatures, inFeatures]))), 'linear.weight', 'same', inFeatures);
    this.bias = options.bias === false ? null : this.addParameter('bias', tf.tidy(() => tf.variable(tf.tensor1d(pytorchDefaultUniform(outFeatures, bound, rng)))), 'bias', 'same', inFeatures);
  }

  forward(x: tf.Tensor2D): tf.Tensor2D {
    return this.forwardWith(x, 'linear');
  }

  /** `activation(x Wᵀ + b)` in one fused kernel (see the class comment). */
  forwardWith(x: tf.Tensor2D, activation: LinearActivation): tf.Tensor2D {
    return fusedLinear(x, this.weight, this.bias, activation);
  }
}

const FUSED_MATMUL = '_FusedMatMul';
let gradientRegistered = false;

/**
 * `activation(x Wᵀ + b)` as one `_FusedMatMul` kernel, also while gradients are recorded
 * (tfjs' `tf.fused.matMul` falls back to separate ops there for any activation but `linear`,
 * and its custom gradient computes every input's gradient, the input images' included).
 */
function fusedLinear(x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D | null, activation: LinearActivation): tf.Tensor2D {
  if (!gradientRegistered) {
    tf.registerGradient(fusedMatMulGradient);
    gradientRegistered = true;
  }
  if (!FUSED_MATMUL_BACKENDS.has(tf.getBackend())) {
    const z = tf.matMul(x, weight, false, true);
    const y = bias ? tf.add(z, bias) : z;
    return (activation === 'relu' ? tf.relu(y) : y) as tf.Tensor2D;
  }
  const inputs: tf.NamedTensorMap = bias ? { a: x, b: weight, bias } : { a: x, b: weight };
  const attrs = { transposeA: false, transposeB: true, activation, leakyreluAlpha: 0 };
  return tf.engine().runKernel(FUSED_MATMUL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

/**
 * Backends whose `_FusedMatMul` is known to take these rank-2 operands and give the separate
 * ops' result; elsewhere (wasm's kernel gives wrong values for them) `forwardWith` runs the
 * separate ops.
 */
const FUSED_MATMUL_BACKENDS = new Set(['cpu', 'native']);

/**
 * The gradient of `_FusedMatMul` with activation `linear` or `relu` (tfjs registers none): the
 * ReLU's through the registered `Relu` gradient evaluated at the output (y > 0 exactly where
 * the pre-activation is), then `BatchMatMul`'s gradient and the bias' sum over the batch. Each
 * input's gradient is computed only when asked for.
 */
const fusedMatMulGradient: tf.GradConfig = {
  kernelName: FUSED_MATMUL,
  inputsToSave: ['a', 'b'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [a, b, y] = saved;
    const activation = (attrs.activation as string | undefined) ?? 'linear';
    if (activation !== 'linear' && activation !== 'relu') throw new Error(`No gradient for _FusedMatMul with activation ${activation}`);
    const dz = activation === 'relu' ? tf.getGradient('Relu').gradFunc(dy, [y], {}).x() : (dy as tf.Tensor);
    const matMulGrads = tf.getGradient('BatchMatMul').gradFunc(dz, [a, b], attrs);
    return { ...matMulGrads, bias: () => tf.sum(dz, dz.shape.map((_, i) => i).slice(0, -1)) };
  },
};
