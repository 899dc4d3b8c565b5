import * as path from 'node:path';
import { LthError, type JobInvocation } from '@lth/kernel';
import { branchRunnerFor, levelRoot, runnerFor, type LotteryDesc } from '@lth/lottery';
import { trainingComplete } from '@lth/training';

/**
 * One Slurm job of a submission: one lottery level of one replicate, one branch at one level,
 * or one whole job of another workflow.
 */
export interface Unit {
  /** Its results directory relative to the root (`lottery_<md5>/replicate_1/level_2`): the job's name in `lth status`. */
  readonly key: string;
  /** The sweep point it belongs to: its array task id. */
  readonly point: number;
  /** Its place in a chain (the level), so that arrays are submitted after those they wait for. */
  readonly stage: number;
  readonly command: string;
  /** The worker's command line (without `--platform=local`, which the wrapper adds). */
  readonly argv: readonly string[];
  /** The key of the unit it must wait for (`afterok`), if any. */
  readonly after: string | null;
  /** Whether its results are on disk already (results decide, not job records). */
  readonly done: () => boolean;
  /** For a unit outside the submission that another waits for: what to tell the user if it is neither done nor queued. */
  readonly describe: string;
}

/** What a workflow's jobs become on Slurm: units, and the units outside the submission they wait for. */
export interface UnitPlan {
  readonly units: Unit[];
  /** Units the submission's units wait for but does not itself contain (a branch's trunk levels). */
  readonly external: Unit[];
}

function trunkLevelUnit(desc: LotteryDesc, root: string, replicate: number, level: number, point: number, argv: readonly string[]): Unit {
  const loc = levelRoot(desc, root, replicate, level);
  return {
    key: path.relative(root, path.dirname(loc)),
    point,
    stage: level,
    command: 'lottery',
    argv: [...argv, `--level_only=${level}`],
    after: level > 0 ? path.relative(root, path.dirname(levelRoot(desc, root, replicate, level - 1))) : null,
    done: () => trainingComplete(loc, desc.trainEndStep),
    describe: `level ${level} of the trunk ${path.relative(root, path.dirname(loc))}`,
  };
}

function withFlag(argv: readonly string[], name: string, value: string): string[] {
  return [...argv.filter((t) => !(t === `--${name}` || t.startsWith(`--${name}=`))), `--${name}=${value}`];
}

/**
 * The units of one job. `lottery`: one per level, each waiting for the previous level
 * (`--level_only=L`). `lottery_branch`: one per requested level (`--levels=L`), each waiting for
 * that trunk level. Any other workflow: one unit, done when its last Slurm job succeeded.
 * Checks the input first (the lottery's `validate`), so bad input submits nothing.
 */
export function planUnits(inv: JobInvocation, point: number, lastJobDone: (key: string) => boolean): UnitPlan {
  const root = inv.job.platform.root;
  if (inv.command === 'lottery') {
    const runner = runnerFor(inv.job);
    runner.validate();
    const levels = (inv.job.groups.lottery as unknown as { levels: number }).levels;
    const units: Unit[] = [];
    for (let level = 0; level <= levels; level++) units.push(trunkLevelUnit(runner.desc, root, inv.job.args.replicate, level, point, inv.workerArgv));
    return { units, external: [] };
  }
  if (inv.command === 'lottery_branch') {
    const runner = branchRunnerFor(inv.job);
    const { desc, replicate, root: trunkRoot } = runner.trunk;
    const locations = runner.outputLocations();
    const units: Unit[] = [];
    const external: Unit[] = [];
    runner.levels.forEach((level, i) => {
      const trunk = trunkLevelUnit(desc, trunkRoot, replicate, level, point, []);
      external.push(trunk);
      const key = path.relative(trunkRoot, locations[i]);
      units.push({
        key,
        point,
        stage: level,
        command: inv.command,
        argv: withFlag(inv.workerArgv, 'levels', String(level)),
        after: trunk.key,
        done: () => lastJobDone(key),
        describe: `branch ${key}`,
      });
    });
    return { units, external };
  }
  const location = inv.workflow.outputLocations(inv.job)[0];
  if (location === undefined) throw new LthError('SLURM_UNSUPPORTED', `lth ${inv.command} names no results directory, so the Slurm platform cannot track it: run it with --platform=local.`);
  const key = path.relative(root, location);
  return { units: [{ key, point, stage: 0, command: inv.command, argv: inv.workerArgv, after: null, done: () => lastJobDone(key), describe: key }], external: [] };
}
