import type { Hook } from '@oclif/core';
import { LthError } from '@lth/kernel';
import { COMMANDS } from '../commands';
import { menuEntries } from '../command-classes';
import { useSession } from '../context';
import { renderMenu } from '../help-text';
import { closest } from '../suggest';
import { withExitStatus } from './exit-status';

/**
 * oclif's `command_not_found` hook: an unknown command is the command menu and one line naming
 * the closest command (`Unknown command 'trian'. Did you mean lth train?`), exit status 1.
 */
const commandNotFound: Hook<'command_not_found'> = async function ({ id }) {
  const near = id.startsWith('-') ? undefined : closest(id, Object.keys(COMMANDS).filter((c) => c !== 'help'));
  throw withExitStatus(new LthError('UNKNOWN_COMMAND', `Unknown command '${id}'.${near ? ` Did you mean lth ${near}?` : ''}`, renderMenu(menuEntries(useSession().registry))));
};

export default commandNotFound;
