import * as tf from '@tensorflow/tfjs-core';

/**
 * Registers tfjs' gradient functions (needed by `tf.variableGrads`, `tf.grad`), once per
 * process; resolves at once when they are already registered.
 *
 * `@tensorflow/tfjs-core`'s Node bundle ships no gradients, and its
 * `dist/register_all_gradients` is an ES module with extension-less imports that Node cannot
 * load. The `@tensorflow/tfjs` bundle's CommonJS build carries them and registers them into the
 * shared tfjs-core registry when required (about 0.3 s, against 2 s or more for loading the ES
 * module tree through a resolve hook).
 */
export function ensureGradients(): Promise<void> {
  if (tf.getGradient('Relu') == null) {
    require('@tensorflow/tfjs');
    if (tf.getGradient('Relu') == null) {
      throw new Error('@tensorflow/tfjs registered no gradients: it must share @tensorflow/tfjs-core with lth (npm ls @tensorflow/tfjs-core)');
    }
  }
  return Promise.resolve();
}
