import * as tf from '@tensorflow/tfjs-core';
import type { Mask, Model } from '@lth/kernel';

/**
 * Zeroes the pruned weights of `model` in place (OpenLTH's `PrunedModel._apply_mask` at
 * construction). The mask is checked against the model first: names and shapes must be
 * exactly its prunable weights.
 *
 * lth has no `PrunedModel` wrapper: the training engine takes the mask itself
 * (`standardTrain({ mask })`) and re-applies it after every optimizer step and to the
 * optimizer's state, so pruned weights stay exactly zero (quirk 15, fixed). This function is
 * for the weights a level starts from.
 */
export function applyMask(model: Model, mask: Mask): void {
  mask.checkAgainst(model);
  for (const name of mask.keys()) {
    const entry = model.state.find((s) => s.name === name)!;
    const m = mask.get(name)!;
    tf.tidy(() => {
      entry.variable.assign(tf.mul(entry.variable, tf.tensor(m.data, [...m.shape], 'float32')));
    });
  }
}

/** The number of masked-out weights of `model` that are not exactly zero (0 after `applyMask`). */
export function countMaskViolations(model: Model, mask: Mask): number {
  let bad = 0;
  for (const name of mask.keys()) {
    const w = model.state.find((s) => s.name === name)!.variable.dataSync();
    const m = mask.get(name)!.data;
    for (let i = 0; i < m.length; i++) if (m[i] === 0 && w[i] !== 0) bad++;
  }
  return bad;
}
