import { stat, type Stat } from '../stats';
import type { RegisteredReportExtension } from '../extensions';
import type { BranchExperiment, Experiment, RunRef } from '../results/scan';

/** One row of a report: a line (the trunk or a branch) at one level, over its replicates. */
export interface ReportRow {
  readonly level: number;
  /** `trunk`, or the branch's label (`randomly_prune(seed=1)`). */
  readonly line: string;
  /** The trunk's hashname or the branch's directory name. */
  readonly key: string;
  /** Weights the level's mask keeps (mean over replicates) and the prunable weights. */
  readonly unpruned: number | null;
  readonly total: number | null;
  /** Final and best test accuracy (fractions) over replicates. */
  readonly final: Stat;
  readonly best: Stat;
  /** Complete runs, and runs in progress; the statistics are over the complete ones, or over those in progress when none is complete (`partial`). */
  readonly complete: number;
  readonly running: number;
  readonly partial: boolean;
  readonly replicates: readonly number[];
  /** Extension metrics by column name. */
  readonly extra: Readonly<Record<string, Stat>>;
}

/** One run's point of the LTH figure. */
export interface ReportPoint {
  readonly line: string;
  readonly level: number;
  readonly replicate: number;
  /** Percent of prunable weights remaining. */
  readonly remaining: number;
  readonly final: number;
  readonly best: number;
  readonly complete: boolean;
}

/** One evaluation of one run: test accuracy at an iteration. */
export interface CurvePoint {
  readonly line: string;
  readonly level: number;
  readonly replicate: number;
  readonly iteration: number;
  readonly accuracy: number;
}

/** A layer's density at a trunk level (fraction of its weights kept), over replicates. */
export interface DensityPoint {
  readonly level: number;
  readonly layer: string;
  readonly density: number;
}

/** Everything `lth report` shows about one lottery experiment. */
export interface LotteryReport {
  readonly hashname: string;
  readonly dir: string;
  /** The experiment's hyperparameters that differ from their defaults (`dataset_name=fashion_mnist ...`). */
  readonly summary: string;
  readonly replicates: readonly number[];
  readonly plannedLevels: number | null;
  readonly rows: readonly ReportRow[];
  readonly points: readonly ReportPoint[];
  readonly curves: readonly CurvePoint[];
  readonly density: readonly DensityPoint[];
  /** Extension metric columns, in order. */
  readonly extraColumns: readonly string[];
}

function lineRows(line: string, key: string, runs: readonly RunRef[], trunk: readonly RunRef[], branch: BranchExperiment | null, extraColumns: string[], extensions: readonly RegisteredReportExtension[]): ReportRow[] {
  const levels = [...new Set(runs.map((r) => r.level!))].sort((a, b) => a - b);
  const exts = extensions.filter((e) => e.instance.metrics && (e.meta.branch === '*' || e.meta.branch === branch?.name));
  return levels.map((level) => {
    const here = runs.filter((r) => r.level === level && r.run.status !== 'not started' && r.run.status !== 'unreadable');
    const done = here.filter((r) => r.run.status === 'complete');
    const used = done.length ? done : here.filter((r) => r.run.final !== null);
    const density = (r: RunRef) => r.run.density ?? trunk.find((t) => t.level === level && t.replicate === r.replicate)?.run.density ?? null;
    const own = (used.length ? used : here).map(density).filter((d) => d !== null);
    const densities = own.length ? own : trunk.filter((t) => t.level === level).map(density).filter((d) => d !== null);
    const extra: Record<string, Stat> = {};
    for (const e of exts) {
      const values = used.map((r) => e.instance.metrics!(r.run));
      for (const name of new Set(values.flatMap((v) => Object.keys(v)))) {
        if (!extraColumns.includes(name)) extraColumns.push(name);
        extra[name] = stat(values.map((v) => v[name]));
      }
    }
    return {
      level,
      line,
      key,
      unpruned: densities.length ? stat(densities.map((d) => d!.unpruned)).mean : null,
      total: densities.length ? densities[0]!.total : null,
      final: stat(used.map((r) => r.run.final?.accuracy)),
      best: stat(used.map((r) => r.run.best?.accuracy)),
      complete: done.length,
      running: here.length - done.length,
      partial: done.length === 0 && used.length > 0,
      replicates: used.map((r) => r.replicate),
      extra,
    };
  });
}

/**
 * The report of a lottery experiment read by `readExperiment`: a row per level for the trunk
 * and for every branch (mean ± std over replicates), the points of the LTH figure (one per run),
 * every run's test-accuracy curve, and the trunk's per-layer densities; each of `extensions`
 * (a session's: `reportExtensionsOf`) adds the metric columns of its branch's rows.
 */
export function lotteryReport(e: Experiment, summary: string, extensions: readonly RegisteredReportExtension[]): LotteryReport {
  const extraColumns: string[] = [];
  const rows = [
    ...lineRows('trunk', e.hashname, e.runs, e.runs, null, extraColumns, extensions),
    ...e.branches.flatMap((b) => lineRows(b.label, b.hashname, b.runs, e.runs, b, extraColumns, extensions)),
  ].sort((a, b) => a.level - b.level);
  const lines: Array<{ line: string; runs: readonly RunRef[] }> = [{ line: 'trunk', runs: e.runs }, ...e.branches.map((b) => ({ line: b.label, runs: b.runs }))];
  const points: ReportPoint[] = [];
  const curves: CurvePoint[] = [];
  for (const { line, runs } of lines) {
    for (const r of runs) {
      const d = r.run.density ?? e.runs.find((t) => t.level === r.level && t.replicate === r.replicate)?.run.density ?? null;
      if (r.run.final && r.run.best && d) {
        points.push({ line, level: r.level!, replicate: r.replicate, remaining: (100 * d.unpruned) / d.total, final: r.run.final.accuracy, best: r.run.best.accuracy, complete: r.run.status === 'complete' });
      }
      for (const [iteration, accuracy] of r.run.accuracy) curves.push({ line, level: r.level!, replicate: r.replicate, iteration, accuracy });
    }
  }
  const density: DensityPoint[] = [];
  const byLayer = new Map<string, number[]>();
  for (const r of e.runs) {
    const d = r.run.density;
    if (!d) continue;
    for (const [layer, c] of Object.entries(d.layers)) {
      if (!(c.total > 0)) continue;
      const k = `${r.level}\u0000${layer}`;
      if (!byLayer.has(k)) byLayer.set(k, []);
      byLayer.get(k)!.push(c.unpruned / c.total);
    }
  }
  for (const [k, v] of byLayer) {
    const [level, layer] = k.split('\u0000');
    density.push({ level: Number(level), layer, density: stat(v).mean! });
  }
  density.sort((a, b) => a.level - b.level);
  return { hashname: e.hashname, dir: e.dir, summary, replicates: e.replicates, plannedLevels: e.plannedLevels, rows, points, curves, density, extraColumns };
}
