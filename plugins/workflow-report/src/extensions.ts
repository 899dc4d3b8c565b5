import type { RunData } from './results/run';
import type { LotteryReport } from './report/model';

/** A Vega-Lite figure a report writes as `<name>.svg` and shows in `report.html`. */
export interface ReportFigure {
  /** File name without `.svg`: letters, digits, `-` and `_`. */
  readonly name: string;
  readonly title: string;
  /** A Vega-Lite specification (data inline). */
  readonly spec: Record<string, unknown>;
}

/**
 * What a branch plugin (or any plugin) may add to `lth report`, registered with
 * `addReportExtension` when the plugin loads:
 *
 * - `metrics(run)`: extra numbers of one run of the branch named `branch` (say, an instability
 *   or an error barrier read from a file the branch writes). Each becomes a column of the
 *   report's table, averaged over replicates like the accuracies (mean ± std, n), and a field
 *   of `--format=json`; a value of null leaves the run out of that column.
 * - `figures(report)`: extra figures from the whole report (its rows, curves and points), each
 *   rendered to `<name>.svg` beside the built-in ones and shown in `report.html`.
 *
 * - `readRun(dir)`: how to read a directory of the branch when it is not itself a training run
 *   (say, a branch that trains copies in subdirectories and writes its own result file):
 *   its status, accuracies and density as the report shows them. It must not throw for what
 *   is on disk (an unreadable directory is status `unreadable`). Without it, `readRun` of
 *   this package reads the directory as a training run.
 *
 * `metrics` and `figures` are called only for experiments that have runs of `branch` (`'*'`:
 * every experiment); `readRun` only for directories of `branch` (never for `'*'`).
 */
export interface ReportExtension {
  readonly branch: string;
  metrics?(run: RunData): Readonly<Record<string, number | null>>;
  readRun?(dir: string): RunData;
  figures?(report: LotteryReport): readonly ReportFigure[];
}

/** Kept on `globalThis` so that every copy of this package a process loads shares one list. */
const extensions: ReportExtension[] = ((globalThis as Record<symbol, unknown>)[Symbol.for('lth.reportExtensions')] ??= []) as ReportExtension[];

/** Registers a report extension (see `ReportExtension`). */
export function addReportExtension(extension: ReportExtension): void {
  extensions.push(extension);
}

/** The registered extensions. */
export function reportExtensions(): readonly ReportExtension[] {
  return extensions;
}
