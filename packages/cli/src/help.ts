import { Help } from '@oclif/core';
import { LthError } from '@lth/kernel';
import { menuEntries, STATIC_COMMANDS } from './command-classes';
import { bannerTop, renderMenu, renderWorkflowHelp, RULE_WIDTH } from './help-text';
import { COMMANDS } from './commands';
import { currentSession } from './context';
import { planInvocation } from './invocation';

/** The width help text wraps to: the terminal's, else 100 columns. */
function helpWidth(): number {
  return process.stdout.isTTY && process.stdout.columns ? Math.max(60, process.stdout.columns) : 100;
}

/**
 * lth's help (`oclif.helpClass`, also behind `lth help ...`): `lth` alone or `lth --help` prints the command menu;
 * `lth <workflow> [flags] --help` renders the workflow's flags from the same groups the command
 * parses, with the selectors on the line applied (so `--default_hparams` fills in defaults and
 * `--pretrain` or `--pruning_strategy` add their groups).
 */
export default class LthHelp extends Help {
  override async showHelp(argv: string[]): Promise<void> {
    const rest = argv.filter((a) => a !== '--help' && a !== '-h');
    const at = rest.findIndex((a) => !a.startsWith('-'));
    if (at < 0) {
      this.log(renderMenu(menuEntries(currentSession().registry)));
      return;
    }
    const id = rest[at];
    if (!(id in COMMANDS) || id === 'help') throw new LthError('UNKNOWN_COMMAND', `Unknown command '${id}'. Run lth to see the commands.`);
    const info = STATIC_COMMANDS[id];
    if (info) {
      this.log([...bannerTop(), `lth ${info.usage} => ${info.description}`, '='.repeat(RULE_WIDTH), '', `Usage: lth ${info.usage}`].join('\n'));
      return;
    }
    const plan = planInvocation(id, [...rest.slice(0, at), ...rest.slice(at + 1)], currentSession());
    this.log(renderWorkflowHelp(plan, helpWidth()));
  }
}
