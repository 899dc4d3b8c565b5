import type { Config, Hook } from '@oclif/core';
import { COMMANDS } from '../commands';
import { commandTable } from '../command-classes';
import { useSession } from '../context';
import { withExitStatus } from './exit-status';

/**
 * oclif's `init` hook: opens the session (the configuration found from the working directory,
 * the plugins it loads) and gives oclif one command per registered workflow, before oclif
 * looks the command up. The command table (`COMMANDS`, oclif's explicit strategy) holds the
 * built-in commands until then; the root plugin is reloaded so oclif sees the workflows too.
 */
const init: Hook<'init'> = async function (options) {
  try {
    const table = commandTable(useSession());
    const missing = Object.keys(table).filter((id) => !options.config.findCommand(id));
    Object.assign(COMMANDS, table);
    if (!missing.length) return;
    const config = options.config as Config;
    await config.plugins.get(config.pjson.name)?.load();
    await config.loadPluginsAndCommands();
  } catch (e) {
    throw withExitStatus(e);
  }
};

export default init;
