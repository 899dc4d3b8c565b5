import { type Job, type JobInvocation, type LthSession, type Platform } from '@lth/kernel';
import { parseCommandLine, type ParseFn, type ParsedJob } from './invocation';
import { ConsoleOutput, type OutputStream } from './output';
import { runLocalSweep } from './local-sweep';
import { LTH_PROGRAM, withoutFlags } from './sweep';

/** One sweep point, parsed, with its platform and job. */
interface PreparedJob {
  readonly parsed: ParsedJob;
  readonly platform: Platform;
  readonly job: Job;
}

function prepare(parsed: ParsedJob, session: LthSession, stdout: OutputStream): PreparedJob {
  const config = session.config.config;
  const platform = parsed.plan.platformFactory.create(parsed.platformHparams, { ...(config.platform ?? {}), name: parsed.plan.platformName });
  const out = new ConsoleOutput(parsed.args.quiet, stdout);
  const job: Job = { groups: parsed.groups, args: parsed.args, platform, positionals: parsed.positionals, out, registry: session.registry, container: session.jobContainer({ platform, out }) };
  return { parsed, platform, job };
}

/** The command line a worker runs for one job: no platform choice, sweep or display flags, nor the platform's own flags. */
function workerArgv(p: PreparedJob): string[] {
  const plan = p.parsed.plan;
  const platformFlags = plan.specs.filter((s) => s.group === plan.commonGroups[2]).map((s) => s.name);
  return withoutFlags(p.parsed.argv, new Set(['platform', 'jobs', 'display_output_location', ...platformFlags]));
}

/**
 * Runs workflow `command` with `argv` (everything after the command name). The command line is
 * parsed once (`parse`: the command's `this.parse`) with the typed flags its selectors call for,
 * and expanded into its sweep points (`--replicate=1-4`, `--lr=0.1,0.05`; one point when
 * nothing is swept); every point is built and checked before anything runs. Then: with
 * `--display_output_location`, every point's `workflow.outputLocations(job)`, one per line, with
 * no backend set up; on a platform that submits (`Platform.submit`, e.g. Slurm), every job
 * handed to it; otherwise each point's backend set up and its workflow run, one after another,
 * or with `--jobs=N` as N child processes at a time.
 */
export async function runWorkflow(command: string, argv: readonly string[], session: LthSession, stdout: OutputStream = process.stdout, parse?: ParseFn): Promise<void> {
  const jobs = (await parseCommandLine(command, argv, session, parse)).map((p) => prepare(p, session, stdout));
  const first = jobs[0];
  const workflow = first.parsed.plan.workflow;
  if (first.parsed.displayOutputLocation) {
    for (const j of jobs) for (const location of j.parsed.plan.workflow.outputLocations(j.job)) stdout.write(location + '\n');
    return;
  }
  if (first.platform.submit && workflow.needsBackend !== false) {
    const invocations: JobInvocation[] = jobs.map((j) => ({ command, workflow: j.parsed.plan.workflow, job: j.job, workerArgv: workerArgv(j), label: j.parsed.label }));
    await first.platform.submit(invocations, { lth: LTH_PROGRAM, cwd: process.cwd(), out: first.job.out });
    return;
  }
  if (jobs.length === 1) {
    if (workflow.needsBackend !== false) await first.platform.setup((line) => first.job.out.line(line));
    await workflow.run(first.job);
    return;
  }
  const parallel = first.parsed.jobs ?? 1;
  if (parallel > 1) {
    const numThreads = first.parsed.plan.scan.flags.some((f) => f.name === 'num_threads');
    await runLocalSweep(command, jobs.map((j) => ({ argv: withoutFlags(j.parsed.argv, new Set(['jobs'])), label: j.parsed.label })), { parallel, numThreads, stdout, quiet: first.parsed.args.quiet });
    return;
  }
  for (const [i, j] of jobs.entries()) {
    j.job.out.line(`Sweep job ${i + 1} of ${jobs.length}: ${j.parsed.label}`);
    if (j.parsed.plan.workflow.needsBackend !== false) await j.platform.setup(i === 0 ? (line) => j.job.out.line(line) : () => undefined);
    await j.parsed.plan.workflow.run(j.job);
  }
}
