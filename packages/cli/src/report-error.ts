import { STDOUT, ioError, isLthError, isSystemError } from '@lth/kernel';

/** Where error lines go; `process.stderr` unless a test gives another. */
export type ErrorWriter = (line: string) => void;

function debugging(): boolean {
  const v = process.env.LTH_DEBUG;
  return !!v && v !== '0' && v !== 'false';
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Reports an error the way the CLI does and returns the exit status. An `LthError` (anything a
 * user can cause) is one line, `Error: <message> [CODE]`, with its own exit status and no stack
 * trace; its `details` (a menu, say) come first, as they are, and an empty message with
 * details prints the details alone. An oclif parse error (of the listing commands) is one line
 * too. An oclif exit (`this.exit(n)`) is silent. An error of the operating system (no space,
 * an I/O error, a path too long ...) is turned into its `LthError` by `ioError`, naming the
 * path it has (else standard output, whose writes are the only ones without a path). Anything else is unexpected: its message on
 * one line and a hint, exit status 1, and with `LTH_DEBUG=1` its stack.
 */
export function reportError(e: unknown, write: ErrorWriter = (l) => process.stderr.write(l + '\n')): number {
  if (isSystemError(e)) e = ioError(e, undefined, (e as { path?: string }).path ? undefined : STDOUT);
  if (isLthError(e)) {
    if (e.details) write(e.details.replace(/\n+$/, ''));
    if (!e.details || oneLine(e.message)) write(`Error: ${oneLine(e.message)} [${e.code}]`);
    if (debugging() && e.stack) write(e.stack);
    return e.exitCode || 2;
  }
  const oclif = (e as { oclif?: { exit?: number } } | null)?.oclif;
  if (oclif && typeof oclif.exit === 'number' && (e as Error).message?.startsWith('EEXIT')) return oclif.exit;
  if (oclif) {
    write(`Error: ${(e as Error).message.split('\n')[0].trim()} Run lth <command> --help for its usage.`);
    return typeof oclif.exit === 'number' && oclif.exit !== 0 ? oclif.exit : 2;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  write(`Error: ${oneLine(err.message) || err.name}`);
  if (debugging() && err.stack) write(err.stack);
  else write('(unexpected error: run with LTH_DEBUG=1 to see where it happened)');
  return 1;
}
