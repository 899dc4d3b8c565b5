import { MetricLogger } from './metric-logger';

/** The headline numbers of a run's test metrics. */
export interface TrainingSummary {
  /** Test accuracy (fraction) and loss at the last evaluated iteration; null when nothing was evaluated. */
  readonly finalAccuracy: number | null;
  readonly finalLoss: number | null;
  readonly finalIteration: number | null;
  /** The best test accuracy and the first iteration that reached it. */
  readonly bestAccuracy: number | null;
  readonly bestIteration: number | null;
}

/**
 * Reads the headline numbers out of a logger (`test_accuracy`, `test_loss`); works on a
 * finished run read from disk with `MetricLogger.createFromFile`. `prefix` selects `train_*`.
 */
export function summarizeLogger(logger: MetricLogger, prefix = 'test'): TrainingSummary {
  const acc = logger.getData(`${prefix}_accuracy`);
  const loss = logger.getData(`${prefix}_loss`);
  if (acc.length === 0) return { finalAccuracy: null, finalLoss: null, finalIteration: null, bestAccuracy: null, bestIteration: null };
  const [finalIteration, finalAccuracy] = acc[acc.length - 1];
  const lossAtFinal = loss.find(([it]) => it === finalIteration);
  let best = acc[0];
  for (const a of acc) if (a[1] > best[1]) best = a;
  return { finalAccuracy, finalLoss: lossAtFinal ? lossAtFinal[1] : null, finalIteration, bestAccuracy: best[1], bestIteration: best[0] };
}
