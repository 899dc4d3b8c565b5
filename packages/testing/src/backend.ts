import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '@lth/nn';

/**
 * Selects tfjs' CPU backend (the reference implementation, registered on first use) and
 * registers the gradients; call it from a `before` hook.
 */
export async function useCpuBackend(): Promise<void> {
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  await tf.ready();
  await ensureGradients();
}
