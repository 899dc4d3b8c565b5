import { execFileSync } from 'node:child_process';
import { LthError } from '@lth/kernel';

/** How to reach a cluster: the one line every "no cluster" error ends with. */
export const CLUSTER_HINT =
  'Check that Slurm is installed and its controller reachable (sinfo), and SLURM_CONF set if slurm.conf is not in /etc/slurm; on one machine, start a test cluster as root with .ci/slurm-cluster.sh start.';

function slurm(program: string, args: readonly string[]): string {
  try {
    return execFileSync(program, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new LthError('NO_SLURM', `${program} was not found: Slurm's client commands are not installed here. ${CLUSTER_HINT}`);
    const why = (err.stderr ?? err.message).trim().split('\n').filter(Boolean).pop() ?? 'failed';
    throw new LthError('SLURM_FAILED', `${program} ${args.filter((a) => !a.startsWith('--wrap')).join(' ')} failed: ${why}. ${CLUSTER_HINT}`);
  }
}

/** Submits one batch job (`sbatch --parsable ...`) and returns its job id. */
export function sbatch(args: readonly string[]): string {
  const out = slurm('sbatch', ['--parsable', ...args]).trim();
  const id = out.split(';')[0];
  if (!/^\d+$/.test(id)) throw new LthError('SLURM_FAILED', `sbatch printed '${out}' instead of a job id. ${CLUSTER_HINT}`);
  return id;
}

/**
 * The state of every job and array task in the queue, by id (`123`, `123_4`): PENDING, RUNNING,
 * COMPLETING ... Jobs that have left the queue are absent.
 */
export function squeue(): Map<string, string> {
  const out = slurm('squeue', ['--noheader', '--array', '--format=%i %T']);
  const states = new Map<string, string>();
  for (const line of out.split('\n')) {
    const [id, state] = line.trim().split(/\s+/);
    if (id && state) states.set(id, state);
  }
  return states;
}

/** Cancels jobs or array tasks by id. */
export function scancel(ids: readonly string[]): void {
  if (ids.length) slurm('scancel', [...ids]);
}
