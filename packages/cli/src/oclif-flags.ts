import { Args, Flags, type Interfaces } from '@oclif/core';
import { LthError, parseFieldValue, type PositionalSpec } from '@lth/kernel';
import { groupTitle, type FlagSpec } from './flag-specs';
import { sweepValues } from './sweep-values';

/** One value a flag takes: as written (`0.05`) and typed (`0.05`, a number). */
export interface FlagPoint {
  readonly text: string;
  readonly value: unknown;
}

/**
 * The parsed value of a value flag: what was written, and its sweep points, each parsed with the
 * field's type (one point unless the value is a sweep: `--lr=0.1,0.05`, `--replicate=1-4`).
 */
export interface SweptValue {
  readonly text: string;
  readonly points: readonly FlagPoint[];
}

/** The oclif flags and args of one workflow command line, parsed with one `this.parse`. */
export type CommandInput = Interfaces.Input<Record<string, unknown>, Record<string, unknown>, Record<string, unknown>>;

/** The parser of a value flag: the sweep points of its value, each a typed value of its field. */
function sweepParser(s: FlagSpec): (input: string) => Promise<SweptValue> {
  return async (input) => {
    if (input === '' && s.default !== '') throw new LthError('BAD_FLAG', `--${s.name}= is empty: give it a value (--${s.name}=<${s.kind}>) or leave it out.`);
    const points = sweepValues(s, input).map((text) => ({ text, value: parseFieldValue(s.field, text, `--${s.name}`) }));
    return { text: input, points };
  };
}

/** `--<prefix_>other` for a field `other` of the same group as `s`. */
function sibling(s: FlagSpec, other: string): string {
  return s.name.slice(0, s.name.length - s.field.name.length) + other;
}

/**
 * A str flag with choices: oclif's own `options`, a comma list split by oclif (`multiple` with
 * `delimiter: ','`, one value per occurrence) and each item checked against the options after
 * the field's parse, so `--model_init=kaiming_normal,orthogonal` is a sweep of two.
 */
function choiceFlag(s: FlagSpec, common: object): Interfaces.Flag<unknown> {
  const hasDefault = s.default !== undefined && s.default !== null;
  return Flags.string({
    ...common,
    options: [...s.field.choices!],
    multiple: true,
    multipleNonGreedy: true,
    delimiter: ',',
    parse: async (input: string) => {
      if (input === '' && s.default !== '') throw new LthError('BAD_FLAG', `--${s.name}= is empty: give it a value (--${s.name}=<${s.kind}>) or leave it out.`);
      return input;
    },
    ...(hasDefault ? { default: [String(s.default)] } : {}),
  }) as Interfaces.Flag<unknown>;
}

/**
 * The typed oclif flag of one field: `Flags.boolean` for a switch; for an int, float or str a
 * `Flags.custom` option flag whose parse reads the value's sweep points with the field's type
 * (an int flag's `'1-4'` is four integers, a float flag's `'x'` is the field's `BAD_HPARAM`
 * error); a str flag with choices is `Flags.string` with oclif's `options` (`choiceFlag`). Its
 * `description` is the field's help, its `helpGroup` the group's title, its `default` the
 * group's (or field's) default, `hidden` as the field, `exclusive` from the field and
 * `dependsOn` from the group.
 */
export function oclifFlag(s: FlagSpec): Interfaces.Flag<unknown> {
  const common = {
    description: s.field.help || undefined,
    helpGroup: groupTitle(s.group),
    hidden: !!s.field.hidden,
    ...(s.group.dependsOn?.length ? { dependsOn: [...s.group.dependsOn] } : {}),
    ...(s.field.exclusive?.length ? { exclusive: s.field.exclusive.map((f) => sibling(s, f)) } : {}),
  };
  if (s.kind === 'bool') return Flags.boolean(common) as Interfaces.Flag<unknown>;
  if (s.kind === 'str' && s.field.choices?.length && !s.field.list) return choiceFlag(s, common);
  const hasDefault = s.default !== undefined && s.default !== null;
  return Flags.custom<SweptValue>({
    ...common,
    parse: sweepParser(s),
    ...(hasDefault ? { default: { text: String(s.default), points: [{ text: String(s.default), value: s.default }] } } : {}),
  })() as Interfaces.Flag<unknown>;
}

/** A parsed flag value as sweep points: a `SweptValue`, a choice flag's items, or a switch. */
export function sweptValue(value: unknown): SweptValue {
  if (Array.isArray(value)) return { text: value.join(','), points: value.map((v: string) => ({ text: v, value: v })) };
  if (typeof value === 'boolean') return { text: '', points: [{ text: '', value }] };
  return value as SweptValue;
}

/**
 * The oclif input of one command line: a typed flag per flag spec, an optional string arg per
 * positional the workflow declares, strict (an unknown flag or an extra argument is an error).
 */
export function commandInput(specs: readonly FlagSpec[], positionals: readonly PositionalSpec[]): CommandInput {
  const flags: Interfaces.FlagInput = {};
  for (const s of specs) flags[s.name] = oclifFlag(s) as Interfaces.FlagInput[string];
  const args: Interfaces.ArgInput = {};
  for (const p of positionals) args[p.name] = Args.string({ description: p.description });
  return { flags, args, strict: true, '--': true } as CommandInput;
}
