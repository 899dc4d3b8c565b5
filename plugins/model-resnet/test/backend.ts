import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ensureGradients } from '@lth/kernel';

/** Test helper: selects tfjs' CPU backend (the reference implementation) and registers gradients. */
export async function useCpuBackend(): Promise<void> {
  await ensureGradients();
  await tf.setBackend('cpu');
  await tf.ready();
}
