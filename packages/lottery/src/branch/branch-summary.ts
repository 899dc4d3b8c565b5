import * as fs from 'node:fs';
import * as path from 'node:path';
import { readTextFileBounded } from '@lth/kernel';
import { framedTable, MetricLogger, summarizeLogger } from '@lth/training';
import { formatSummaryTable, summarizeLevel, type LevelSummary } from '../summary';
import { BRANCH_DESC_FILE } from './branch-desc';

/** The final test accuracy of one branch at one level, read from its directory. */
export interface BranchResult {
  readonly level: number;
  /** The directory name, `lottery_branch_<name>_<md5>`. */
  readonly hashname: string;
  /** The branch name (from `desc.json`, else from the directory name). */
  readonly branch: string;
  /** A short column label: `randomly_prune(seed=1)`, or the name and an md5 prefix. */
  readonly label: string;
  readonly finalAccuracy: number;
  readonly finalIteration: number;
}

/** A trunk replicate's levels and the branches found under them, for the experiment table. */
export interface ExperimentSummary {
  readonly trunk: readonly LevelSummary[];
  readonly branches: readonly BranchResult[];
}

const MAX_LABEL = 44;

function labelOf(dir: string, hashname: string): { branch: string; label: string } {
  const md5 = hashname.slice(-32);
  let branch = hashname.replace(/^lottery_branch_/, '').replace(/_[0-9a-f]{32}$/, '');
  let canonical: string | null = null;
  try {
    const d = JSON.parse(readTextFileBounded(path.join(dir, BRANCH_DESC_FILE))) as { branch?: string; canonical?: string };
    if (typeof d.branch === 'string') branch = d.branch;
    if (typeof d.canonical === 'string') canonical = d.canonical;
  } catch {
    canonical = null;
  }
  const inner = canonical?.replace(/^Hparams\((.*)\)$/, '$1') ?? null;
  if (inner === '') return { branch, label: branch };
  const full = inner === null ? null : `${branch}(${inner})`;
  return { branch, label: full && full.length <= MAX_LABEL ? full : `${branch} ${md5.slice(0, 8)}` };
}

/**
 * Whether a branch directory is not an lth run in progress: one that saved its start model and
 * not yet its end model (its logger is written at every epoch boundary while it trains). A
 * directory without model files (another program's) counts as finished.
 */
function trained(dir: string): boolean {
  const models = fs.readdirSync(dir).filter((f) => /^model_ep\d+_it\d+\.(safetensors|pth)$/.test(f));
  return models.length !== 1;
}

/**
 * Reads a trunk replicate directory (`<root>/lottery_<md5>/replicate_<R>`): every trained level
 * (its `sparsity_report.json` and `logger`) and every branch under a level whose `logger` has
 * test accuracies, whichever plugin or program wrote it. Unfinished levels and branches (an lth
 * branch in progress has a logger and its start model, but no end model yet) are left out.
 */
export function summarizeExperiment(replicateDir: string): ExperimentSummary {
  const trunk: LevelSummary[] = [];
  const branches: BranchResult[] = [];
  const levels = fs.existsSync(replicateDir)
    ? fs
        .readdirSync(replicateDir)
        .map((e) => /^level_(\d+)$/.exec(e))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => Number(m[1]))
        .sort((a, b) => a - b)
    : [];
  for (const level of levels) {
    const levelDir = path.join(replicateDir, `level_${level}`);
    try {
      if (trained(path.join(levelDir, 'main'))) trunk.push(summarizeLevel(level, path.join(levelDir, 'main')));
    } catch {
      /* not trained yet */
    }
    for (const e of fs.readdirSync(levelDir).sort()) {
      const dir = path.join(levelDir, e);
      if (!e.startsWith('lottery_branch_') || !MetricLogger.exists(dir) || !trained(dir)) continue;
      const s = summarizeLogger(MetricLogger.createFromFile(dir));
      if (s.finalAccuracy === null) continue;
      branches.push({ level, hashname: e, ...labelOf(dir, e), finalAccuracy: s.finalAccuracy, finalIteration: s.finalIteration! });
    }
  }
  return { trunk, branches };
}

function percent(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

/** What `formatExperimentTable` shows beyond the final accuracies. */
export interface ExperimentTableOptions {
  /** A `Trunk (best test acc @ iteration)` column after the trunk's final accuracy (as `lth lottery` prints). */
  readonly trunkBest?: boolean;
}

/**
 * The experiment table: one row per level (the trunk's and the branches' levels), with the
 * weights the trunk's mask keeps, the trunk's final test accuracy (and, with `trunkBest`, its
 * best one and the iteration of it), and one column per branch found (its final test accuracy
 * at that level; `-` where it has not run). With no branch found it is the lottery's own
 * closing table (`formatSummaryTable`).
 */
export function formatExperimentTable(summary: ExperimentSummary, replicate: number, options: ExperimentTableOptions = {}): string {
  if (!summary.branches.length) return formatSummaryTable(summary.trunk, replicate);
  const columns: Array<{ hashname: string; label: string }> = [];
  for (const b of summary.branches) if (!columns.some((c) => c.hashname === b.hashname)) columns.push({ hashname: b.hashname, label: b.label });
  const levels = [...new Set([...summary.trunk.map((t) => t.level), ...summary.branches.map((b) => b.level)])].sort((a, b) => a - b);
  const best = options.trunkBest ? ['Trunk (best test acc @ iteration)'] : [];
  const header = ['Level', 'Weights remaining', 'Trunk (final test acc)', ...best, ...columns.map((c) => c.label)];
  const cells = levels.map((level) => {
    const t = summary.trunk.find((r) => r.level === level);
    const row = [String(level), t ? `${t.unpruned} (${percent(t.unpruned / t.total)})` : '-', t ? percent(t.finalAccuracy) : '-'];
    if (options.trunkBest) row.push(t ? `${percent(t.bestAccuracy)} @ ${t.bestIteration}` : '-');
    for (const c of columns) {
      const b = summary.branches.find((r) => r.level === level && r.hashname === c.hashname);
      row.push(b ? percent(b.finalAccuracy) : '-');
    }
    return row;
  });
  return framedTable(`Lottery Ticket Summary with Branches (Replicate ${replicate})`, header, cells);
}
