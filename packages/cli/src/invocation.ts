import { Args, Flags, Parser, type Interfaces } from '@oclif/core';
import {
  DatasetHparams,
  fieldsOfClass,
  Hparams,
  JobArgs,
  LthError,
  ModelHparams,
  registry,
  TrainingHparams,
  type FlagGroup,
  type HparamsClass,
  type LthConfig,
  type PlatformFactory,
  type Selectors,
  type Workflow,
} from '@lth/kernel';
import { scanArgv, selectorsOf, type ScannedArgv } from './argv';
import { CommandArgs } from './command-args';
import { flagName, flagSpecs, type FlagSpec } from './flag-specs';
import { closest } from './suggest';

/** A positional argument a workflow declares (`lottery_branch`: the branch name). */
export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  /** Shown as `[name]` instead of `<name>` in the usage line. */
  readonly optional?: boolean;
}

/**
 * What a workflow command will parse, from a lenient first look at its command line: the
 * selectors, the platform, and every flag group (the common ones first: High-Level Arguments,
 * Platform Hyperparameters, then the workflow's), expanded into flags.
 */
export interface InvocationPlan {
  readonly command: string;
  readonly workflow: Workflow;
  readonly description: string;
  /** The positionals the workflow declares (`workflow.positionals`), when it does. */
  readonly positionals: readonly PositionalSpec[] | undefined;
  readonly argv: readonly string[];
  readonly scan: ScannedArgv;
  readonly selectors: Selectors;
  readonly platformName: string;
  readonly platformFactory: PlatformFactory;
  /** `CommandArgs`, `JobArgs`, the platform's hparams. */
  readonly commonGroups: readonly FlagGroup[];
  readonly workflowGroups: readonly FlagGroup[];
  readonly specs: readonly FlagSpec[];
}

/** A workflow command line parsed and built into hparams groups. */
export interface ParsedInvocation {
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

const COMMON_KEYS = { command: '(command)', job: '(job)', platform: '(platform)' } as const;

/** Bool flags known before any workflow is asked, so that `--quiet train`-like lines scan right. */
function initialBooleans(): Set<string> {
  const names = new Set(['display_output_location', 'quiet', 'evaluate_only_at_end', 'pretrain']);
  for (const cls of [DatasetHparams, ModelHparams, TrainingHparams] as HparamsClass[]) {
    for (const f of fieldsOfClass(cls)) {
      if (f.kind === 'bool') names.add(f.name).add(`pretrain_${f.name}`);
    }
  }
  return names;
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

function declaredPositionals(w: Workflow): readonly PositionalSpec[] | undefined {
  const p = (w as { positionals?: readonly PositionalSpec[] }).positionals;
  return Array.isArray(p) ? p : undefined;
}

/**
 * Reads the selectors leniently (`--default_hparams`, `--pruning_strategy`, `--pretrain`,
 * `--rewinding_steps`, `--platform`, positionals anywhere), asks the workflow for its flag
 * groups, and expands every group into flags. Which tokens are flag values depends on which
 * flags are switches, which depends on the groups: the scan is repeated until it is stable.
 * When the workflow rejects a first scan (say, a branch name read as the value of an unknown
 * switch before it), the flags whose kind is not known yet are taken as switches and it is asked
 * again; if that fails too, the first error stands.
 */
export function planInvocation(command: string, argv: readonly string[], config: LthConfig = {}): InvocationPlan {
  const contribution = registry.workflow(command);
  const workflow = contribution.instance;
  let booleans: ReadonlySet<string> = initialBooleans();
  let valueFlags: ReadonlySet<string> = new Set();
  let firstError: unknown = null;
  for (let round = 0; ; round++) {
    const scan = scanArgv(argv, (n) => booleans.has(n));
    const selectors = selectorsOf(scan);
    const platformName = scan.flags.filter((f) => f.name === 'platform' && f.value !== null).pop()?.value ?? config.platform?.name ?? 'local';
    const platform = registry.platformFactory(platformName);
    const commonGroups: FlagGroup[] = [
      { key: COMMON_KEYS.command, hparams: CommandArgs, defaults: { platform: config.platform?.name ?? 'local' } },
      { key: COMMON_KEYS.job, hparams: JobArgs },
      { key: COMMON_KEYS.platform, hparams: platform.meta.hparams },
    ];
    let workflowGroups: FlagGroup[];
    try {
      workflowGroups = workflow.flagGroups(selectors);
    } catch (e) {
      const guesses = scan.flags.filter((f) => !f.inline && f.value !== null && !booleans.has(f.name) && !valueFlags.has(f.name)).map((f) => f.name);
      if (!guesses.length || round >= 3) throw firstError ?? e;
      firstError ??= e;
      booleans = new Set([...booleans, ...guesses]);
      continue;
    }
    const specs = flagSpecs([...commonGroups, ...workflowGroups]);
    const next = new Set(specs.filter((s) => s.kind === 'bool').map((s) => s.name));
    if (sameSet(next, booleans) || round >= 3) {
      return {
        command,
        workflow,
        description: contribution.description,
        positionals: declaredPositionals(workflow),
        argv,
        scan,
        selectors,
        platformName,
        platformFactory: platform.instance,
        commonGroups,
        workflowGroups,
        specs,
      };
    }
    booleans = next;
    valueFlags = new Set(specs.filter((s) => s.kind !== 'bool').map((s) => s.name));
  }
}

function typeName(s: FlagSpec): string {
  return s.kind;
}

/** Checks every flag on the line against the plan: unknown names (with a suggestion), values where none belong, missing values. */
function checkFlags(plan: InvocationPlan): void {
  const byName = new Map(plan.specs.map((s) => [s.name, s]));
  const names = plan.specs.map((s) => s.name);
  const helpHint = `Run lth ${plan.command} --help to see its flags.`;
  for (const f of plan.scan.flags) {
    if (f.short) throw new LthError('UNKNOWN_FLAG', `Unknown flag ${f.name}: lth flags are long (--name=value). ${helpHint}`);
    const spec = byName.get(f.name);
    if (!spec) {
      const near = closest(f.name, names);
      throw new LthError('UNKNOWN_FLAG', `Unknown flag --${f.name}.${near ? ` Did you mean --${near}?` : ` ${helpHint}`}`);
    }
    if (spec.kind === 'bool' && f.value !== null) {
      throw new LthError('BAD_FLAG', `--${f.name} is a switch and takes no value: write --${f.name} alone (got --${f.name}=${f.value}).`);
    }
    if (spec.kind !== 'bool' && f.value === null) {
      throw new LthError('BAD_FLAG', `--${f.name} needs a value: --${f.name}=<${typeName(spec)}>.`);
    }
    if (spec.kind !== 'bool' && f.value === '' && spec.default !== '') {
      throw new LthError('BAD_FLAG', `--${f.name}= is empty: give it a value (--${f.name}=<${typeName(spec)}>) or leave it out.`);
    }
  }
  const declared = plan.positionals ?? [];
  if (plan.scan.positionals.length > declared.length) {
    const extra = plan.scan.positionals[declared.length];
    const takes = declared.length ? `takes ${declared.map((p) => `<${p.name}>`).join(' ')}` : 'takes no positional arguments (flags are --name=value)';
    throw new LthError('UNEXPECTED_ARGUMENT', `Unexpected argument '${extra}': lth ${plan.command} ${takes}.`);
  }
}

/** Strict parse with oclif's parser of the flags the plan defines; returns the given values by flag name. */
async function strictParse(plan: InvocationPlan): Promise<Map<string, string | true>> {
  const flags: Interfaces.FlagInput = {};
  for (const s of plan.specs) flags[s.name] = (s.kind === 'bool' ? Flags.boolean() : Flags.string()) as Interfaces.FlagInput[string];
  const args: Interfaces.ArgInput = {};
  plan.scan.positionals.forEach((_, i) => (args[`arg${i}`] = Args.string()));
  const argv = [...plan.scan.flags.map((f) => (f.value === null ? `--${f.name}` : `--${f.name}=${f.value}`)), '--', ...plan.scan.positionals];
  let parsed: { flags: Record<string, unknown> };
  try {
    parsed = (await Parser.parse(argv, { flags, args, strict: true })) as unknown as { flags: Record<string, unknown> };
  } catch (e) {
    throw new LthError('BAD_FLAG', (e as Error).message.split('\n')[0]);
  }
  const given = new Map<string, string | true>();
  for (const [k, v] of Object.entries(parsed.flags)) {
    if (typeof v === 'string') given.set(k, v);
    else if (v === true) given.set(k, true);
  }
  return given;
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
function groupValues(cls: HparamsClass, prefix: string | undefined, defaults: Record<string, unknown> | undefined, given: ReadonlyMap<string, string | true>): Record<string, unknown> {
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
function buildGroup(g: FlagGroup, given: ReadonlyMap<string, string | true>): Hparams {
  return createHparams(g.hparams, groupValues(g.hparams, g.prefix, g.defaults, given), g.prefix ?? '');
}

/**
 * Parses the command line strictly against the plan and builds every group. Errors, each one
 * `LthError` line: an unknown flag (with the closest valid name), a switch given a value, a
 * value flag without one, all missing required flags by name, and the first invalid value.
 */
export async function parseInvocation(plan: InvocationPlan): Promise<ParsedInvocation> {
  checkFlags(plan);
  const given = await strictParse(plan);
  const missing = missingFlags(plan, given);
  if (missing.length) {
    const hint = plan.selectors.default_hparams ? '' : ' (or pass --default_hparams=<model>)';
    throw new LthError('MISSING_FLAGS', `Missing required flag${missing.length > 1 ? 's' : ''}: ${missing.map((m) => `--${m}`).join(', ')}${hint}.`);
  }
  const [commandGroup, jobGroup, platformGroup] = plan.commonGroups;
  const command = buildGroup(commandGroup, given) as CommandArgs;
  const args = buildGroup(jobGroup, given) as JobArgs;
  const platformHparams = buildGroup(platformGroup, given);
  const groups: Record<string, Hparams> = {};
  for (const g of plan.workflowGroups) groups[g.key] = buildGroup(g, given);
  return { plan, groups, args, platformHparams, displayOutputLocation: command.display_output_location, jobs: command.jobs, positionals: plan.scan.positionals };
}
