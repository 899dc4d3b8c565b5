import * as tf from '@tensorflow/tfjs-core';
import type { Model, StateEntry } from '@lth/kernel';
import type { TrainingLoader } from '@lth/training';

/** What `--batchnorm_stats` may say. */
export const BATCHNORM_STATS = ['interpolate', 'recompute'] as const;

/** Training batches a network on the path sees in training mode with `--batchnorm_stats=recompute` (at most one epoch). */
export const RECOMPUTE_BATCHES = 100;

/** What `instability.json` records under `batchnorm` for each choice. */
export function batchnormPolicy(stats: string, batches = RECOMPUTE_BATCHES): string {
  return stats === 'recompute'
    ? `recomputed: after interpolation, running_mean and running_var reset to 0 and 1 and updated in training mode over ${batches} training batches (fixed order), as training updates them`
    : 'interpolated: every state entry, running_mean and running_var included, is (1-alpha)*A + alpha*B';
}

/** The batch-norm running statistics of a network (`*.running_mean`, `*.running_var`, `*.num_batches_tracked`). */
export function runningStatEntries(model: Model): StateEntry[] {
  return model.state.filter((e) => e.role === 'buffer' && /(^|\.)(running_mean|running_var|num_batches_tracked)$/.test(e.name));
}

/**
 * Recomputes `model`'s batch-norm running statistics for its current weights: resets them
 * (mean 0, variance 1, count 0), then runs the network in training mode, without any weight
 * update, over the first `batches` batches of `loader`'s epoch in order 0 (the same batches for
 * every network), so each batch-norm layer updates its statistics with its own momentum, as
 * during training. Returns the number of batches seen (0 when the network has no batch norm).
 */
export async function recomputeBatchNorm(model: Model, loader: TrainingLoader, batches = RECOMPUTE_BATCHES): Promise<number> {
  const stats = runningStatEntries(model);
  if (!stats.length) return 0;
  for (const e of stats) {
    const fresh = e.name.endsWith('running_var') ? tf.onesLike(e.variable) : tf.zerosLike(e.variable);
    e.variable.assign(fresh);
    fresh.dispose();
  }
  let seen = 0;
  if (batches < 1) return seen;
  for await (const batch of loader.epoch(0)) {
    tf.tidy(() => {
      model.forward(tf.tensor4d(batch.images, batch.shape as [number, number, number, number], 'float32'), true);
    });
    if (++seen >= batches) break;
  }
  return seen;
}
