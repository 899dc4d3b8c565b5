import { mean, sampleStandardDeviation } from 'simple-statistics';

/** Mean, sample standard deviation (n - 1; null below two values) and count of some values. */
export interface Stat {
  readonly mean: number | null;
  readonly std: number | null;
  readonly n: number;
}

/** The `Stat` of `values` (null entries left out). */
export function stat(values: ReadonlyArray<number | null | undefined>): Stat {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (!v.length) return { mean: null, std: null, n: 0 };
  return { mean: mean(v), std: v.length > 1 ? sampleStandardDeviation(v) : null, n: v.length };
}
