import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '@lth/kernel';
import type { TrainingLoader } from './train';

/** Test-set (or train-set) metrics as OpenLTH logs them. */
export interface Evaluation {
  /** Mean cross-entropy per example: sum of (batch mean × batch size) over the count. */
  readonly loss: number;
  /** Fraction of examples whose argmax matches the label, in [0, 1]. */
  readonly accuracy: number;
  readonly examples: number;
}

/**
 * Evaluates `model` in inference mode (batch-norm running statistics) over one sequential
 * epoch of `loader`. Any batch size works, including a final batch of one example
 * (OpenLTH's `squeeze()` crashed there, quirk 19).
 */
export async function evaluate(model: Model, loader: TrainingLoader): Promise<Evaluation> {
  let examples = 0;
  let totalLoss = 0;
  let correct = 0;
  for await (const batch of loader.epoch(null)) {
    const [loss, hits] = tf.tidy(() => {
      const x = tf.tensor4d(batch.images, batch.shape as [number, number, number, number], 'float32');
      const y = tf.tensor1d(batch.labels, 'int32');
      const logits = model.forward(x, false);
      return [model.loss(logits, y), tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32'))];
    });
    const [l, c] = await Promise.all([loss.data(), hits.data()]);
    loss.dispose();
    hits.dispose();
    totalLoss += l[0] * batch.size;
    correct += c[0];
    examples += batch.size;
  }
  if (examples === 0) throw new Error('evaluate: the loader yielded no examples');
  return { loss: totalLoss / examples, accuracy: correct / examples, examples };
}
