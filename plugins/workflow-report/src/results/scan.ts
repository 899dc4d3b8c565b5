import * as fs from 'node:fs';
import * as path from 'node:path';
import { readDescRecord, type DescRecord } from '@lth/lottery';
import type { RegisteredReportExtension } from '../extensions';
import { readRun, type RunData } from './run';

/** A run of an experiment: which replicate (and trunk level), and what is on disk. */
export interface RunRef {
  readonly replicate: number;
  /** The trunk level (lottery and branch runs); null for `train`. */
  readonly level: number | null;
  readonly run: RunData;
}

/** A branch found under a lottery's levels: every run of one `lottery_branch_<name>_<md5>`. */
export interface BranchExperiment {
  readonly kind: 'branch';
  readonly hashname: string;
  readonly name: string;
  /** The branch arguments that differ from their defaults (`seed=1`), from its canonical string. */
  readonly args: string;
  /** `name(args)` or the name alone. */
  readonly label: string;
  readonly record: Record<string, unknown> | null;
  readonly runs: readonly RunRef[];
}

/** A `train_<md5>` or `lottery_<md5>` directory under the results root. */
export interface Experiment {
  readonly kind: 'train' | 'lottery';
  readonly hashname: string;
  readonly dir: string;
  /** Its `desc.json` (the first replicate's that can be read), or null with `problem` saying why. */
  readonly record: DescRecord | null;
  readonly problem: string | null;
  readonly replicates: readonly number[];
  /** Lottery: the most levels any run asked for (`lottery_run.json`), else null. */
  readonly plannedLevels: number | null;
  /** The runs: `train` replicates, or a lottery's trunk levels. */
  readonly runs: readonly RunRef[];
  readonly branches: readonly BranchExperiment[];
}

const EXPERIMENT = /^(train|lottery)_[0-9a-f]{32}$/;

function numbered(dir: string, prefix: string): number[] {
  const re = new RegExp(`^${prefix}_(\\d+)$`);
  return subdirs(dir)
    .map((e) => re.exec(e))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** The names of the directories in `dir` (none when it cannot be read). */
function subdirs(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8'));
    return v && typeof v === 'object' ? v : null;
  } catch {
    return null;
  }
}

function branchArgs(canonical: unknown): string {
  return typeof canonical === 'string' ? canonical.replace(/^Hparams\((.*)\)$/s, '$1') : '';
}

/** The branch name of a `lottery_branch_<name>_<md5>` directory: its `desc.json`'s, else the directory name's. */
function branchNameOf(dir: string): string {
  const rec = readJson(path.join(dir, 'desc.json'));
  return typeof rec?.branch === 'string' ? rec.branch : path.basename(dir).replace(/^lottery_branch_/, '').replace(/_[0-9a-f]{32}$/, '');
}

/** A branch directory as a run: read by its branch's report extension when that has `readRun`, else as a training run. */
function readBranchRun(dir: string, extensions: readonly RegisteredReportExtension[]): RunData {
  const name = branchNameOf(dir);
  const ext = extensions.find((x) => x.instance.readRun && x.meta.branch === name);
  if (!ext) return readRun(dir);
  try {
    return ext.instance.readRun!(dir);
  } catch (e) {
    return { dir, status: 'unreadable', problem: (e as Error).message, accuracy: [], trainLoss: [], lr: [], final: null, best: null, density: null };
  }
}

/** The experiments directly under `root`, sorted by kind then name; other entries are ignored. Branch directories are read with `extensions` (a session's: `reportExtensionsOf`). */
export function scanRoot(root: string, extensions: readonly RegisteredReportExtension[]): Experiment[] {
  return subdirs(root)
    .filter((e) => EXPERIMENT.test(e))
    .sort()
    .map((e) => readExperiment(path.join(root, e), extensions));
}

/**
 * Reads one experiment directory (`train_<md5>` or `lottery_<md5>`) and, for a lottery, every
 * branch under its levels. Never throws for what is inside it: a missing or corrupt `desc.json`
 * leaves `record` null and says why in `problem`; unfinished runs are `running`. A branch
 * directory is read by the `readRun` of its branch's extension among `extensions`, if any.
 */
export function readExperiment(dir: string, extensions: readonly RegisteredReportExtension[]): Experiment {
  const hashname = path.basename(dir);
  const kind = hashname.startsWith('lottery_') ? 'lottery' : 'train';
  const replicates = numbered(dir, 'replicate');
  const runs: RunRef[] = [];
  const descDirs: string[] = [];
  let plannedLevels: number | null = null;
  const branchRuns = new Map<string, RunRef[]>();
  for (const replicate of replicates) {
    const rdir = path.join(dir, `replicate_${replicate}`);
    if (kind === 'train') {
      descDirs.push(path.join(rdir, 'main'));
      runs.push({ replicate, level: null, run: readRun(path.join(rdir, 'main')) });
      continue;
    }
    descDirs.push(path.join(rdir, 'level_0', 'main'));
    const planned = Number(readJson(path.join(rdir, 'level_0', 'main', 'lottery_run.json'))?.levels);
    if (Number.isInteger(planned)) plannedLevels = Math.max(plannedLevels ?? 0, planned);
    for (const level of numbered(rdir, 'level')) {
      const ldir = path.join(rdir, `level_${level}`);
      runs.push({ replicate, level, run: readRun(path.join(ldir, 'main')) });
      for (const e of subdirs(ldir).filter((x) => x.startsWith('lottery_branch_')).sort()) {
        if (!branchRuns.has(e)) branchRuns.set(e, []);
        branchRuns.get(e)!.push({ replicate, level, run: readBranchRun(path.join(ldir, e), extensions) });
      }
    }
  }
  let record: DescRecord | null = null;
  let problem: string | null = replicates.length ? null : 'no replicate_<R> directory';
  for (const d of descDirs) {
    try {
      record = readDescRecord(d);
      if (record.hashname !== hashname) {
        problem = `${path.join(d, 'desc.json')} describes ${record.hashname}`;
        record = null;
        continue;
      }
      problem = null;
      break;
    } catch (e) {
      problem ??= (e as Error).message;
    }
  }
  const branches = [...branchRuns.entries()].map(([bhash, bruns]): BranchExperiment => {
    const rec = bruns.map((r) => readJson(path.join(r.run.dir, 'desc.json'))).find((x) => x !== null) ?? null;
    const name = typeof rec?.branch === 'string' ? rec.branch : bhash.replace(/^lottery_branch_/, '').replace(/_[0-9a-f]{32}$/, '');
    const args = branchArgs(rec?.canonical);
    return { kind: 'branch', hashname: bhash, name, args, label: args ? `${name}(${args})` : name, record: rec, runs: bruns };
  });
  return { kind, hashname, dir, record, problem, replicates, plannedLevels, runs, branches };
}
