import { bool, fieldsOfClass, float, group, groupOfClass, Hparams, int, LthError, nested, str, type HparamsClass } from '@lth/kernel';
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
 * A copy of `cls` whose fields all default to null (switches to false), meaning "the trunk's
 * value"; validators and choices are kept. The flags of a group argument that defaults to a
 * trunk group.
 */
export function overridesClass(cls: HparamsClass): HparamsClass {
  const known = overrideClasses.get(cls);
  if (known) return known;
  const copy = namedClass(`${cls.name}FromTrunk`);
  group(groupOfClass(cls))(copy);
  for (const f of fieldsOfClass(cls)) {
    const help = `${f.help}${f.help && !/[.]$/.test(f.help) ? '.' : ''} Default: the trunk's value.`.trim();
    const opts: Record<string, unknown> = { help, default: null };
    if (f.validate) opts.validate = f.validate;
    if (f.choices) opts.choices = f.choices;
    const deco: PropertyDecorator =
      f.kind === 'bool' ? bool({ help }) : f.kind === 'int' ? int(opts) : f.kind === 'float' ? float(opts) : f.kind === 'str' ? str(opts) : nested(f.nested!, { help, default: null });
    deco(copy.prototype, f.name);
  }
  overrideClasses.set(cls, copy);
  return copy;
}

/**
 * The hparams class of a branch's flags. It is the hashed class itself unless an argument
 * defaults to a trunk group; then that argument's flags come from `overridesClass` (all
 * optional) and `resolveBranchArgs` puts the given ones into the trunk's group.
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
 * The trunk's group with the values given (non-null) put in; a switch can be turned on, not off.
 * Hashed as it is, so the name says exactly what runs: the same values as an OpenLTH command
 * line gives the same name.
 */
function fromTrunk(cls: HparamsClass, trunk: Hparams, given: Record<string, unknown> | null, prefix: string): Hparams {
  const values: Record<string, unknown> = { ...trunk.values() };
  for (const f of fieldsOfClass(cls)) {
    const v = given?.[f.name];
    if (v === undefined || v === null) continue;
    if (f.kind === 'bool' && (v === false || v === 'false' || v === 'False')) continue;
    values[f.name] = v;
  }
  return Hparams.create.call(cls, values, prefix);
}

/**
 * The hashed hyperparameters of a branch from plain values (as a program passes them) or from
 * its parsed flags (`branchFlagsClass`): validated, defaults filled in. A group argument given as
 * an instance of its class is taken whole; given as a record of some fields (or as parsed flags),
 * it is the trunk's group with those fields replaced when it defaults to a trunk group, else a
 * new group of those fields. Errors are the kernel's `MISSING_HPARAM`, `BAD_HPARAM` and `UNKNOWN_HPARAM`, naming the flag.
 */
export function resolveBranchArgs(hashed: HparamsClass, args: readonly BranchArgSpec[], values: Hparams | Record<string, unknown>, trunk: LotteryDesc): Hparams {
  const given = values instanceof Hparams ? values.values() : { ...values };
  for (const s of args) {
    if (s.kind !== 'group') continue;
    const v = given[s.name];
    if (v instanceof s.group!) continue;
    if (s.trunk) given[s.name] = fromTrunk(s.group!, trunkGroup(trunk, s.trunk), asRecord(v), s.name);
    else if (v !== undefined && v !== null && !(v instanceof Hparams)) given[s.name] = Hparams.create.call(s.group!, asRecord(v)!, s.name);
  }
  return Hparams.create.call(hashed, given);
}

