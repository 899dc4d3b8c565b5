import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LthError, writeFileAtomic, type JobInvocation, type SubmitContext } from '@lth/kernel';
import { planUnits, type Unit } from './plan';
import { allRecords, jobState, readRecord, readStatus, SLURM_DIR, writeRecord, type JobRecord } from './records';
import { sbatchResourceArgs, type SlurmSettings } from './settings';
import { sbatch, squeue } from './slurm-commands';
import type { TaskTable } from './wrapper';

/** What `submitJobs` did. */
export interface SubmitSummary {
  /** Job ids of the submitted arrays, in submission order. */
  readonly arrays: readonly string[];
  readonly submitted: number;
  readonly done: number;
  /** Units left alone because a job of theirs is still queued or running. */
  readonly queued: number;
}

/** How a unit to submit waits: for nothing, for the same task of an array of this submission, or for a job already queued. */
type Wait = { kind: 'none' } | { kind: 'corr'; group: string } | { kind: 'ok'; jobId: string };

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Submits the jobs of a command on Slurm. Every unit (`planUnits`) whose results are on disk is
 * skipped, and so is every unit with a job still pending or running; the rest are submitted as
 * job arrays, one per level and kind of wait, the array task id being the sweep point: level L's
 * array waits for level L-1's with `aftercorr` (task i after task i), a unit whose predecessor is
 * queued from an earlier submission waits for that job with `afterok`, and all get
 * `--kill-on-invalid-dep=yes`, so a failure cancels what depends on it. Each job runs the wrapper
 * (`wrapper.ts`) with its array's task table. Everything is checked (the input, the queue, the
 * trunk levels branches need) before the first sbatch.
 */
export function submitJobs(jobs: readonly JobInvocation[], context: SubmitContext, settings: SlurmSettings): SubmitSummary {
  const root = settings.root;
  const queue = squeue();
  const liveJob = (key: string): string | null => {
    const r = readRecord(root, key);
    if (!r) return null;
    const s = jobState(r, readStatus(root, r), queue);
    return s === 'pending' || s === 'running' ? r.jobId : null;
  };
  const lastJobDone = (key: string): boolean => {
    const r = readRecord(root, key);
    return !!r && readStatus(root, r)?.state === 'done';
  };
  const units: Unit[] = [];
  const external = new Map<string, Unit>();
  jobs.forEach((inv, point) => {
    const plan = planUnits(inv, point, lastJobDone);
    units.push(...plan.units);
    for (const u of plan.external) external.set(u.key, u);
  });
  const byKey = new Map(units.map((u) => [u.key, u]));
  if (byKey.size !== units.length) throw new LthError('BAD_SWEEP', 'Two jobs of this command write the same results: remove the repeated values from the sweep.');
  const status = new Map<string, 'done' | 'queued' | 'submit'>();
  const live = new Map<string, string>();
  for (const u of units) {
    const job = liveJob(u.key);
    if (job) live.set(u.key, job);
    status.set(u.key, u.done() ? 'done' : job ? 'queued' : 'submit');
  }
  const groupOf = new Map<string, string>();
  const groups = new Map<string, { stage: number; wait: Wait; units: Unit[] }>();
  const toSubmit = units.filter((u) => status.get(u.key) === 'submit').sort((a, b) => a.stage - b.stage || a.point - b.point);
  for (const u of toSubmit) {
    let wait: Wait = { kind: 'none' };
    if (u.after !== null) {
      const inside = status.get(u.after);
      if (inside === 'submit') wait = { kind: 'corr', group: groupOf.get(u.after)! };
      else if (inside === 'queued') wait = { kind: 'ok', jobId: live.get(u.after)! };
      else if (inside === undefined) {
        const ext = external.get(u.after)!;
        if (!ext.done()) {
          const job = liveJob(ext.key);
          if (!job) throw new LthError('TRUNK_NOT_READY', `${ext.describe} is neither trained nor queued: run the lottery first (the same flags, lth lottery --levels=N --platform=slurm), then the branch.`);
          wait = { kind: 'ok', jobId: job };
        }
      }
    }
    const id = `${u.command}_L${u.stage}_${wait.kind === 'none' ? 'none' : wait.kind === 'corr' ? wait.group : wait.jobId}`;
    groupOf.set(u.key, id);
    if (!groups.has(id)) groups.set(id, { stage: u.stage, wait, units: [] });
    groups.get(id)!.units.push(u);
  }
  const arrays: string[] = [];
  const arrayOf = new Map<string, string>();
  const submissionDir = path.join(root, SLURM_DIR, 'submissions');
  const logsDir = path.join(root, SLURM_DIR, 'logs');
  fs.mkdirSync(logsDir, { recursive: true });
  const stamp = `${new Date().toISOString().replace(/[:.]/g, '-')}_${crypto.randomBytes(3).toString('hex')}`;
  for (const [id, g] of groups) {
    const table: TaskTable = {
      root,
      cwd: context.cwd,
      lth: context.lth,
      tasks: Object.fromEntries(g.units.map((u) => [String(u.point), { key: u.key, command: u.command, argv: u.argv }])),
    };
    const tableFile = path.join(submissionDir, `${stamp}_${id}.json`);
    writeFileAtomic(tableFile, JSON.stringify(table, null, 2) + '\n');
    const dependency =
      g.wait.kind === 'corr' ? [`--dependency=aftercorr:${arrayOf.get(g.wait.group)!}`] : g.wait.kind === 'ok' ? [`--dependency=afterok:${g.wait.jobId}`] : [];
    const wrapper = path.join(__dirname, 'wrapper.js');
    const arrayId = sbatch([
      `--job-name=lth_${g.units[0].command}_L${g.stage}`,
      `--array=${g.units.map((u) => u.point).join(',')}`,
      ...dependency,
      '--kill-on-invalid-dep=yes',
      `--chdir=${context.cwd}`,
      `--output=${path.join(logsDir, '%A_%a.out')}`,
      ...sbatchResourceArgs(settings),
      `--wrap=exec ${[process.execPath, wrapper, tableFile].map(shellQuote).join(' ')}`,
    ]);
    arrayOf.set(id, arrayId);
    arrays.push(arrayId);
    const submitted = new Date().toISOString();
    for (const u of g.units) {
      const after = u.after === null ? null : u.after;
      const record: JobRecord = { key: u.key, jobId: `${arrayId}_${u.point}`, command: u.command, argv: u.argv, after, submitted };
      writeRecord(root, record);
    }
  }
  const count = (s: string) => [...status.values()].filter((v) => v === s).length;
  return { arrays, submitted: toSubmit.length, done: count('done'), queued: count('queued') };
}

/** Every record under `root` whose key contains `filter` (all without one). */
export function recordsMatching(root: string, filter: string | undefined): JobRecord[] {
  return allRecords(root).filter((r) => !filter || r.key.includes(filter));
}
