import { LthError, Step, type TrainingHparams } from '@lth/kernel';

/**
 * OpenLTH's learning-rate schedule (`get_lr_schedule`, spec §5.2), computed directly from the
 * iteration rather than replayed step by step: the factor at iteration `it` is
 * `gamma ** bisect_right(milestones, it) * min(1, it / warmup)`, so a drop takes effect at the
 * milestone iteration itself and warmup gives a learning rate of exactly 0 at iteration 0.
 * Milestones are used as given (OpenLTH neither sorts nor validates them).
 */
export class LrSchedule {
  readonly baseLr: number;
  /** Milestones in iterations, in the order written. */
  readonly milestones: readonly number[];
  readonly gamma: number | null;
  /** Warmup length in iterations, or null without warmup. */
  readonly warmupIterations: number | null;

  constructor(hp: TrainingHparams, iterationsPerEpoch: number) {
    const hasGamma = !!hp.gamma;
    const hasMilestones = !!hp.milestone_steps;
    if (hasGamma !== hasMilestones) {
      throw new LthError('BAD_HPARAM', `--gamma and --milestone_steps go together: set both (e.g. --milestone_steps=80ep,120ep --gamma=0.1) or neither.`);
    }
    this.baseLr = hp.lr;
    this.gamma = hasGamma ? (hp.gamma as number) : null;
    this.milestones = hasMilestones ? (hp.milestone_steps as string).split(',').map((s) => Step.fromStr(s, iterationsPerEpoch).iteration) : [];
    this.warmupIterations = hp.warmup_steps ? Step.fromStr(hp.warmup_steps, iterationsPerEpoch).iteration : null;
  }

  /** The multiplier of the base learning rate at iteration `it`. */
  factor(it: number): number {
    let f = 1.0;
    if (this.gamma !== null) f *= this.gamma ** bisectRight(this.milestones, it);
    if (this.warmupIterations !== null) f *= this.warmupIterations === 0 ? 1.0 : Math.min(1.0, it / this.warmupIterations);
    return f;
  }

  /** The learning rate of the optimizer step taken at iteration `it`. */
  lr(it: number): number {
    return this.baseLr * this.factor(it);
  }
}

/** Python's `bisect.bisect_right` (for unsorted input it behaves as Python's does). */
export function bisectRight(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < a[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
