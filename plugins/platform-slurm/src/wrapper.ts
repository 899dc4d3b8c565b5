import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { logFile, recordDir, writeStatus, type JobStatus } from './records';

/** One array's task table, `<root>/.slurm/submissions/<id>.json`: what each task runs. */
export interface TaskTable {
  readonly root: string;
  readonly cwd: string;
  /** `[node, .../bin/run.js]`. */
  readonly lth: readonly string[];
  /** By array task id. */
  readonly tasks: Readonly<Record<string, { readonly key: string; readonly command: string; readonly argv: readonly string[] }>>;
}

/**
 * The job wrapper: what every Slurm job runs (`node wrapper.js <task table>`). It finds its task
 * by `SLURM_ARRAY_TASK_ID`, writes `status.json` (running, on which node), runs
 * `lth <command> <argv> --platform=local` with the results root in `LTH_ROOT` and, when Slurm
 * gave the job CPUs, as many native threads (`LTH_NATIVE_THREADS=$SLURM_CPUS_PER_TASK`), its
 * output appended to the job's `log`; then writes the end (done, failed with the exit code, or
 * cancelled when Slurm signalled it) and exits with lth's status, so that `afterok` holds only
 * after success. No sacct is needed to know how a job ended.
 */
export async function runWrapper(tableFile: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const table = JSON.parse(fs.readFileSync(tableFile, 'utf8')) as TaskTable;
  const taskId = env.SLURM_ARRAY_TASK_ID ?? '0';
  const task = table.tasks[taskId];
  if (!task) {
    process.stderr.write(`lth job wrapper: task ${taskId} is not in ${tableFile}\n`);
    return 2;
  }
  const jobId = env.SLURM_ARRAY_JOB_ID ? `${env.SLURM_ARRAY_JOB_ID}_${taskId}` : (env.SLURM_JOB_ID ?? 'local');
  const started: JobStatus = { jobId, state: 'running', node: env.SLURMD_NODENAME ?? 'unknown', started: new Date().toISOString() };
  writeStatus(table.root, task.key, started);
  fs.mkdirSync(recordDir(table.root, task.key), { recursive: true });
  const log = fs.openSync(logFile(table.root, task.key), 'a');
  fs.writeSync(log, `==> job ${jobId} on ${started.node} at ${started.started}: lth ${task.command} ${task.argv.join(' ')}\n`);
  const childEnv: NodeJS.ProcessEnv = { ...env, LTH_ROOT: table.root };
  if (env.SLURM_CPUS_PER_TASK && !env.LTH_NATIVE_THREADS) childEnv.LTH_NATIVE_THREADS = env.SLURM_CPUS_PER_TASK;
  const child = spawn(table.lth[0], [...table.lth.slice(1), task.command, ...task.argv, '--platform=local'], { cwd: table.cwd, env: childEnv, stdio: ['ignore', log, log] });
  let signalled = false;
  const forward = (sig: NodeJS.Signals) => () => {
    signalled = true;
    child.kill(sig);
  };
  process.on('SIGTERM', forward('SIGTERM'));
  process.on('SIGINT', forward('SIGINT'));
  const code = await new Promise<number>((resolve) => {
    child.on('error', () => resolve(127));
    child.on('close', (c, sig) => resolve(c ?? (sig ? 128 + (sig === 'SIGKILL' ? 9 : 15) : 1)));
  });
  const state: JobStatus['state'] = code === 0 ? 'done' : signalled ? 'cancelled' : 'failed';
  const ended = new Date().toISOString();
  fs.writeSync(log, `==> job ${jobId} ${state} (exit ${code}) at ${ended}\n`);
  fs.closeSync(log);
  writeStatus(table.root, task.key, { ...started, state, ended, exitCode: code });
  return code;
}

if (require.main === module) {
  runWrapper(process.argv[2]).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`lth job wrapper: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
