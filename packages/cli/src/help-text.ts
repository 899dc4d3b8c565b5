import { pyFloatRepr, type FlagGroup } from '@lth/kernel';
import { groupDescription, groupTitle, type FlagSpec } from './flag-specs';
import type { InvocationPlan } from './invocation';

/** The width of the banner rules, as OpenLTH's. */
export const RULE_WIDTH = 82;
/** The title line of the banner. */
export const TITLE = 'lth: A Framework for Research on Lottery Tickets and Beyond';

/** One entry of the command menu. */
export interface MenuEntry {
  /** What follows `lth`: `train [...]`, `models [pattern]`. */
  readonly usage: string;
  readonly description: string;
}

/** OpenLTH's welcome banner top: `=` rule, title, `-` rule. */
export function bannerTop(): string[] {
  return ['='.repeat(RULE_WIDTH), TITLE, '-'.repeat(RULE_WIDTH)];
}

/** The command menu `lth` prints alone (and, on stderr, for an unknown command). */
export function renderMenu(entries: readonly MenuEntry[]): string {
  return [
    ...bannerTop(),
    'Choose a command to run:',
    ...entries.map((e) => `    * lth ${e.usage} => ${e.description}`),
    '='.repeat(RULE_WIDTH),
    'Run lth <command> --help to see its flags.',
  ].join('\n');
}

/** Python's `str()` of a default, as argparse prints `%(default)s`. */
function pyStr(s: FlagSpec, v: unknown): string {
  if (s.kind === 'float' && typeof v === 'number') return pyFloatRepr(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

/**
 * The help prefix OpenLTH puts before a flag's help (spec §1.2): `(optional)` for a switch,
 * `(required: int)` with no default, `(default: 128)` for a truthy default, and
 * `(optional: float)` otherwise (falsy defaults such as 0 included).
 */
export function helpPrefix(s: FlagSpec): string {
  if (s.kind === 'bool') return '(optional)';
  if (s.required) return `(required: ${s.kind})`;
  const v = s.default;
  const truthy = v !== null && v !== undefined && v !== '' && v !== 0 && v !== false;
  return truthy ? `(default: ${pyStr(s, v)})` : `(optional: ${s.kind})`;
}

/** The flag as the help lists it: `--batch_size <int>`, or `--quiet` for a switch. */
export function flagLabel(s: FlagSpec): string {
  return s.kind === 'bool' ? `--${s.name}` : `--${s.name} <${s.kind}>`;
}

/** The help text after the prefix, with the choices when the text does not already list them. */
function helpBody(s: FlagSpec): string {
  const help = s.field.help.trim();
  const choices = s.field.choices;
  if (!choices || choices.every((c) => help.includes(c))) return help;
  return `${help}${help && !/[.:]$/.test(help) ? '.' : ''} Choices: ${choices.join(', ')}.`.trim();
}

/** Greedy word wrap; `atoms` are kept whole (they may contain spaces). */
function wrap(atoms: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const a of atoms) {
    if (cur && cur.length + 1 + a.length > width) {
      lines.push(cur);
      cur = a;
    } else {
      cur = cur ? `${cur} ${a}` : a;
    }
  }
  if (cur) lines.push(cur);
  return lines;
}

/** `argparse`-style lines for one flag: the label, then its help in a column (or below it, for long labels). */
function flagLines(s: FlagSpec, width: number): string[] {
  const indent = 2;
  const column = 34;
  const label = ' '.repeat(indent) + flagLabel(s);
  const atoms = [helpPrefix(s), ...helpBody(s).split(/\s+/).filter(Boolean)];
  const body = wrap(atoms, Math.max(20, width - column));
  const pad = ' '.repeat(column);
  if (label.length <= column - 2) return [label.padEnd(column) + body[0], ...body.slice(1).map((l) => pad + l)];
  return [label, ...body.map((l) => pad + l)];
}

/** One help section: consecutive groups with the same title share it. */
interface Section {
  readonly title: string;
  readonly description: string;
  readonly specs: FlagSpec[];
}

function sections(groups: readonly FlagGroup[], specs: readonly FlagSpec[]): Section[] {
  const out: Section[] = [];
  for (const g of groups) {
    const title = groupTitle(g);
    const own = specs.filter((s) => s.group === g && !s.field.hidden);
    const last = out[out.length - 1];
    if (last && last.title === title) last.specs.push(...own);
    else out.push({ title, description: groupDescription(g), specs: [...own] });
  }
  return out;
}

/**
 * `lth <workflow> --help`: the banner with the command's description, its usage, and one section
 * per flag group in OpenLTH's order and wording (High-Level Arguments, Platform
 * Hyperparameters, then the workflow's groups), each flag with its type and its
 * `(default: X)` / `(required: type)` / `(optional: type)` prefix. Defaults from
 * `--default_hparams` are filled in, and the groups a selector adds (`--pretrain`, a pruning
 * strategy, a branch) appear.
 */
export function renderWorkflowHelp(plan: InvocationPlan, width = 100): string {
  const positionals = plan.positionals?.map((p) => (p.optional ? ` [${p.name}]` : ` <${p.name}>`)).join('') ?? '';
  const lines = [...bannerTop(), `lth ${plan.command} [...] => ${plan.description}`, '='.repeat(RULE_WIDTH), ''];
  lines.push(`Usage: lth ${plan.command}${positionals} [flags]`);
  for (const p of plan.positionals ?? []) lines.push(`  ${p.optional ? `[${p.name}]` : `<${p.name}>`}  ${p.description}`);
  for (const sec of sections([...plan.commonGroups, ...plan.workflowGroups], plan.specs)) {
    lines.push('', `${sec.title}:`);
    if (sec.description) lines.push(...wrap(sec.description.split(/\s+/), width - 2).map((l) => `  ${l}`));
    lines.push('');
    for (const s of sec.specs) lines.push(...flagLines(s, width));
  }
  return lines.join('\n');
}
