import type { Job, LthConfig } from '@lth/kernel';
import { parseInvocation, planInvocation } from './invocation';
import { ConsoleOutput, type OutputStream } from './output';

/**
 * Runs workflow `command` with `argv` (everything after the command name): plans and parses the
 * flags, builds the job and its platform, then either prints `workflow.outputLocations(job)`
 * one per line (`--display_output_location`, with no backend set up) or sets up the platform's
 * backend (unless the workflow says it needs none) and runs the workflow.
 */
export async function runWorkflow(command: string, argv: readonly string[], config: LthConfig, stdout: OutputStream = process.stdout): Promise<void> {
  const plan = planInvocation(command, argv, config);
  const parsed = await parseInvocation(plan);
  const platform = plan.platformFactory.create(parsed.platformHparams, { ...(config.platform ?? {}), name: plan.platformName });
  const out = new ConsoleOutput(parsed.args.quiet, stdout);
  const job: Job = { groups: parsed.groups, args: parsed.args, platform, positionals: parsed.positionals, out };
  if (parsed.displayOutputLocation) {
    for (const location of plan.workflow.outputLocations(job)) stdout.write(location + '\n');
    return;
  }
  if (plan.workflow.needsBackend !== false) await platform.setup((line) => out.line(line));
  await plan.workflow.run(job);
}
