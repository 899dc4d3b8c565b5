import * as tf from '@tensorflow/tfjs-core';
import { Mask, type Model, type PruningBatch, type PruningContext, type StateEntry } from '@lth/kernel';

let built = 0;

/**
 * A fully connected network `relu(W1 x + b1) -> W2 h + b2 ...` on inputs `[N, 1, 1, in]`, with
 * the given weights (`[out, in]`) and zero biases, its loss the mean cross-entropy: small
 * enough to compute scores by hand.
 */
export function tinyNet(weights: number[][][]): Model {
  const state: StateEntry[] = [];
  weights.forEach((w, i) => {
    const id = `${built++}`;
    state.push({ name: `l${i}.weight`, variable: tf.variable(tf.tensor2d(w), true, `tiny.l${i}.w.${id}`), role: 'linear.weight', layout: 'same', torchDtype: 'float32' });
    state.push({ name: `l${i}.bias`, variable: tf.variable(tf.zeros([w.length]), true, `tiny.l${i}.b.${id}`), role: 'bias', layout: 'same', torchDtype: 'float32' });
  });
  const n = weights.length;
  return {
    name: 'tiny',
    state,
    prunableLayerNames: weights.map((_, i) => `l${i}.weight`),
    outputLayerNames: [`l${n - 1}.weight`, `l${n - 1}.bias`],
    forward: (x: tf.Tensor4D) => {
      let h: tf.Tensor2D = tf.reshape(x, [x.shape[0], -1]);
      for (let i = 0; i < n; i++) {
        h = tf.add(tf.matMul(h, state[2 * i].variable as tf.Tensor2D, false, true), state[2 * i + 1].variable);
        if (i < n - 1) h = tf.relu(h);
      }
      return h;
    },
    loss: (logits: tf.Tensor2D, labels: tf.Tensor1D) =>
      tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1]), tf.logSoftmax(logits)), 1))) as tf.Scalar,
    dispose: () => state.forEach((s) => s.variable.dispose()),
  };
}

/** A pruning context for tests: `initialModel` builds `make()`, `trainExamples` returns `batch`. */
export function fixedContext(make: () => Model, batch: PruningBatch, inputShape: [number, number, number], level = 1): PruningContext {
  return {
    level,
    replicate: 1,
    inputShape,
    numClasses: 2,
    batchSize: batch.labels.length,
    initialModel: make,
    trainExamples: (count: number) => {
      if (count !== batch.labels.length) throw new Error(`asked ${count} examples, have ${batch.labels.length}`);
      return Promise.resolve(batch);
    },
  };
}

/** A mask's entries as plain arrays, by name. */
export function maskValues(mask: Mask): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const k of mask.keys()) out[k] = [...mask.get(k)!.data];
  return out;
}

/** Scores as plain arrays, by name. */
export function plain(scores: ReadonlyMap<string, Float32Array>): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [k, v] of scores) out[k] = [...v];
  return out;
}
