import { staticCommands, type CommandTable } from './command-classes';

/**
 * The module oclif loads for its command list (`oclif.commands`, explicit strategy): lth's
 * built-in commands (`plugins`, `models`, `datasets`, `help`). The `init` hook opens the
 * session and adds one command per registered workflow to this table.
 */
export const COMMANDS: CommandTable = staticCommands();
