import {
  bool,
  fieldsOfClass,
  float,
  group,
  groupOfClass,
  Hparams,
  int,
  LthError,
  nested,
  REQUIRED,
  str,
  type HparamsClass,
} from '@lth/kernel';
import type { LotteryDesc } from '../desc';
import type { BranchArgSpec, TrunkGroup } from './arg';

/** The group title and description of every branch's arguments, as in OpenLTH. */
export const BRANCH_ARGS_GROUP = { name: 'Branch Arguments', description: 'Arguments specific to the branch.' } as const;

type PropertyDecorator = (proto: object, name: string) => void;

function pascal(name: string): string {
  return name.replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

function namedClass(name: string): HparamsClass {
  const cls = class extends Hparams {};
  Object.defineProperty(cls, 'name', { value: name });
  return cls as unknown as HparamsClass;
}

function fieldDecorator(s: BranchArgSpec, nestedClass?: HparamsClass): PropertyDecorator {
  const opts: Record<string, unknown> = { help: s.help };
  if (s.hasDefault && s.kind !== 'bool') opts.default = s.default;
  if (s.validate) opts.validate = s.validate;
  if (s.choices) opts.choices = s.choices;
  switch (s.kind) {
    case 'int':
      return int(opts);
    case 'float':
      return float(opts);
    case 'str':
      return str(opts);
    case 'bool':
      return bool({ help: s.help });
    case 'group':
      return nested(nestedClass ?? s.group!, nestedClass ? { help: s.help, default: null } : { help: s.help });
  }
}

/**
 * The hashed hyperparameters of a branch: OpenLTH's generated `BranchHparams` dataclass. One
 * field per argument in parameter order (a group argument is a nested group with no default),
 * titled `Branch Arguments`; its canonical string is what names the branch's directory.
 */
export function branchHparamsClass(branchName: string, args: readonly BranchArgSpec[]): HparamsClass {
  const cls = namedClass(`${pascal(branchName)}BranchHparams`);
  group(BRANCH_ARGS_GROUP)(cls);
  for (const s of args) fieldDecorator(s)(cls.prototype, s.name);
  return cls;
}

const overrideClasses = new WeakMap<HparamsClass, HparamsClass>();

/**
 * A copy of `cls` whose required fields default to null, meaning "the trunk's value"; the other
 * fields, their validators and choices are as in `cls`. The flags of a group argument that
 * defaults to a trunk group.
 */
export function overridesClass(cls: HparamsClass): HparamsClass {
  const known = overrideClasses.get(cls);
  if (known) return known;
  const copy = namedClass(`${cls.name}FromTrunk`);
  group(groupOfClass(cls))(copy);
  for (const f of fieldsOfClass(cls)) {
    const required = f.default === REQUIRED;
    const help = required ? `${f.help}${f.help && !/[.]$/.test(f.help) ? '.' : ''} Default: the trunk's value.`.trim() : f.help;
    const opts: Record<string, unknown> = { help };
    if (required || f.default !== undefined) opts.default = required ? null : f.default;
    if (f.validate) opts.validate = f.validate;
    if (f.choices) opts.choices = f.choices;
    const deco: PropertyDecorator =
      f.kind === 'bool' ? bool({ help }) : f.kind === 'int' ? int(opts) : f.kind === 'float' ? float(opts) : f.kind === 'str' ? str(opts) : nested(f.nested!, { help, ...(required ? {} : { default: null }) });
    deco(copy.prototype, f.name);
  }
  overrideClasses.set(cls, copy);
  return copy;
}

/**
 * The hparams class of a branch's flags. It is the hashed class itself unless an argument
 * defaults to a trunk group; then that argument's flags come from `overridesClass` (its
 * required fields optional) and `resolveBranchArgs` fills them in from the trunk.
 */
export function branchFlagsClass(branchName: string, args: readonly BranchArgSpec[], hashed: HparamsClass): HparamsClass {
  if (!args.some((a) => a.trunk)) return hashed;
  const cls = namedClass(`${pascal(branchName)}BranchFlags`);
  group(BRANCH_ARGS_GROUP)(cls);
  for (const s of args) fieldDecorator(s, s.trunk ? overridesClass(s.group!) : undefined)(cls.prototype, s.name);
  return cls;
}

/** The trunk's group an argument defaults to. */
export function trunkGroup(desc: LotteryDesc, which: TrunkGroup): Hparams {
  switch (which) {
    case 'dataset':
      return desc.dataset_hparams;
    case 'model':
      return desc.model_hparams;
    case 'training':
      return desc.training_hparams;
  }
}

function asRecord(v: unknown): Record<string, unknown> | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Hparams) return v.values();
  if (typeof v === 'object') return v as Record<string, unknown>;
  throw new LthError('BAD_HPARAM', `Expected a group of values, got ${String(v)}.`);
}

/**
 * The group `cls` from the values given, each required field that is not given taken from
 * `trunk`. The other fields keep their usual defaults, exactly as OpenLTH builds the group from
 * its flags, so a command line that writes every required flag out names the same directory.
 */
function fromTrunk(cls: HparamsClass, trunk: Hparams, given: Record<string, unknown> | null, prefix: string): Hparams {
  const values: Record<string, unknown> = {};
  const base = trunk.values();
  for (const f of fieldsOfClass(cls)) {
    const v = given?.[f.name];
    if (v !== undefined && v !== null) values[f.name] = v;
    else if (f.default === REQUIRED) values[f.name] = base[f.name];
  }
  return Hparams.create.call(cls, values, prefix);
}

/**
 * The hashed hyperparameters of a branch from plain values (as a program passes them) or from
 * its parsed flags (`branchFlagsClass`): validated, defaults filled in, and every argument that
 * defaults to a trunk group given the trunk's values for the required fields it leaves out.
 * Errors are the kernel's `MISSING_HPARAM`, `BAD_HPARAM` and `UNKNOWN_HPARAM`, naming the flag.
 */
export function resolveBranchArgs(hashed: HparamsClass, args: readonly BranchArgSpec[], values: Hparams | Record<string, unknown>, trunk: LotteryDesc): Hparams {
  const given = values instanceof Hparams ? values.values() : { ...values };
  for (const s of args) {
    if (s.kind !== 'group') continue;
    const v = given[s.name];
    if (s.trunk) given[s.name] = fromTrunk(s.group!, trunkGroup(trunk, s.trunk), asRecord(v), s.name);
    else if (v !== undefined && v !== null && !(v instanceof Hparams)) given[s.name] = Hparams.create.call(s.group!, asRecord(v)!, s.name);
  }
  return Hparams.create.call(hashed, given);
}

