import * as path from 'node:path';
import { flush, run, settings } from '@oclif/core';
import { KERNEL_VERSION, STDOUT, ioError } from '@lth/kernel';
import { setCommandStdout } from './context';
import type { OutputStream } from './output';
import { reportError, type ErrorWriter } from './report-error';

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
 * The `lth` binary: hands the command line to oclif (`run`), whose `init` hook opens the
 * session (config and plugins) and adds the workflow commands; oclif then shows help
 * (`--help`, `lth help <command>`, `lth` alone), runs the command (a workflow parses its line
 * once, with typed flags, and writes to `io.stdout`), or runs the `command_not_found` hook
 * (the menu on stderr, exit 1). Returns the exit status; every error is reported as one line
 * (see `reportError`). Called in-process with `io`, it is the binary without a new process (the
 * CLI fuzz test runs it so). A write error of the process's stdout is one line too, and SIGXFSZ
 * is ignored, so a file over `ulimit -f` is an `EFBIG` error naming it rather than a core dump.
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
    setCommandStdout(io.stdout);
    await run([...argv], ROOT);
    await flush();
    return 0;
  } catch (e) {
    return reportError(e, stderr);
  } finally {
    setCommandStdout(undefined);
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
