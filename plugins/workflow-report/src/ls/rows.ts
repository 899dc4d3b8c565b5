import type { Registry } from '@lth/kernel';
import type { BranchExperiment, Experiment, RunRef } from '../results/scan';
import { allHparams, formatHparams, nonDefaultHparams } from '../results/hparams';

/** One row of `lth ls`: an experiment (`train`, `lottery`) or a branch under a lottery. */
export interface LsRow {
  readonly kind: 'train' | 'lottery' | 'branch';
  /** `train_<md5>`, `lottery_<md5>`, or the branch's `lottery_branch_<name>_<md5>`. */
  readonly hashname: string;
  readonly dir: string;
  /** For a branch: its name and its trunk's hashname. */
  readonly branch: string | null;
  readonly trunk: string | null;
  readonly replicates: readonly number[];
  /**
   * Lottery: the highest level every replicate has trained (-1: none) and the most levels any
   * run asked for; branch: the trunk levels it has complete runs at; train: null.
   */
  readonly levelsDone: number | null;
  readonly levelsPlanned: number | null;
  readonly branchLevels: readonly number[] | null;
  readonly complete: boolean;
  /** Runs in progress (a logger or checkpoint, no end model yet). */
  readonly running: number;
  /** The best test accuracy of any run (a fraction), or null. */
  readonly bestAccuracy: number | null;
  /** Non-default hyperparameters (`name=value ...`), or the branch's arguments. */
  readonly hparams: string;
  /** Every hyperparameter by flag name (branches: the trunk's, then the branch arguments). */
  readonly values: Readonly<Record<string, unknown>>;
  /** Why the experiment cannot be read fully (a missing or corrupt `desc.json`), or null. */
  readonly problem: string | null;
}

function best(runs: readonly RunRef[]): number | null {
  const b = runs.map((r) => r.run.best?.accuracy).filter((x): x is number => typeof x === 'number');
  return b.length ? Math.max(...b) : null;
}

function running(runs: readonly RunRef[]): number {
  return runs.filter((r) => r.run.status === 'running').length;
}

function doneLevels(runs: readonly RunRef[], replicate: number): number {
  let l = -1;
  while (runs.some((r) => r.replicate === replicate && r.level === l + 1 && r.run.status === 'complete')) l++;
  return l;
}

function branchRow(e: Experiment, b: BranchExperiment, trunkValues: Record<string, unknown>): LsRow {
  const levels = [...new Set(b.runs.filter((r) => r.run.status === 'complete').map((r) => r.level!))].sort((x, y) => x - y);
  const args = (b.record?.hparams as { branch_hparams?: Record<string, unknown> } | undefined)?.branch_hparams ?? {};
  return {
    kind: 'branch',
    hashname: b.hashname,
    dir: e.dir,
    branch: b.name,
    trunk: e.hashname,
    replicates: [...new Set(b.runs.map((r) => r.replicate))].sort((x, y) => x - y),
    levelsDone: null,
    levelsPlanned: null,
    branchLevels: levels,
    complete: b.runs.length > 0 && b.runs.every((r) => r.run.status === 'complete'),
    running: running(b.runs),
    bestAccuracy: best(b.runs),
    hparams: b.args,
    values: { ...trunkValues, ...args },
    problem: b.record ? null : 'no readable desc.json in its directories',
  };
}

/** The rows of one experiment: itself, then (for a lottery) one per branch found under its levels (hyperparameters read with `registry`). */
export function lsRows(e: Experiment, registry: Registry): LsRow[] {
  const values = e.record ? Object.fromEntries(allHparams(e.record)) : {};
  const hparams = e.record ? formatHparams(nonDefaultHparams(e.record, registry)) : '';
  let levelsDone: number | null = null;
  let complete: boolean;
  if (e.kind === 'lottery') {
    levelsDone = e.replicates.length ? Math.min(...e.replicates.map((r) => doneLevels(e.runs, r))) : -1;
    complete = e.plannedLevels !== null && levelsDone >= e.plannedLevels;
  } else {
    complete = e.runs.length > 0 && e.runs.every((r) => r.run.status === 'complete');
  }
  const row: LsRow = {
    kind: e.kind,
    hashname: e.hashname,
    dir: e.dir,
    branch: null,
    trunk: null,
    replicates: e.replicates,
    levelsDone,
    levelsPlanned: e.kind === 'lottery' ? e.plannedLevels : null,
    branchLevels: null,
    complete: complete && e.record !== null,
    running: running(e.runs),
    bestAccuracy: best(e.runs),
    hparams,
    values,
    problem: e.problem,
  };
  return [row, ...e.branches.map((b) => branchRow(e, b, values))];
}

/** `1-3,5` for [1, 2, 3, 5]. */
export function compactList(xs: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++;
    out.push(j > i ? `${xs[i]}-${xs[j]}` : String(xs[i]));
    i = j + 1;
  }
  return out.join(',');
}

function status(r: LsRow): string {
  if (r.problem && r.kind !== 'branch') return 'unreadable';
  if (r.complete) return 'complete';
  return r.running ? 'running' : 'incomplete';
}

/** The `lth ls` table: padded columns, branches indented under their trunk, the problem of an unreadable experiment on the row. */
export function formatLsTable(rows: readonly LsRow[]): string {
  const header = ['Experiment', 'Kind', 'Replicates', 'Levels', 'Status', 'Best acc', 'Hyperparameters'];
  const cells = rows.map((r) => [
    r.kind === 'branch' ? `  ${r.hashname}` : r.hashname,
    r.kind,
    compactList(r.replicates) || '-',
    r.kind === 'lottery' ? `${r.levelsDone! < 0 ? '-' : r.levelsDone}/${r.levelsPlanned ?? '?'}` : r.kind === 'branch' ? compactList(r.branchLevels ?? []) || '-' : '-',
    status(r),
    r.bestAccuracy === null ? '-' : `${(100 * r.bestAccuracy).toFixed(2)}%`,
    r.problem && r.kind !== 'branch' ? `(${r.problem})` : r.hparams,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), ...cells.map(line)].join('\n');
}
