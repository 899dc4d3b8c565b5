import { declareContribution, registerDecoratorModule, type Contribution, type Registry } from '@lth/kernel';
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
 * What a branch plugin (or any plugin) may add to `lth report`: a class declared with
 * `@reportExtension({ name, branch })`, a contribution of kind `report_extension` that each
 * session builds through its container (so its constructor may inject the session's services)
 * and that `lth ls` / `lth report` take from the session's registry:
 *
 * - `metrics(run)`: extra numbers of one run of the branch named `branch` (say, an instability
 *   or an error barrier read from a file the branch writes). Each becomes a column of the
 *   report's table, averaged over replicates like the accuracies (mean ± std, n), and a field
 *   of `--format=json`; a value of null leaves the run out of that column.
 * - `figures(report)`: extra figures from the whole report (its rows, curves and points), each
 *   rendered to `<name>.svg` beside the built-in ones and shown in `report.html`.
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
  metrics?(run: RunData): Readonly<Record<string, number | null>>;
  readRun?(dir: string): RunData;
  figures?(report: LotteryReport): readonly ReportFigure[];
}

declare module '@lth/kernel' {
  interface ContributionKinds {
    report_extension: ReportExtension;
  }
}

/** A report extension as a session registers it: the instance, and in `meta` the branch it extends. */
export type RegisteredReportExtension = Contribution<ReportExtension> & { readonly meta: { readonly branch: string } };

registerDecoratorModule(__filename);

const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * Declares a report extension (see `ReportExtension`) named `name` for the runs of branch
 * `branch` (`'*'`: every experiment). Like the kernel's decorators it only records a
 * declaration; a session builds the class when the plugin that declared it is loaded. In
 * JavaScript: `reportExtension({ name, branch })(MyExtension)`.
 */
export function reportExtension(meta: { name: string; branch: string; description?: string }) {
  return (cls: abstract new (...args: never[]) => ReportExtension): void => {
    if (typeof cls !== 'function') throw new Error(`@reportExtension(...) must decorate a class; it was applied to ${typeof cls}.`);
    if (!NAME.test(meta?.name ?? '') || (meta.branch !== '*' && !NAME.test(meta.branch ?? ''))) {
      throw new Error(`@reportExtension(...) on ${cls.name || 'an anonymous class'} needs { name, branch }: names of letters, digits and underscores (branch '*' for every experiment).`);
    }
    declareContribution({ kind: 'report_extension', names: [meta.name], cls, description: meta.description ?? '', meta: { branch: meta.branch } });
  };
}

/** The report extensions of a session, in registration order. */
export function reportExtensionsOf(registry: Registry): RegisteredReportExtension[] {
  return registry.list('report_extension') as RegisteredReportExtension[];
}
