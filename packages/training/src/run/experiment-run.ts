import * as path from 'node:path';
import { lockExperiment, removeStaleTempFiles, type ExperimentLock, type Output, type Platform } from '@lth/kernel';
import { standardTrain, type StandardTrainOptions, type TrainResult } from '../standard-train';

/** How one job runs, whatever it runs (`lth train`, a lottery, a branch). */
export interface RunSettings {
  readonly platform: Platform;
  readonly out: Output;
  /** Print banners and training progress (default: unless the output is quiet). */
  readonly verbose?: boolean;
  /** Evaluate on the test set at every epoch (default) or only at the start and end of training. */
  readonly evaluateEveryEpoch?: boolean;
}

/** What `ExperimentRun.train` needs beyond the run's settings. */
export type RunTrainOptions = Omit<StandardTrainOptions, 'platform' | 'out' | 'verbose' | 'evaluateEveryEpoch'>;

/** Something that saves its `hparams.log` and `desc.json` to a directory (the descs do). */
export interface SavableDesc {
  save(dir: string, extra?: Record<string, unknown>): void;
}

const RULE = '='.repeat(82);
const THIN = '-'.repeat(82);

/**
 * The one implementation the runners share (the `train` workflow, the lottery runner, the
 * branch runner and its contexts): what a job prints (OpenLTH's banners, notes, the closing
 * lines; only the primary process prints, banners and notes only when verbose), the experiment
 * lock around the work, `desc.json` with the backend, and "train one model to its end step"
 * (`standardTrain` with the job's platform, output, verbosity and evaluation schedule: resumed
 * from its checkpoint, skipped when finished). Each runner composes these; none prints or trains
 * by itself.
 */
export class ExperimentRun {
  readonly platform: Platform;
  readonly out: Output;
  readonly verbose: boolean;
  readonly evaluateEveryEpoch: boolean;

  constructor(settings: RunSettings) {
    this.platform = settings.platform;
    this.out = settings.out;
    this.verbose = settings.verbose ?? !settings.out.quiet;
    this.evaluateEveryEpoch = settings.evaluateEveryEpoch ?? true;
  }

  /** Whether this process writes results and prints (the only one, unless distributed). */
  get primary(): boolean {
    return this.platform.isPrimary;
  }

  /** Whether banners and notes are printed: verbose, and the primary process. */
  get talking(): boolean {
    return this.verbose && this.primary;
  }

  /** Prints `text` line by line on the primary process (verbose or not). */
  print(text: string): void {
    if (this.primary) printLines(this.out, text);
  }

  /** Prints a line when verbose, on the primary process. */
  log(line: string): void {
    if (this.talking) this.out.line(line);
  }

  /**
   * OpenLTH's job banner, when verbose: a rule, the title (`Training a Model (Replicate 1)`), the
   * hyperparameters' display, the output location, a rule and an empty line.
   */
  banner(title: string, display: string, location: string): void {
    if (this.talking) printLines(this.out, `${RULE}\n${title}\n${THIN}\n${display}\nOutput Location: ${location}\n${RULE}\n`);
  }

  /** A section heading between thin rules (`Pruning Level 2`), when verbose. */
  section(title: string): void {
    if (this.talking) printLines(this.out, `${THIN}\n${title}\n${THIN}`);
  }

  /** Saves `desc` (`hparams.log`, `desc.json` with `extra` and the backend) on the primary process. */
  saveDesc(desc: SavableDesc, dir: string, extra: Record<string, unknown> = {}): void {
    if (this.primary) desc.save(dir, { ...extra, ...(this.platform.backend ? { backend: this.platform.backend } : {}) });
  }

  /**
   * Runs `body` holding the experiment lock (`lockExperiment`) of every directory in `dirs` (on
   * the primary process), after removing the temporary files a killed run left under them.
   */
  async locked<T>(dirs: readonly string[], body: () => Promise<T>): Promise<T> {
    const locks: ExperimentLock[] = [];
    try {
      if (this.primary) for (const dir of dirs) locks.push(lockExperiment(dir));
      for (const l of locks) removeStaleTempFiles(l.dir, true);
      return await body();
    } finally {
      for (const l of locks) l.release();
    }
  }

  /** Trains one model to its end step in `o.outputLocation` (see `standardTrain`). */
  train(o: RunTrainOptions): Promise<TrainResult> {
    return standardTrain({ ...o, platform: this.platform, out: this.out, verbose: this.verbose, evaluateEveryEpoch: this.evaluateEveryEpoch });
  }

  /**
   * The closing lines of `lth lottery` and `lth lottery_branch`: the wall time since `t0`, and
   * where the results are with the command that tabulates them; the latter also when quiet.
   */
  finish(replicateDir: string, t0: number): void {
    if (!this.primary) return;
    this.out.line(`Wall time: ${formatWallTime(performance.now() - t0)}`);
    const text = `Results: ${replicateDir} (lth report ${path.dirname(replicateDir)} tabulates and plots every replicate)`;
    if (this.out.result) this.out.result(text);
    else this.out.line(text);
  }
}

/**
 * A closing table as lth prints it (`Lottery Ticket Summary`): a rule, the title, a thin rule,
 * the header and the rows in right-aligned columns three spaces apart, and a rule. The rules
 * are 82 wide, or as wide as the header with `widen`.
 */
export function framedTable(title: string, header: readonly string[], rows: readonly (readonly string[])[], widen = false): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => r.map((x, i) => x.padStart(widths[i]!)).join('   ');
  const width = widen ? Math.max(RULE.length, line(header).length) : RULE.length;
  return ['='.repeat(width), title, '-'.repeat(width), line(header), ...rows.map(line), '='.repeat(width)].join('\n');
}

/** Prints a desc's display block (or any text) as OpenLTH's runners do, line by line. */
export function printLines(out: Output, text: string): void {
  for (const l of text.split('\n')) out.line(l);
}

/** `1h02m03s`, `4m05.2s`, `12.3s`. */
export function formatWallTime(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${(s - 60 * m).toFixed(1).padStart(4, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m${String(Math.floor(s - 60 * m)).padStart(2, '0')}s`;
}
