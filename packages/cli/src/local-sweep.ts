import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as readline from 'node:readline';
import type { OutputStream } from './output';
import { LTH_PROGRAM, sweepFailure } from './sweep';

/** One job of a local sweep run in a child process. */
export interface LocalSweepJob {
  readonly argv: readonly string[];
  readonly label: string;
}

/** How `runLocalSweep` runs its jobs. */
export interface LocalSweepOptions {
  /** How many child processes at once. */
  readonly parallel: number;
  /** True when `--num_threads` is on the command line (each child then keeps it). */
  readonly numThreads: boolean;
  readonly stdout: OutputStream;
  readonly quiet: boolean;
}

/**
 * Runs a local sweep with `--jobs=N`: each job is `lth <command> <argv>` in a child process, N at
 * a time, each line of its output prefixed with its sweep label. Unless `--num_threads` or
 * `LTH_NATIVE_THREADS` says otherwise, each child's native backend gets an equal share of the
 * cores. All jobs run even when some fail; then one `SWEEP_FAILED` error names the failures.
 */
export async function runLocalSweep(command: string, jobs: readonly LocalSweepJob[], options: LocalSweepOptions): Promise<void> {
  const env = { ...process.env };
  if (!options.numThreads && !env.LTH_NATIVE_THREADS) env.LTH_NATIVE_THREADS = String(Math.max(1, Math.floor(os.availableParallelism() / options.parallel)));
  const failed: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++];
      const code = await runChild(command, job, env, options);
      if (code !== 0) failed.push(`${job.label} (exit ${code})`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.parallel, jobs.length) }, worker));
  if (failed.length) throw sweepFailure(failed, jobs.length);
}

function runChild(command: string, job: LocalSweepJob, env: NodeJS.ProcessEnv, options: LocalSweepOptions): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(LTH_PROGRAM[0], [...LTH_PROGRAM.slice(1), command, ...job.argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const prefix = `[${job.label}] `;
    if (!options.quiet) options.stdout.write(`${prefix}started\n`);
    readline.createInterface({ input: child.stdout }).on('line', (l) => options.stdout.write(prefix + l + '\n'));
    readline.createInterface({ input: child.stderr }).on('line', (l) => process.stderr.write(prefix + l + '\n'));
    child.on('error', () => resolve(127));
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
