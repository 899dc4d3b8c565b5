/**
 * Runs a small lottery experiment in its own process, for the kill-and-resume test:
 * `node run-lottery.js <root> <levels>`. Every output line goes to stdout as it is written.
 */
import { RecordingOutput, useCpuBackend } from '@lth/testing';
import { resumeTestDesc, toyRunner } from '../helpers';

async function main(): Promise<void> {
  const [root, levels] = process.argv.slice(2);
  await useCpuBackend();
  const desc = resumeTestDesc();
  const out = new RecordingOutput((l) => process.stdout.write(l + '\n'));
  await toyRunner(root, desc, Number(levels), out).runner.run();
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
