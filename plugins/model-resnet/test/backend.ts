import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ensureGradients } from '@lth/kernel';

interface NativeBackendModule {
  isAvailable(): boolean;
  register(options?: { threads?: number }): boolean;
}

/** Test helper: selects tfjs' CPU backend (the reference implementation) and registers gradients. */
export async function useCpuBackend(): Promise<void> {
  await ensureGradients();
  await tf.setBackend('cpu');
  await tf.ready();
}

/**
 * Test helper: selects lth's native backend (`@lth/tfjs-backend-native`, oneDNN and OpenBLAS)
 * when it is built on this machine, else tfjs' CPU backend, and registers gradients. Returns the
 * backend's name. Convolutional networks are far too slow to train on the CPU backend for more
 * than a step or two.
 */
export async function useFastestBackend(): Promise<string> {
  await ensureGradients();
  let native: NativeBackendModule | null = null;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    native = require('@lth/tfjs-backend-native') as NativeBackendModule;
  } catch {
    native = null;
  }
  const name = native && native.isAvailable() && native.register() ? 'native' : 'cpu';
  await tf.setBackend(name);
  await tf.ready();
  return name;
}
