import '@tensorflow/tfjs-backend-cpu';
import {
  findBackend, getKernelsForBackend, KernelConfig, registerBackend, registerKernel,
} from '@tensorflow/tfjs-core';
import { addon, addonError, loadAddon } from './addon';
import { NativeBackend } from './backend';
import { installNativeGradients } from './gradients_native';
import { nativeKernels } from './kernels';
import { resolveThreads } from './threads';

export { NativeBackend } from './backend';
export { kernelStats, resetKernelStats } from './kernels/native_kernel';
export { THREADS_ENV } from './threads';
export { POOL_ENV } from './buffer_pool';
export { ensureGradients } from './gradients';
export { openBlasCoreType } from './cpu_env';

/** Name under which the backend registers with tfjs-core. */
export const BACKEND_NAME = 'native';

/** Options for {@link register}. */
export interface NativeBackendOptions {
  /**
   * Threads used by oneDNN (OpenMP) and OpenBLAS. Defaults to the
   * `LTH_NATIVE_THREADS` environment variable, else the number of cores.
   */
  threads?: number;
  /** Priority passed to tfjs-core's `registerBackend` (default 3, above cpu and wasm). */
  priority?: number;
}

/**
 * Whether the native addon was built and loads on this machine (it needs
 * oneDNN and OpenBLAS at install time; see the package README / install
 * log line).
 */
export function isAvailable(): boolean {
  return loadAddon() != null;
}

/** Why the backend is unavailable, or undefined when it is available. */
export function unavailableReason(): string | undefined {
  return addonError();
}

let kernelsRegistered = false;

function registerKernels(): void {
  if (kernelsRegistered) return;
  kernelsRegistered = true;
  const overridden = new Set(nativeKernels.map((k) => k.kernelName));
  for (const k of getKernelsForBackend('cpu')) {
    if (!overridden.has(k.kernelName)) {
      registerKernel({ ...k, backendName: BACKEND_NAME } as KernelConfig);
    }
  }
  for (const k of nativeKernels) registerKernel(k);
  installNativeGradients();
}

/**
 * Registers the `native` backend and its kernels with tfjs-core: native
 * kernels (oneDNN / OpenBLAS) for the ops that dominate training, and the
 * tfjs CPU backend's kernels for every other op. Safe to call repeatedly;
 * a later call only updates the thread count.
 *
 * Returns false, registering nothing, when the addon is unavailable, so a
 * caller can try backends in order (`native`, then `wasm`, then `cpu`).
 * Tensor data lives in JavaScript TypedArrays that the addon reads and
 * writes in place. Select it with `tf.setBackend('native')`.
 */
export function register(options: NativeBackendOptions = {}): boolean {
  if (!isAvailable()) return false;
  addon().setThreads(resolveThreads(options.threads));
  if (findBackend(BACKEND_NAME) == null) {
    registerBackend(BACKEND_NAME, () => new NativeBackend(), options.priority ?? 3);
  }
  registerKernels();
  return true;
}

/** Sets the number of threads used by the native kernels. */
export function setThreads(threads: number): void {
  addon().setThreads(resolveThreads(threads));
}

/** The number of threads the native kernels use. */
export function getThreads(): number {
  return addon().getThreads();
}

/** Library versions the addon was built against, e.g. `{onednn: '2.6.3', openblas: ...}`. */
export function versions(): { onednn: string; openblas: string } {
  return addon().versions();
}
