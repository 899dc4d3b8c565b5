import { Parser, type Interfaces } from '@oclif/core';
import {
  fieldsOfClass,
  Hparams,
  JobArgs,
  LthError,
  type FlagGroup,
  type HparamsClass,
  type LthSession,
  type PlatformFactory,
  type PositionalSpec,
  type SelectorSpecs,
  type Selectors,
  type Workflow,
} from '@lth/kernel';
import { scanArgv, selectorsOf, type ScannedArgv } from './argv';
import { CommandArgs } from './command-args';
import { flagName, flagSpecs, type FlagSpec } from './flag-specs';
import { commandInput, sweptValue, type CommandInput, type SweptValue } from './oclif-flags';
import { lthParseError } from './parse-errors';
import { expandSweep, MAX_SWEEP_POINTS, selectorSweep, type SweepPoint } from './sweep';

export type { PositionalSpec } from '@lth/kernel';

/**
 * What one workflow command line will be parsed with, from a lenient first look at it: the
 * selectors, the platform, every flag group (the common ones first: High-Level Arguments,
 * Platform Hyperparameters, then the workflow's) expanded into flag specs, and the oclif input
 * (typed flags and args) the command parses the line with, once.
 */
export interface InvocationPlan {
  readonly command: string;
  readonly workflow: Workflow;
  readonly description: string;
  /** The positionals the workflow declares (`workflow.positionals`), when it does. */
  readonly positionals: readonly PositionalSpec[] | undefined;
  readonly argv: readonly string[];
  /** The lenient first look: flags as written and positionals. */
  readonly scan: ScannedArgv;
  readonly selectors: Selectors;
  readonly platformName: string;
  readonly platformFactory: PlatformFactory;
  /** `CommandArgs`, `JobArgs`, the platform's hparams. */
  readonly commonGroups: readonly FlagGroup[];
  readonly workflowGroups: readonly FlagGroup[];
  readonly specs: readonly FlagSpec[];
  /** Flags a switch selector not on the line would add, parsed only to say which switch they need. */
  readonly conditionalSpecs: readonly FlagSpec[];
  /** The oclif flags and args of this command line. */
  readonly input: CommandInput;
}

/** One job of a parsed command line (one point of its sweep), with its groups built. */
export interface ParsedJob extends SweepPoint {
  readonly plan: InvocationPlan;
  /** The workflow's groups by `FlagGroup.key`. */
  readonly groups: Readonly<Record<string, Hparams>>;
  readonly args: JobArgs;
  readonly platformHparams: Hparams;
  readonly displayOutputLocation: boolean;
  /** `--jobs`: how many jobs of a local sweep run at once (null: one after another). */
  readonly jobs: number | null;
  readonly positionals: readonly string[];
}

/** A workflow command line parsed (once) and built into its jobs. */
export interface ParsedInvocation {
  readonly plan: InvocationPlan;
  /** The flags given, in command-line order, with their values (true for a switch). */
  readonly given: ReadonlyMap<string, SweptValue | true>;
  readonly positionals: readonly string[];
  /** One job per sweep point (one without a sweep). */
  readonly jobs: readonly ParsedJob[];
}

/** How a command line is parsed: a workflow command's `this.parse`, or oclif's `Parser.parse`. */
export type ParseFn = (argv: string[], input: CommandInput) => Promise<Interfaces.ParserOutput>;

const COMMON_KEYS = { command: '(command)', job: '(job)', platform: '(platform)' } as const;

/** `--platform` is the CLI's own selector: it adds the platform's flags. */
const CLI_SELECTORS: SelectorSpecs = { platform: 'str' };

/** Switches known before any workflow is asked: those of the common groups, and bool selectors. */
function knownKinds(selectors: SelectorSpecs): { switches: Set<string>; values: Set<string> } {
  const switches = new Set<string>();
  const values = new Set<string>();
  for (const cls of [CommandArgs, JobArgs] as HparamsClass[]) for (const f of fieldsOfClass(cls)) (f.kind === 'bool' ? switches : values).add(f.name);
  for (const [name, kind] of Object.entries(selectors)) (kind === 'bool' ? switches : values).add(name);
  return { switches, values };
}

/**
 * The flags a switch selector that is not on the line would add (`--pretrain`: the
 * `--pretrain_*` groups), each declared with `dependsOn` that switch: oclif then answers
 * `--pretrain_lr` without `--pretrain` with the flag it needs. They are parsed only to fail that
 * way; `--help` and the jobs use the plan's own groups.
 */
function conditionalSpecs(workflow: Workflow, selectors: Selectors, groups: readonly FlagGroup[], flags: readonly FlagSpec[]): FlagSpec[] {
  const out: FlagSpec[] = [];
  const taken = new Set(flags.map((f) => f.name));
  for (const [name, kind] of Object.entries(workflow.selectors ?? {})) {
    if (kind !== 'bool' || selectors[name] === true) continue;
    let extra: FlagGroup[];
    try {
      extra = workflow.flagGroups({ ...selectors, [name]: true }).filter((g) => !groups.some((h) => h.key === g.key));
    } catch {
      continue;
    }
    const needs = extra.map((g) => ({ ...g, dependsOn: [...new Set([...(g.dependsOn ?? []), name])] }));
    for (const spec of flagSpecs(needs)) {
      if (taken.has(spec.name)) continue;
      taken.add(spec.name);
      out.push({ ...spec, default: undefined });
    }
  }
  return out;
}

/** The plan for one reading of the command line. */
function planFrom(command: string, argv: readonly string[], scan: ScannedArgv, specs: SelectorSpecs, session: LthSession): InvocationPlan {
  const { registry } = session;
  const config = session.config.config;
  const contribution = registry.workflow(command);
  const workflow = contribution.instance;
  const selectors = selectorsOf(scan, specs);
  const platformName = (selectors.platform as string | undefined) ?? config.platform?.name ?? 'local';
  const platform = registry.platformFactory(platformName);
  const commonGroups: FlagGroup[] = [
    { key: COMMON_KEYS.command, hparams: CommandArgs, defaults: { platform: config.platform?.name ?? 'local' } },
    { key: COMMON_KEYS.job, hparams: JobArgs },
    { key: COMMON_KEYS.platform, hparams: platform.meta.hparams },
  ];
  const workflowGroups = workflow.flagGroups(selectors);
  const flags = flagSpecs([...commonGroups, ...workflowGroups]);
  const conditional = conditionalSpecs(workflow, selectors, workflowGroups, flags);
  return {
    command,
    workflow,
    description: contribution.description,
    positionals: workflow.positionals,
    argv,
    scan,
    selectors,
    platformName,
    platformFactory: platform.instance,
    commonGroups,
    workflowGroups,
    specs: flags,
    conditionalSpecs: conditional,
    input: commandInput([...flags, ...conditional], workflow.positionals ?? []),
  };
}

/**
 * Plans a workflow command line. The first look (`scanArgv`) reads the selectors the workflow
 * declares (`Workflow.selectors`, plus the CLI's `--platform`) and the positionals, without
 * knowing the command's flags: `--name=value` carries its value; in `--name word`, the word is
 * the flag's value unless the flag is a known switch (those of the common groups and the bool
 * selectors). When the workflow rejects the selectors so read (a branch name taken for the
 * value of a branch's switch: `--fresh fresh_start`), the line is read once more taking every
 * flag not known to take a value as a switch; if the workflow rejects that reading too, the first
 * error stands. Then the line is read once more with the switches the groups define, and when
 * that moves a word between flag value and positional, the workflow is asked for that reading's
 * groups. No further reading: the line is then parsed strictly, once, with the groups' flags
 * (and `parseInvocation` checks that oclif read the positionals the groups were chosen with).
 */
export function planInvocation(command: string, argv: readonly string[], session: LthSession): InvocationPlan {
  const specs: SelectorSpecs = { ...CLI_SELECTORS, ...(session.registry.workflow(command).instance.selectors ?? {}) };
  const { switches, values } = knownKinds(specs);
  const first = scanArgv(argv, (n) => switches.has(n));
  let plan: InvocationPlan;
  try {
    plan = planFrom(command, argv, first, specs, session);
  } catch (e) {
    const guess = scanArgv(argv, (n) => !values.has(n));
    if (guess.positionals.length === first.positionals.length) throw e;
    try {
      plan = planFrom(command, argv, guess, specs, session);
    } catch {
      throw e;
    }
  }
  const own = new Set(plan.specs.filter((s) => s.kind === 'bool').map((s) => s.name));
  const exact = scanArgv(argv, (n) => own.has(n));
  if (exact.positionals.join('\0') === plan.scan.positionals.join('\0')) return { ...plan, scan: exact };
  try {
    return planFrom(command, argv, exact, specs, session);
  } catch {
    return plan;
  }
}

/**
 * What oclif would read otherwise: a switch written with a value (`--quiet=yes`: oclif would take
 * the value for a positional), a value flag followed by another flag (`--lr --quiet`, or
 * `--lr --levels=1`: oclif would take that flag for the value).
 */
function checkTokens(plan: InvocationPlan): void {
  const kinds = new Map([...plan.specs, ...plan.conditionalSpecs].map((s) => [s.name, s.kind]));
  for (const f of plan.scan.flags) {
    const kind = kinds.get(f.name);
    if (kind === 'bool' && f.inline) {
      throw new LthError('BAD_FLAG', `--${f.name} is a switch and takes no value: write --${f.name} alone (got --${f.name}=${f.value}).`);
    }
    if (kind !== undefined && kind !== 'bool' && f.value === null) throw new LthError('BAD_FLAG', `--${f.name} needs a value: --${f.name}=<${kind}>.`);
  }
}

/** What a plan's flags are, for comparing two plans: names, kinds, defaults and groups. */
function signature(plan: Pick<InvocationPlan, 'specs'>): string {
  return JSON.stringify(plan.specs.map((s) => [s.name, s.kind, s.default ?? null, s.group.key, s.group.hparams.name]));
}

/**
 * The positionals oclif read are the job's. The groups were chosen with those of the first look;
 * where the two differ (a word after a switch the first look could not know), the workflow is
 * asked once more with oclif's and must define the same flags, else the line is ambiguous.
 */
function checkPositionals(plan: InvocationPlan, positionals: readonly string[]): void {
  if (!samePositionals(plan, positionals)) {
    const word = positionals.find((p) => !plan.selectors.positionals.includes(p)) ?? plan.selectors.positionals[0];
    throw new LthError('BAD_ARGS', `'${word}' is ambiguous here (an argument, or the value of the flag before it): write flag values as --name=value, or the arguments before the flags.`);
  }
}

/** Whether the workflow defines the same flags for `positionals` as for the plan's. */
function samePositionals(plan: InvocationPlan, positionals: readonly string[]): boolean {
  if (positionals.join('\0') === plan.selectors.positionals.join('\0')) return true;
  try {
    const again = flagSpecs([...plan.commonGroups, ...plan.workflow.flagGroups({ ...plan.selectors, positionals })]);
    return signature({ specs: again }) === signature(plan);
  } catch {
    return false;
  }
}

/** Names of the required flags that were not given, in flag order. */
function missingFlags(plan: InvocationPlan, given: ReadonlyMap<string, unknown>): string[] {
  const touched = (prefix: string) => [...given.keys()].some((k) => k.startsWith(prefix + '_'));
  return plan.specs.filter((s) => s.required && !given.has(s.name) && (!s.optionalGroup || touched(s.optionalGroup))).map((s) => s.name);
}

function nestedDefaults(v: unknown): Record<string, unknown> | undefined {
  if (v instanceof Hparams) return v.values();
  if (v && typeof v === 'object') return v as Record<string, unknown>;
  return undefined;
}

/** `cls.create(values, prefix)` for a class known only as an `HparamsClass`. */
function createHparams(cls: HparamsClass, values: Record<string, unknown>, prefix: string): Hparams {
  return Hparams.create.call(cls, values, prefix);
}

/** The values of one group (nested groups built), from the given flags over the group's defaults. */
function groupValues(cls: HparamsClass, prefix: string | undefined, defaults: Record<string, unknown> | undefined, given: ReadonlyMap<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const f of fieldsOfClass(cls)) {
    const name = flagName(prefix, f.name);
    const dflt = defaults?.[f.name];
    if (f.kind === 'nested') {
      const anyGiven = [...given.keys()].some((k) => k.startsWith(name + '_'));
      if (!anyGiven && dflt === undefined && f.default === null) continue;
      if (!anyGiven && dflt === null) {
        values[f.name] = null;
        continue;
      }
      values[f.name] = createHparams(f.nested!, groupValues(f.nested!, name, nestedDefaults(dflt), given), name);
    } else if (given.has(name)) {
      values[f.name] = given.get(name);
    } else if (dflt !== undefined) {
      values[f.name] = dflt;
    }
  }
  return values;
}

/** Builds a group: its values validated, its defaults filled in (`Cls.create`). */
function buildGroup(g: FlagGroup, given: ReadonlyMap<string, unknown>): Hparams {
  return createHparams(g.hparams, groupValues(g.hparams, g.prefix, g.defaults, given), g.prefix ?? '');
}

/** The flags given on the line, in order, from oclif's raw tokens; a flag given twice is an error. */
function givenFlags(output: Interfaces.ParserOutput): Map<string, SweptValue | true> {
  const given = new Map<string, SweptValue | true>();
  const flags = output.flags as Record<string, unknown>;
  for (const token of output.raw) {
    if (token.type !== 'flag') continue;
    if (given.has(token.flag)) {
      if (typeof flags[token.flag] !== 'boolean') throw new LthError('BAD_FLAG', `--${token.flag} can only be specified once.`);
      continue;
    }
    given.set(token.flag, typeof flags[token.flag] === 'boolean' ? true : sweptValue(flags[token.flag]));
  }
  return given;
}

/** Builds the job of one sweep point from its typed flag values. */
function buildJob(plan: InvocationPlan, point: SweepPoint & { readonly values: ReadonlyMap<string, unknown> }, positionals: readonly string[]): ParsedJob {
  const [commandGroup, jobGroup, platformGroup] = plan.commonGroups;
  const command = buildGroup(commandGroup, point.values) as CommandArgs;
  const args = buildGroup(jobGroup, point.values) as JobArgs;
  const platformHparams = buildGroup(platformGroup, point.values);
  const groups: Record<string, Hparams> = {};
  for (const g of plan.workflowGroups) groups[g.key] = buildGroup(g, point.values);
  return { plan, argv: point.argv, label: point.label, groups, args, platformHparams, displayOutputLocation: command.display_output_location, jobs: command.jobs, positionals };
}

/**
 * Parses the command line once, strictly, with the plan's oclif input (`parse`: the command's
 * `this.parse`; oclif's `Parser.parse` by default), then builds every job of its sweep. Errors,
 * each one `LthError` line: an unknown flag (with the closest valid name), a switch given a
 * value, a value flag without one, a flag given twice, an argument the command does not take,
 * all missing required flags by name, and the first invalid value.
 */
export async function parseInvocation(plan: InvocationPlan, parse: ParseFn = (argv, input) => Parser.parse(argv, input)): Promise<ParsedInvocation> {
  checkTokens(plan);
  let output: Interfaces.ParserOutput;
  try {
    output = await parse([...plan.argv], plan.input);
  } catch (e) {
    throw lthParseError(e, plan);
  }
  const given = givenFlags(output);
  const positionals = output.raw.filter((t) => t.type === 'arg').map((t) => t.input);
  checkPositionals(plan, positionals);
  const points = expandSweep(given, positionals);
  const missing = missingFlags(plan, given);
  if (missing.length) {
    const hint = given.has('default_hparams') || !plan.specs.some((s) => s.name === 'default_hparams') ? '' : ' (or pass --default_hparams=<model>)';
    throw new LthError('MISSING_FLAGS', `Missing required flag${missing.length > 1 ? 's' : ''}: ${missing.map((m) => `--${m}`).join(', ')}${hint}.`);
  }
  const jobs = points.map((p) => buildJob(plan, p, positionals));
  return { plan, given, positionals, jobs };
}

/**
 * Every job of a workflow command line: a list in a `str` selector (`--default_hparams=a,b`)
 * first gives one line per value (each planned and parsed on its own), then each line is
 * planned, parsed once and expanded into its sweep points. Every job is built, so checked,
 * before any runs.
 */
export async function parseCommandLine(command: string, argv: readonly string[], session: LthSession, parse?: ParseFn): Promise<ParsedJob[]> {
  const out: ParsedJob[] = [];
  for (const line of selectorSweep(session.registry, command, argv)) {
    const parsed = await parseInvocation(planInvocation(command, line.argv, session), parse);
    for (const j of parsed.jobs) out.push({ ...j, label: [line.label, j.label].filter(Boolean).join(' ') });
    if (out.length > MAX_SWEEP_POINTS) throw new LthError('BAD_SWEEP', `This sweep has more than ${MAX_SWEEP_POINTS} jobs: split it into several commands.`);
  }
  return out;
}
