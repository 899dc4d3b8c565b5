import { workflow, type FlagGroup, type Job, type Workflow } from '@lth/kernel';
import { jobState, readStatus, type JobRecord, type JobState } from './records';
import { scancel, squeue } from './slurm-commands';
import { recordsMatching } from './submit';

/** The queue, or null when it cannot be read (the states then come from the files alone). */
function queueOrNull(): Map<string, string> | null {
  try {
    return squeue();
  } catch {
    return null;
  }
}

/** The state of every job under the root whose key contains `filter`. */
export function jobStates(root: string, filter?: string): { record: JobRecord; state: JobState; node: string; exitCode: number | null }[] {
  const queue = queueOrNull();
  return recordsMatching(root, filter).map((record) => {
    const status = readStatus(root, record);
    return { record, state: jobState(record, status, queue), node: status?.node ?? '', exitCode: status?.exitCode ?? null };
  });
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((v, c) => v.padEnd(widths[c])).join('  ').trimEnd());
}

/**
 * What `lth status` and `lth cancel` share: no backend, no flags, an optional filter positional,
 * and the results root as their output location.
 */
abstract class SlurmJobsWorkflow implements Workflow {
  readonly needsBackend = false;
  readonly positionals = [{ name: 'filter', description: 'Only jobs whose results directory contains this text (lottery_<md5>, replicate_2).' }];

  flagGroups(): FlagGroup[] {
    return [];
  }

  outputLocations(job: Job): string[] {
    return [job.platform.root];
  }

  abstract run(job: Job): Promise<void>;
}

/**
 * `lth status [filter]`: every job `--platform=slurm` submitted under the results root (or
 * those whose key contains `filter`, e.g. an experiment's `lottery_<md5>`), with its Slurm job
 * id and state: pending, running, done, failed, cancelled, or lost (running when its node or
 * job died). From the files the job wrapper writes, and the queue; no accounting needed.
 */
@workflow({ name: 'status', description: 'Show the state of the Slurm jobs under the results root.' })
export class StatusWorkflow extends SlurmJobsWorkflow {
  async run(job: Job): Promise<void> {
    const states = jobStates(job.platform.root, job.positionals[0]);
    if (!states.length) {
      job.out.line(`No Slurm jobs under ${job.platform.root}${job.positionals[0] ? ` matching '${job.positionals[0]}'` : ''}.`);
      return;
    }
    const rows = [['JOB', 'STATE', 'NODE', 'EXIT', 'RESULTS'], ...states.map((s) => [s.record.jobId, s.state, s.node || '-', s.exitCode === null ? '-' : String(s.exitCode), s.record.key])];
    for (const l of table(rows)) job.out.line(l);
    const counts = new Map<string, number>();
    for (const s of states) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
    job.out.line(`${states.length} job${states.length === 1 ? '' : 's'}: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}`);
  }
}

/**
 * `lth cancel [filter]`: cancels (scancel) every pending or running job of `lth status [filter]`.
 * Results stay: running the same command again submits what is missing.
 */
@workflow({ name: 'cancel', description: 'Cancel the pending and running Slurm jobs under the results root.' })
export class CancelWorkflow extends SlurmJobsWorkflow {
  async run(job: Job): Promise<void> {
    const active = jobStates(job.platform.root, job.positionals[0]).filter((s) => s.state === 'pending' || s.state === 'running');
    scancel(active.map((s) => s.record.jobId));
    job.out.line(active.length ? `Cancelled ${active.length} job${active.length === 1 ? '' : 's'}: ${active.map((s) => s.record.jobId).join(' ')}` : 'No pending or running jobs to cancel.');
  }
}
