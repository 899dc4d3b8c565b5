import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureDir, group, Hparams, inject, injectable, int, LthError, str, TOKENS, workflow, writeFileAtomic, type FlagGroup, type Job, type Registry, type Workflow } from '@lth/kernel';
import { LOTTERY_SELECTORS, LotteryDesc, LotteryWorkflow, type LotterySelectors } from '@lth/lottery';
import { reportExtensionsOf, type RegisteredReportExtension, type ReportFigure } from '../extensions';
import { resultsRoot } from '../ls/workflow';
import { formatHparams, nonDefaultHparams } from '../results/hparams';
import { readExperiment } from '../results/scan';
import { builtinFigures } from './charts';
import { formatReportCsv, formatReportJson, formatReportTable } from './format';
import { reportHtml } from './html';
import { lotteryReport, type LotteryReport } from './model';
import { renderSvg } from './render';

/* eslint-disable @typescript-eslint/naming-convention -- field names are the CLI's flags */

/** The options of `lth report`. */
@group({ name: 'Report Options', description: 'What lth report prints and writes.' })
export class ReportArgs extends Hparams {
  @str({ default: 'table', help: 'How to print the report.', choices: ['table', 'csv', 'json'] })
  format!: 'table' | 'csv' | 'json';

  @str({ default: null, help: 'Also write report.html and the figures (lth.svg, curves.svg, density.svg) into this directory (created if needed).' })
  out!: string | null;

  @str({ default: null, help: "The results root the experiment flags are looked up in. Unset: the platform's root." })
  root!: string | null;
}

/** `--levels` of a reused `lth lottery` command line: accepted, and ignored (the report shows every level on disk). */
@group({ name: 'Lottery Ticket Hyperparameters', description: 'Accepted so that an lth lottery command line can be reused; the report shows every level on disk.' })
export class ReportLevelsArgs extends Hparams {
  @int({ default: null, help: 'Ignored: the report shows every level on disk.' })
  levels!: number | null;
}

const LOTTERY_DIR = /^lottery_[0-9a-f]{32}$/;

/** The `lottery_<md5>` directory a path names or lies inside; `NO_EXPERIMENT` or `NOT_A_LOTTERY` otherwise. */
export function lotteryDirOf(p: string): string {
  const abs = path.resolve(p);
  if (!fs.existsSync(abs)) throw new LthError('NO_EXPERIMENT', `${p} does not exist: name a lottery experiment directory (<root>/lottery_<md5>; lth ls lists them).`);
  const parts = abs.split(path.sep);
  const i = parts.findIndex((s) => LOTTERY_DIR.test(s));
  if (i < 0) {
    const hint = parts.some((s) => /^train_[0-9a-f]{32}$/.test(s)) ? ' It is a train experiment: lth ls shows its accuracy.' : ' lth ls lists the experiments.';
    throw new LthError('NOT_A_LOTTERY', `${p} is not a lottery experiment directory (<root>/lottery_<md5>, or a directory inside one).${hint}`);
  }
  return parts.slice(0, i + 1).join(path.sep);
}

/** Renders every figure (built-in and from `extensions`, a session's) and writes report.html, the SVGs, report.json and report.csv into `dir`. */
export async function writeReport(r: LotteryReport, dir: string, extensions: readonly RegisteredReportExtension[]): Promise<string> {
  ensureDir(dir);
  const extra = extensions
    .filter((e) => e.instance.figures && (e.meta.branch === '*' || r.rows.some((row) => row.line.startsWith(`${e.meta.branch}(`) || row.line === e.meta.branch)))
    .flatMap((e) => e.instance.figures!(r));
  const figures: Array<{ figure: ReportFigure; svg: string }> = [];
  for (const figure of [...builtinFigures(r), ...extra]) {
    if (!/^[A-Za-z0-9_-]+$/.test(figure.name)) throw new Error(`A report figure's name must be letters, digits, - and _: ${JSON.stringify(figure.name)}`);
    const svg = await renderSvg(figure.spec);
    writeFileAtomic(path.join(dir, `${figure.name}.svg`), svg);
    figures.push({ figure, svg });
  }
  writeFileAtomic(path.join(dir, 'report.json'), formatReportJson(r) + '\n');
  writeFileAtomic(path.join(dir, 'report.csv'), formatReportCsv(r) + '\n');
  const html = path.join(dir, 'report.html');
  writeFileAtomic(html, reportHtml(r, figures));
  return html;
}

/** The report of the lottery experiment in `dir` (read whatever its state; hyperparameters and report extensions from `registry`, a session's). */
export function reportOf(dir: string, registry: Registry): LotteryReport {
  const extensions = reportExtensionsOf(registry);
  const e = readExperiment(dir, extensions);
  const summary = e.record ? formatHparams(nonDefaultHparams(e.record, registry)) : `(hyperparameters unknown: ${e.problem})`;
  return lotteryReport(e, summary, extensions);
}

/**
 * `lth report <experiment dir>` or `lth report <the flags of lth lottery>`: the table of a
 * lottery experiment, a row per level for the trunk and every branch, final and best test
 * accuracy as mean ± std over replicates (`--format=table|csv|json`); with `--out DIR`,
 * `report.html` and the figures as SVG (Vega-Lite, rendered in Node). Runs in progress are
 * included. Trains nothing, so no tensor backend is set up.
 */
@injectable()
@workflow({ name: 'report', description: 'Tabulate and plot a lottery experiment: accuracy vs. weights remaining, mean ± std over replicates.' })
export class ReportWorkflow implements Workflow {
  readonly needsBackend = false;

  constructor(@inject(TOKENS.Registry) private readonly registry: Registry) {}

  readonly positionals = [{ name: 'experiment', description: 'A lottery experiment directory (or one inside it); without it, give the flags of lth lottery.', optional: true }];

  readonly selectors = LOTTERY_SELECTORS;

  flagGroups(selectors: LotterySelectors): FlagGroup[] {
    const own: FlagGroup = { key: 'report', hparams: ReportArgs };
    if (selectors.positionals.length) return [own];
    const trunk = new LotteryWorkflow(this.registry).flagGroups(selectors).filter((g) => g.key !== 'lottery');
    return [own, { key: 'levels', hparams: ReportLevelsArgs }, ...trunk];
  }

  outputLocations(job: Job): string[] {
    const args = job.groups.report as ReportArgs;
    return args.out ? [path.resolve(args.out, 'report.html')] : [];
  }

  async run(job: Job): Promise<void> {
    const args = job.groups.report as ReportArgs;
    let dir: string;
    if (job.positionals.length) {
      dir = lotteryDirOf(job.positionals[0]);
    } else {
      const root = resultsRoot(args.root, job);
      const desc = LotteryDesc.fromGroups(job.groups, job.registry);
      dir = path.join(root, desc.hashname);
      if (!fs.existsSync(dir)) throw new LthError('NO_EXPERIMENT', `There is no lottery experiment ${desc.hashname} under ${root}: run lth lottery with these flags first (lth ls lists what exists).`);
    }
    const report = reportOf(dir, job.registry);
    const text = args.format === 'csv' ? formatReportCsv(report) : args.format === 'json' ? formatReportJson(report) : formatReportTable(report);
    job.out.line(text);
    if (args.out) {
      const html = await writeReport(report, path.resolve(args.out), reportExtensionsOf(job.registry));
      if (args.format === 'table') job.out.line('');
      job.out.line(`Report: ${html}`);
    }
  }
}
