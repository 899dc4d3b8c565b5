import * as path from 'node:path';
import { flush, run, settings } from '@oclif/core';
import { KERNEL_VERSION, LthError } from '@lth/kernel';
import { menuEntries } from './command-classes';
import { renderMenu } from './help-text';
import { reportError } from './report-error';
import { closest } from './suggest';

/** The `@lth/cli` package directory: oclif's root. */
const ROOT = path.join(__dirname, '..', '..');

/** The version of `@lth/cli`. */
function version(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(path.join(ROOT, 'package.json')) as { version: string }).version;
}

/**
 * The `lth` binary: opens the session (config and plugins), handles `lth help <command>` and
 * unknown commands (the menu on stderr, exit 1), then lets oclif dispatch. Returns the exit
 * status; every error is reported as one line (see `reportError`).
 */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  try {
    if (argv[0] === '--version' || argv[0] === '-v') {
      process.stdout.write(`lth ${version()} (@lth/kernel ${KERNEL_VERSION}, node ${process.version}, ${process.platform}-${process.arch})\n`);
      return 0;
    }
    settings.enableAutoTranspile = false;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { COMMANDS } = require('./commands') as { COMMANDS: Record<string, unknown> };
    let args = [...argv];
    if (args[0] === 'help') args = [...args.slice(1), '--help'];
    const first = args[0];
    if (first !== undefined && !['--help', '-h'].includes(first) && !(first in COMMANDS)) {
      process.stderr.write(renderMenu(menuEntries()) + '\n');
      const near = first.startsWith('-') ? undefined : closest(first, Object.keys(COMMANDS));
      throw new LthError('UNKNOWN_COMMAND', `Unknown command '${first}'.${near ? ` Did you mean lth ${near}?` : ''}`, 1);
    }
    await run(args, ROOT);
    await flush();
    return 0;
  } catch (e) {
    return reportError(e);
  }
}
