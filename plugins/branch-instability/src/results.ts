import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '@lth/kernel';
import { framedTable } from '@lth/training';

/** The results file of one level, in the branch directory. */
export const INSTABILITY_FILE = 'instability.json';
/** The path as CSV (`alpha,test_error,test_loss,test_accuracy`), beside it. */
export const INSTABILITY_CSV = 'instability.csv';
/** The points of the path evaluated so far, while the path is being evaluated (removed at the end). */
export const PARTIAL_FILE = 'instability.partial.json';

/** One network on the linear path, evaluated on the test set. */
export interface PathPoint {
  /** 0 is the first copy, 1 the second. */
  readonly alpha: number;
  /** 1 - test accuracy, in [0, 1]. */
  readonly test_error: number;
  readonly test_loss: number;
  readonly test_accuracy: number;
}

/** One of the two copies: its data order seed, its directory (relative to the branch's) and its end weights. */
export interface CopyRecord {
  readonly seed: number;
  readonly dir: string;
  /** The end model file, relative to the branch directory. */
  readonly end_model: string;
  /** md5 of the end model file: the path is recomputed when a copy's end weights change. */
  readonly end_model_md5: string;
  readonly test_error: number;
}

/** The instability of a path (Frankle et al. 2020): the error barrier, and the loss barrier beside it. */
export interface PathSummary {
  /** Mean of the two end networks' test errors. */
  readonly endpoint_error: number;
  /** Highest test error on the path, and where. */
  readonly max_error: number;
  readonly max_error_alpha: number;
  /** max_error - endpoint_error: 0 when no network on the path is worse than the mean of its ends. */
  readonly instability: number;
  /** The same for the test loss: the highest loss on the path minus the mean of the ends' losses. */
  readonly loss_barrier: number;
}

/**
 * `instability.json`: everything one level of the branch found. Errors are fractions (0.1234 is
 * 12.34%), as OpenLTH's logger keeps accuracies.
 */
export interface InstabilityRecord extends PathSummary {
  readonly level: number;
  readonly replicate: number;
  readonly start_at: string;
  /** The iteration both copies start training from, and the one they end at. */
  readonly start_iteration: number;
  readonly end_iteration: number;
  readonly points: number;
  /** What happens to batch-norm running statistics on the path. */
  readonly batchnorm: string;
  readonly copies: readonly CopyRecord[];
  readonly path: readonly PathPoint[];
}

/** What `instability.partial.json` holds: the end weights it belongs to and the points done. */
export interface PartialPath {
  readonly end_model_md5: readonly string[];
  readonly path: readonly PathPoint[];
}

/** The instability of `path` (at least one point; its first and last are the two end networks). */
export function summarizePath(path: readonly PathPoint[]): PathSummary {
  if (path.length < 2) throw new RangeError('a path has at least its two end points');
  const first = path[0];
  const last = path[path.length - 1];
  const endpointError = (first.test_error + last.test_error) / 2;
  let worst = first;
  for (const p of path) if (p.test_error > worst.test_error) worst = p;
  const maxLoss = Math.max(...path.map((p) => p.test_loss));
  return {
    endpoint_error: endpointError,
    max_error: worst.test_error,
    max_error_alpha: worst.alpha,
    instability: worst.test_error - endpointError,
    loss_barrier: maxLoss - (first.test_loss + last.test_loss) / 2,
  };
}

/** Reads a JSON file, or null when it is missing or not JSON (a file of a killed run is never half-written, but may be foreign). */
export function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** The path as CSV lines. */
export function pathCsv(path: readonly PathPoint[]): string {
  return ['alpha,test_error,test_loss,test_accuracy', ...path.map((p) => `${p.alpha},${p.test_error},${p.test_loss},${p.test_accuracy}`)].join('\n') + '\n';
}

/** Writes `instability.json` and `instability.csv` into `dir` (each atomically) and removes the partial file. */
export function saveInstability(dir: string, record: InstabilityRecord): void {
  writeFileAtomic(path.join(dir, INSTABILITY_CSV), pathCsv(record.path));
  writeFileAtomic(path.join(dir, INSTABILITY_FILE), JSON.stringify(record, null, 2) + '\n');
  fs.rmSync(path.join(dir, PARTIAL_FILE), { force: true });
}

/** Saves the points evaluated so far (atomically). */
export function savePartial(dir: string, partial: PartialPath): void {
  writeFileAtomic(path.join(dir, PARTIAL_FILE), JSON.stringify(partial) + '\n');
}

const percent = (x: number) => `${(100 * x).toFixed(2)}%`;

/** The path of one level as a table: alpha, test error, test loss; then the instability line. */
export function formatPath(r: InstabilityRecord): string {
  const rows = r.path.map((p) => `${p.alpha.toFixed(3).padStart(6)}   ${percent(p.test_error).padStart(10)}   ${p.test_loss.toFixed(4).padStart(9)}`);
  return [
    `Linear path between the copies (level ${r.level}, data order seeds ${r.copies.map((c) => c.seed).join(' and ')}, ${r.points} points)`,
    ` alpha   test error   test loss`,
    ...rows,
    formatInstabilityLine(r),
  ].join('\n');
}

/** `Instability: 1.23% (...)`: the number, the highest error on the path and the ends' errors. */
export function formatInstabilityLine(r: InstabilityRecord): string {
  const ends = r.copies.map((c) => percent(c.test_error)).join(' and ');
  return `Instability: ${percent(r.instability)} (max test error ${percent(r.max_error)} at alpha ${r.max_error_alpha.toFixed(3)}; end networks ${ends}; loss barrier ${r.loss_barrier.toFixed(4)})`;
}

/** One row per level: weights remaining, each copy's error, the highest error on the path, the instability. */
export function formatLevelsTable(records: readonly InstabilityRecord[], weights: ReadonlyMap<number, { unpruned: number; total: number }>, title: string): string {
  const seeds = records[0]?.copies.map((c) => c.seed) ?? [];
  const header = ['Level', 'Weights remaining', ...seeds.map((s) => `Error (seed ${s})`), 'Max error on path (alpha)', 'Instability'];
  const cells = records.map((r) => {
    const w = weights.get(r.level);
    return [
      String(r.level),
      w ? `${w.unpruned} (${percent(w.unpruned / w.total)})` : '-',
      ...r.copies.map((c) => percent(c.test_error)),
      `${percent(r.max_error)} (${r.max_error_alpha.toFixed(3)})`,
      percent(r.instability),
    ];
  });
  return framedTable(title, header, cells, true);
}
