import { commandTable } from './command-classes';
import { openSession, type Session } from './session';

/**
 * The module oclif loads for its command list (`oclif.commands`, explicit strategy). Importing
 * it opens the session: the configuration is found from the working directory and the plugins
 * are loaded, so that there is one command per registered workflow. `main` imports it first,
 * inside its error handling, so a broken configuration or plugin is one clear error line.
 */
export const SESSION: Session = openSession(process.cwd());

/** The command classes by id, as oclif's explicit strategy expects. */
export const COMMANDS = commandTable(SESSION);
