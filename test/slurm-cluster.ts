import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO } from './lth-binary';

/** The cluster script of the README and `.ci/run`. */
export const CLUSTER_SCRIPT = path.join(REPO, '.ci', 'slurm-cluster.sh');

function nodeUp(): string | null {
  try {
    const states = execFileSync('sinfo', ['--noheader', '--format=%T'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return /^(idle|mixed|allocated)/m.test(states) ? null : `sinfo shows no usable node (${states.trim() || 'none'})`;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    return err.code === 'ENOENT' ? 'sinfo is not installed' : (err.stderr ?? err.message).trim().split('\n').pop()!;
  }
}

/**
 * Makes sure a Slurm cluster answers: the one `SLURM_CONF` names, else the one
 * `.ci/slurm-cluster.sh` runs (its slurm.conf is exported to the tests). As root with Slurm
 * installed, the script starts it; the return value says so, so that the caller stops it
 * afterwards. Otherwise it is an error with one line saying how to start one.
 */
export function ensureCluster(): { started: boolean } {
  const conf = path.join(process.env.LTH_SLURM_DIR ?? '/tmp/lth-slurm', 'slurm.conf');
  if (!process.env.SLURM_CONF && fs.existsSync(conf)) process.env.SLURM_CONF = conf;
  const why = nodeUp();
  if (why === null) return { started: false };
  const canStart = process.getuid?.() === 0 && fs.existsSync('/usr/sbin/slurmctld') && fs.existsSync('/usr/sbin/munged');
  if (!canStart) {
    throw new Error(`No Slurm cluster is reachable (${why}): as root, apt-get install slurm-wlm munge, then ${CLUSTER_SCRIPT} start and export SLURM_CONF=${conf}.`);
  }
  execFileSync(CLUSTER_SCRIPT, ['start'], { stdio: ['ignore', 'ignore', 'inherit'] });
  process.env.SLURM_CONF = conf;
  const still = nodeUp();
  if (still !== null) throw new Error(`${CLUSTER_SCRIPT} start left no usable node (${still}); see the logs in ${path.dirname(conf)}.`);
  return { started: true };
}

/** Stops the cluster `ensureCluster` started. */
export function stopCluster(): void {
  execFileSync(CLUSTER_SCRIPT, ['stop'], { stdio: 'ignore' });
}
