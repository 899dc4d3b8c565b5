import * as path from 'node:path';
import { flush, run, settings } from '@oclif/core';
import { LthError } from '@lth/kernel';
import { menuEntries } from './command-classes';
import { renderMenu } from './help-text';
import { reportError } from './report-error';
import { closest } from './suggest';

/** The `@lth/cli` package directory: oclif's root. */
const ROOT = path.join(__dirname, '..', '..');

/**
 * The `lth` binary: opens the session (config and plugins), handles `lth help <command>` and
 * unknown commands (the menu on stderr, exit 1), then lets oclif dispatch. Returns the exit
 * status; every error is reported as one line (see `reportError`).
 */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  try {
    settings.enableAutoTranspile = false;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { COMMANDS } = require('./commands') as { COMMANDS: Record<string, unknown> };
    let args = [...argv];
    if (args[0] === 'help') args = [...args.slice(1), '--help'];
    const first = args[0];
    if (first !== undefined && !['--help', '-h', '--version'].includes(first) && !(first in COMMANDS)) {
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
