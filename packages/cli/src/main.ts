import * as path from 'node:path';
import { flush, run, settings } from '@oclif/core';
import { KERNEL_VERSION, LthError, STDOUT, ioError, registry } from '@lth/kernel';
import { menuEntries } from './command-classes';
import { renderMenu } from './help-text';
import type { OutputStream } from './output';
import { reportError, type ErrorWriter } from './report-error';
import { runWorkflow } from './run-workflow';
import type { Session } from './session';
import { closest } from './suggest';

/** The `@lth/cli` package directory: oclif's root. */
const ROOT = path.join(__dirname, '..', '..');

/** The version of `@lth/cli`. */
function version(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(path.join(ROOT, 'package.json')) as { version: string }).version;
}

/**
 * Where `main` writes: stdout and error lines (`process.stdout` and `process.stderr` unless a
 * test or an embedder gives others). `main` never exits the process: it returns the status.
 */
export interface MainIO {
  readonly stdout?: OutputStream;
  readonly stderr?: ErrorWriter;
}

/**
 * The `lth` binary: opens the session (config and plugins), handles `lth help <command>` and
 * unknown commands (the menu on stderr, exit 1), runs a workflow command (`train`, `lottery`
 * ...) itself with `io`'s streams, and lets oclif dispatch the rest (help, listings). Returns
 * the exit status; every error is reported as one line (see `reportError`). Called in-process
 * with `io`, it is the binary without a new process (the CLI fuzz test runs it so). A write
 * error of the process's stdout is one line too, and SIGXFSZ is ignored, so a file over
 * `ulimit -f` is an `EFBIG` error naming it rather than a core dump.
 */
export async function main(argv: readonly string[] = process.argv.slice(2), io: MainIO = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr: ErrorWriter = io.stderr ?? ((line) => process.stderr.write(line + '\n'));
  if (!processHandlers) {
    processHandlers = true;
    process.stdout.prependListener('error', outputFailed);
    process.on('SIGXFSZ', () => undefined);
  }
  try {
    if (argv[0] === '--version' || argv[0] === '-v') {
      stdout.write(`lth ${version()} (@lth/kernel ${KERNEL_VERSION}, node ${process.version}, ${process.platform}-${process.arch})\n`);
      return 0;
    }
    settings.enableAutoTranspile = false;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { COMMANDS, SESSION } = require('./commands') as { COMMANDS: Record<string, unknown>; SESSION: Session };
    let args = [...argv];
    if (args[0] === 'help') args = [...args.slice(1), '--help'];
    const first = args[0];
    if (first !== undefined && !['--help', '-h'].includes(first) && !(first in COMMANDS)) {
      stderr(renderMenu(menuEntries()));
      const near = first.startsWith('-') ? undefined : closest(first, Object.keys(COMMANDS));
      throw new LthError('UNKNOWN_COMMAND', `Unknown command '${first}'.${near ? ` Did you mean lth ${near}?` : ''}`);
    }
    const help = args.some((a) => a === '--help' || a === '-h');
    if (first !== undefined && registry.find('workflow', first) && !help) {
      await runWorkflow(first, args.slice(1), SESSION.config.config, stdout);
      return 0;
    }
    await run(args, ROOT);
    await flush();
    return 0;
  } catch (e) {
    return reportError(e, stderr);
  }
}

let processHandlers = false;

/**
 * An asynchronous write error of stdout (a pipe or socket): the reader went away (EPIPE: exit
 * quietly with 141, as a shell tool killed by SIGPIPE) or the write failed (one line, exit 2).
 */
function outputFailed(e: NodeJS.ErrnoException): void {
  if (e.code === 'EPIPE') process.exit(141);
  process.exit(reportError(ioError(e, 'write to', STDOUT)));
}
