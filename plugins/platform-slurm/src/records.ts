import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '@lth/kernel';

/** The directory under the results root where the Slurm platform keeps its jobs' records. */
export const SLURM_DIR = '.slurm';

/**
 * What `lth ... --platform=slurm` recorded about one job it submitted, in
 * `<root>/.slurm/<key>/job.json`. The key is the job's results directory relative to the root
 * (`lottery_<md5>/replicate_1/level_2`).
 */
export interface JobRecord {
  readonly key: string;
  /** `123_4` for task 4 of array job 123. */
  readonly jobId: string;
  readonly command: string;
  readonly argv: readonly string[];
  /** The key of the job it waits for, if any. */
  readonly after: string | null;
  /** ISO time of submission. */
  readonly submitted: string;
}

/** What the job wrapper writes in `<root>/.slurm/<key>/status.json` as the job starts and ends. */
export interface JobStatus {
  readonly jobId: string;
  readonly state: 'running' | 'done' | 'failed' | 'cancelled';
  readonly node: string;
  readonly started: string;
  readonly ended?: string;
  readonly exitCode?: number;
}

/** The directory of a job's record. */
export function recordDir(root: string, key: string): string {
  return path.join(root, SLURM_DIR, ...key.split('/'));
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

export function writeRecord(root: string, record: JobRecord): void {
  writeFileAtomic(path.join(recordDir(root, record.key), 'job.json'), JSON.stringify(record, null, 2) + '\n');
}

export function readRecord(root: string, key: string): JobRecord | null {
  return readJson<JobRecord>(path.join(recordDir(root, key), 'job.json'));
}

export function writeStatus(root: string, key: string, status: JobStatus): void {
  writeFileAtomic(path.join(recordDir(root, key), 'status.json'), JSON.stringify(status, null, 2) + '\n');
}

/** The status the wrapper wrote for the record's job, or null (not started, or written by an earlier job of the same key). */
export function readStatus(root: string, record: JobRecord): JobStatus | null {
  const s = readJson<JobStatus>(path.join(recordDir(root, record.key), 'status.json'));
  return s && s.jobId === record.jobId ? s : null;
}

/** The log of a job's lth process (every attempt appended). */
export function logFile(root: string, key: string): string {
  return path.join(recordDir(root, key), 'log');
}

/** Every job record under the root, sorted by key. */
export function allRecords(root: string): JobRecord[] {
  const out: JobRecord[] = [];
  const walk = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else if (e.name === 'job.json') {
        const r = readJson<JobRecord>(path.join(dir, e.name));
        if (r) out.push(r);
      }
    }
  };
  walk(path.join(root, SLURM_DIR));
  return out.sort((a, b) => a.key.localeCompare(b.key, 'en', { numeric: true }));
}

/** Where a job stands: from its record, the wrapper's status file and the queue. */
export type JobState = 'pending' | 'running' | 'done' | 'failed' | 'cancelled' | 'lost';

/**
 * A job's state. In the queue and not started: pending. Its status file decides once it ran:
 * running, done, failed, cancelled. Running per its file but gone from the queue: lost (its node
 * died, or it was killed before the wrapper could write its end). Never started and gone from
 * the queue: cancelled (by `lth cancel`, or because a job it waited for failed).
 * `queue` is null when the queue cannot be read: the files alone decide, and not started is pending.
 */
export function jobState(record: JobRecord, status: JobStatus | null, queue: ReadonlyMap<string, string> | null): JobState {
  const inQueue = queue === null ? null : queue.has(record.jobId);
  if (status && status.state !== 'running') return status.state;
  if (status) return inQueue === false ? 'lost' : 'running';
  if (inQueue === false) return 'cancelled';
  return queue?.get(record.jobId) === 'RUNNING' ? 'running' : 'pending';
}
