import { Args, Command, loadHelpClass } from '@oclif/core';
import { LthError, type Registry } from '@lth/kernel';
import { commandStdout, currentSession } from './context';
import type { MenuEntry } from './help-text';
import { renderDatasets, renderModels, renderPlugins } from './listings';
import { runWorkflow } from './run-workflow';
import type { Session } from './session';

/** The oclif command classes of one session, by command id. */
export type CommandTable = Record<string, Command.Class>;

/** A command that is not a workflow: its usage after `lth` and its one-line description. */
export interface StaticCommandInfo {
  readonly usage: string;
  readonly description: string;
}

/** The commands lth has besides the workflows. */
export const STATIC_COMMANDS: Readonly<Record<string, StaticCommandInfo>> = {
  plugins: { usage: 'plugins', description: 'List the loaded plugins and what each contributes.' },
  models: { usage: 'models [pattern]', description: "List the model families; a pattern filters them ('cifar_*', or a model name)." },
  datasets: { usage: 'datasets [pattern]', description: "List the datasets; a pattern filters them ('*mnist')." },
};

/**
 * The oclif command of one workflow. Its flags depend on the plugins and on the selectors of
 * the command line, so the class oclif registers declares none: `run` builds the flags of this
 * command line (`planInvocation`: typed oclif flags from the workflow's groups) and parses it
 * with them in one `this.parse`, then runs the workflow's jobs (`runWorkflow`).
 */
export function workflowCommand(name: string, description: string, session: Session): Command.Class {
  return class WorkflowCommand extends Command {
    static override id = name;
    static override summary = description;
    static override description = description;
    static override strict = false;

    async run(): Promise<void> {
      await runWorkflow(name, this.argv, session, commandStdout(), (argv, input) => this.parse(input, argv));
    }
  };
}

/** `lth help [command] [flags]`: the same help as `lth [command] [flags] --help`, from lth's help class. */
class HelpCommand extends Command {
  static override summary = 'Show the commands, or the flags of one.';
  static override strict = false;

  async run(): Promise<void> {
    const Help = await loadHelpClass(this.config);
    await new Help(this.config).showHelp(this.argv);
  }
}

function pluginsCommand(info: StaticCommandInfo): Command.Class {
  return class PluginsCommand extends Command {
    static override summary = info.description;
    static override description = info.description;

    async run(): Promise<void> {
      await this.parse(PluginsCommand);
      this.log(renderPlugins(currentSession()));
    }
  };
}

function listingCommand(info: StaticCommandInfo, render: (pattern?: string) => string): Command.Class {
  return class ListingCommand extends Command {
    static override summary = info.description;
    static override description = info.description;
    static override args = { pattern: Args.string({ description: 'A name, or a pattern with * and ? wildcards.' }) };

    async run(): Promise<void> {
      const { args } = await this.parse(ListingCommand);
      this.log(render(args.pattern));
    }
  };
}

/** The commands that do not depend on the plugins: the listings and `help`. */
export function staticCommands(): CommandTable {
  return {
    plugins: pluginsCommand(STATIC_COMMANDS.plugins),
    models: listingCommand(STATIC_COMMANDS.models, (pattern) => renderModels(currentSession().registry, pattern)),
    datasets: listingCommand(STATIC_COMMANDS.datasets, (pattern) => renderDatasets(currentSession().registry, pattern)),
    help: HelpCommand,
  };
}

/** The command of every registered workflow, by name; a workflow named like a built-in command is an error. */
export function commandTable(session: Session): CommandTable {
  const table: CommandTable = {};
  for (const w of session.registry.list('workflow')) {
    if (w.name in STATIC_COMMANDS || w.name === 'help') {
      throw new LthError('DUPLICATE_NAME', `Workflow '${w.name}' (from ${w.plugin}) has the name of a built-in lth command; rename the workflow.`);
    }
    table[w.name] = workflowCommand(w.name, w.description, session);
  }
  return table;
}

/** The command menu: the workflows of `registry` in registration order, then the listing commands. */
export function menuEntries(registry: Registry): MenuEntry[] {
  return [
    ...registry.list('workflow').map((w) => ({ usage: `${w.name} [...]`, description: w.description })),
    ...Object.values(STATIC_COMMANDS),
  ];
}
