import type { Rng } from '@lth/kernel';

/** `n` draws of U(-bound, bound): PyTorch's default init of Linear and Conv2d weights and biases (bound 1/√fan_in). */
export function pytorchDefaultUniform(n: number, bound: number, rng: Rng): Float32Array {
  return rng.fillUniform(new Float32Array(n), -bound, bound);
}
