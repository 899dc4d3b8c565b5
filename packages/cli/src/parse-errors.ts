import { isLthError, LthError } from '@lth/kernel';
import type { InvocationPlan } from './invocation';
import { closest } from './suggest';

/** oclif's error text without colours. */
function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

function unknownFlag(token: string, plan: InvocationPlan): LthError {
  const helpHint = `Run lth ${plan.command} --help to see its flags.`;
  const name = token.split('=')[0];
  if (!name.startsWith('--')) return new LthError('UNKNOWN_FLAG', `Unknown flag ${name}: lth flags are long (--name=value). ${helpHint}`);
  const near = closest(name.slice(2), plan.specs.map((s) => s.name));
  return new LthError('UNKNOWN_FLAG', `Unknown flag ${name}.${near ? ` Did you mean --${near}?` : ` ${helpHint}`}`);
}

function unexpectedArgument(word: string, plan: InvocationPlan): LthError {
  const declared = plan.positionals ?? [];
  const takes = declared.length ? `takes ${declared.map((p) => `<${p.name}>`).join(' ')}` : 'takes no positional arguments (flags are --name=value)';
  return new LthError('UNEXPECTED_ARGUMENT', `Unexpected argument '${word}': lth ${plan.command} ${takes}.`);
}

/**
 * The `LthError` for an error of the one strict parse of a workflow command line. An `LthError`
 * thrown by a flag's parse (a bad value, a bad sweep) comes back with the text oclif wraps it in
 * (`Parsing --lr \n\t<message>\nSee more help with --help`) taken off again. oclif's own errors
 * become lth's: an unknown flag with the closest name (`UNKNOWN_FLAG`), an argument the command
 * does not take (`UNEXPECTED_ARGUMENT`), a flag without its value, given twice, outside its
 * options, or against `exclusive`/`dependsOn` (`BAD_FLAG`).
 */
export function lthParseError(e: unknown, plan: InvocationPlan): unknown {
  if (isLthError(e)) {
    e.message = e.message.replace(/^Parsing --\S+ \n\t/, '').replace(/\nSee more help with --help$/, '');
    return e;
  }
  if (!(e instanceof Error)) return e;
  const err = e as Error & { flags?: string[]; args?: string[] };
  const message = plain(err.message).split('\nSee more help')[0];
  if (Array.isArray(err.flags) && err.flags.length) return unknownFlag(err.flags[0], plan);
  if (Array.isArray(err.args) && err.args.length) return unexpectedArgument(err.args[0], plan);
  let m = /^Flag --(\S+) expects (a value|one of these values)/.exec(message);
  if (m) {
    const kind = [...plan.specs, ...plan.conditionalSpecs].find((s) => s.name === m![1])?.kind ?? 'value';
    return new LthError('BAD_FLAG', `--${m[1]} needs a value: --${m[1]}=<${kind}>.`);
  }
  m = /^Flag --(\S+) can only be specified once/.exec(message);
  if (m) return new LthError('BAD_FLAG', `--${m[1]} can only be specified once.`);
  m = /^Expected --(\S+?)=(.*) to be one of: (.*)$/.exec(message);
  if (m) return new LthError('BAD_HPARAM', `--${m[1]}='${m[2]}' is not one of: ${m[3]}.`);
  m = /All of the following must be provided when using --(\S+): (.*)$/m.exec(message);
  if (m) return new LthError('BAD_FLAG', `--${m[1]} needs ${m[2].split(', ').join(' and ')}: give ${m[2].includes(',') ? 'them' : 'it'} too, or leave --${m[1]} out.`);
  m = /--(\S+?)(=\S*)? cannot also be provided when using --(\S+)$/m.exec(message);
  if (m) return new LthError('BAD_FLAG', `--${m[3]} and --${m[1]} cannot be given together.`);
  const reasons = message.split('\n').map((l) => l.trim()).filter((l) => l && !/^The following errors? occurred:$/.test(l));
  return new LthError('BAD_FLAG', `${reasons.join(' ') || message}`);
}
