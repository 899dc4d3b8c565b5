import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '@lth/kernel';

/**
 * The `alpha` points of a linear path with `points` points: `i / (points - 1)` for
 * `i = 0 .. points - 1`, so 0 and 1 (the two end networks themselves) are always on it.
 */
export function pathAlphas(points: number): number[] {
  if (!Number.isInteger(points) || points < 2) throw new RangeError(`a path needs at least 2 points, got ${points}`);
  return Array.from({ length: points }, (_, i) => (i === points - 1 ? 1 : i / (points - 1)));
}

/**
 * Sets every entry of `target`'s state to `(1 - alpha) * a + alpha * b`, entry by entry, by
 * name: weights, biases, batch-norm weights and biases, and the batch-norm running statistics
 * (`running_mean`, `running_var`) alike, as interpolating two PyTorch `state_dict`s does.
 * Integer entries (`num_batches_tracked`) are interpolated and rounded. At `alpha` 0 and 1 the
 * result is exactly `a` and `b`; a weight that is zero in both (pruned) stays exactly zero.
 * The three networks must be of the same architecture.
 */
export function interpolateInto(target: Model, a: Model, b: Model, alpha: number): void {
  const byName = (m: Model) => new Map(m.state.map((e) => [e.name, e.variable]));
  const va = byName(a);
  const vb = byName(b);
  for (const e of target.state) {
    const x = va.get(e.name);
    const y = vb.get(e.name);
    if (!x || !y || String(x.shape) !== String(e.variable.shape) || String(y.shape) !== String(e.variable.shape)) {
      throw new Error(`interpolateInto: '${e.name}' is missing or has another shape in one of the end networks`);
    }
    const value = tf.tidy(() => {
      if (alpha === 0) return x.clone();
      if (alpha === 1) return y.clone();
      const mixed = tf.add(tf.mul(tf.cast(x, 'float32'), 1 - alpha), tf.mul(tf.cast(y, 'float32'), alpha));
      return e.variable.dtype === 'float32' ? mixed : tf.cast(tf.round(mixed), e.variable.dtype);
    });
    e.variable.assign(value);
    value.dispose();
  }
}
