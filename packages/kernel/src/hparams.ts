import { LthError } from './errors';
import { pyFloatRepr } from './pyrepr';

/** The value types a hyperparameter may have, as in OpenLTH: str, int, float, bool, or a nested group. */
export type FieldKind = 'str' | 'int' | 'float' | 'bool' | 'nested';

/** Marks a field that has no default: it is required on the command line and always hashed. */
export const REQUIRED: unique symbol = Symbol('lth.required');

/**
 * One hyperparameter, declared once with a decorator (`@str`, `@int`, `@float`, `@bool`,
 * `@nested`). From it come the CLI flag (`--<prefix>_<name>`), validation, the `hparams.log`
 * line, and the canonical string that names the experiment.
 */
export interface FieldSpec {
  /** snake_case name, exactly OpenLTH's (`batch_size`, `pruning_fraction`). */
  readonly name: string;
  readonly kind: FieldKind;
  /** The field default: a value, `null` (Python `None`), or `REQUIRED`. Booleans default to false. */
  readonly default: unknown;
  /** Help text shown by `--help`. */
  readonly help: string;
  /** For `nested` fields: the group class. */
  readonly nested?: HparamsClass;
  /** Checks a parsed, non-null value; returns a complaint (e.g. `must be positive`) or undefined. */
  readonly validate?: (value: never) => string | undefined;
  /** Allowed values for a string field, shown in help; validated where given. */
  readonly choices?: readonly string[];
  /**
   * The value is itself a comma-separated list (`--milestone_steps=80ep,120ep`): a sweep never
   * splits it into several jobs.
   */
  readonly list?: boolean;
  /**
   * Left out of `--help`: a flag lth passes to itself (`--level_only` of a lottery job that a
   * batch scheduler runs one level at a time), not one users write.
   */
  readonly hidden?: boolean;
  /**
   * Fields of the same group (by field name) that cannot be given together with this one: the
   * CLI declares them as the flag's oclif `exclusive` (`--rewinding_steps` with `--pretrain`).
   */
  readonly exclusive?: readonly string[];
}

/** Title and description of a group, as argparse groups show them in OpenLTH. */
export interface GroupInfo {
  readonly name: string;
  readonly description: string;
}

export type HparamsClass<T extends Hparams = Hparams> = (new () => T) & { prototype: T };

const fieldsOf = new WeakMap<object, FieldSpec[]>();
const groupOf = new WeakMap<object, GroupInfo>();

/** Class decorator: the group title and description of an Hparams class. */
export function group(info: GroupInfo) {
  return (cls: object): void => {
    groupOf.set(cls, info);
  };
}

type FieldOptions<V> = {
  help?: string;
  /** Omit for a required field; `null` for Python's `None`. */
  default?: V | null;
  validate?: (value: V) => string | undefined;
  choices?: readonly string[];
  /** See `FieldSpec.list`. */
  list?: boolean;
  /** See `FieldSpec.hidden`. */
  hidden?: boolean;
  /** See `FieldSpec.exclusive`. */
  exclusive?: readonly string[];
};

function declare(kind: FieldKind, opts: FieldOptions<unknown> & { nested?: HparamsClass }) {
  return (proto: object, name: string): void => {
    const cls = proto.constructor;
    const own = fieldsOf.has(cls) ? fieldsOf.get(cls)! : [...inheritedFields(Object.getPrototypeOf(cls))];
    const spec: FieldSpec = {
      name,
      kind,
      default: kind === 'bool' ? false : 'default' in opts ? opts.default : REQUIRED,
      help: opts.help ?? '',
      nested: opts.nested,
      validate: opts.validate as FieldSpec['validate'],
      choices: opts.choices,
      ...(opts.list ? { list: true } : {}),
      ...(opts.hidden ? { hidden: true } : {}),
      ...(opts.exclusive?.length ? { exclusive: opts.exclusive } : {}),
    };
    if (kind === 'bool' && 'default' in opts && opts.default !== false) {
      throw new Error(`Boolean hyperparameters must default to false: ${cls.name}.${name}`);
    }
    const at = own.findIndex((f) => f.name === name);
    if (at >= 0) own[at] = spec;
    else own.push(spec);
    fieldsOf.set(cls, own);
  };
}

/** A string hyperparameter. */
export const str = (opts: FieldOptions<string> = {}) => declare('str', opts as FieldOptions<unknown>);
/** An integer hyperparameter. */
export const int = (opts: FieldOptions<number> = {}) => declare('int', opts as FieldOptions<unknown>);
/** A float hyperparameter (rendered with Python's float repr in hashes). */
export const float = (opts: FieldOptions<number> = {}) => declare('float', opts as FieldOptions<unknown>);
/** A boolean flag (`store_true`); always defaults to false. */
export const bool = (opts: { help?: string; hidden?: boolean; exclusive?: readonly string[] } = {}) => declare('bool', opts);
/** A whole nested group, flagged as `--<field>_<subfield>` (e.g. `--retrain_d_batch_size`). */
export const nested = (cls: HparamsClass, opts: { help?: string; default?: null } = {}) =>
  declare('nested', { ...opts, nested: cls });

/** The fields of the nearest class on the prototype chain that declares any (its list includes those it inherits). */
function inheritedFields(cls: object | null): readonly FieldSpec[] {
  for (let c = cls; c; c = Object.getPrototypeOf(c)) {
    const f = fieldsOf.get(c);
    if (f) return f;
  }
  return [];
}

export function fieldsOfClass(cls: HparamsClass): readonly FieldSpec[] {
  return inheritedFields(cls);
}

export function groupOfClass(cls: HparamsClass): GroupInfo {
  for (let c: object | null = cls; c; c = Object.getPrototypeOf(c)) {
    const g = groupOf.get(c);
    if (g) return g;
  }
  throw new Error(`${cls.name} has no @group({name, description}) decorator`);
}

/** Python's `str()` of a value of a field, as OpenLTH hashes and displays it. */
function pyStr(kind: FieldKind, value: unknown, quote: boolean): string {
  if (value === null || value === undefined) return 'None';
  switch (kind) {
    case 'str':
      return quote ? `'${value as string}'` : (value as string);
    case 'float':
      return pyFloatRepr(value as number);
    case 'int':
      return String(value);
    case 'bool':
      return value ? 'True' : 'False';
    case 'nested':
      return (value as Hparams).toString();
  }
}

function sameValue(kind: FieldKind, a: unknown, b: unknown): boolean {
  if (kind === 'nested') {
    if (a === null || b === null || a === undefined || b === undefined) return a == b;
    return String(a) === String(b);
  }
  return (a ?? null) === (b ?? null);
}

/**
 * A group of hyperparameters: OpenLTH's `Hparams` dataclass.
 *
 * Subclasses declare fields with the field decorators and the group with `@group`. Create
 * instances with `Cls.create({...})` (values are validated and defaults filled in), never with
 * `new` directly.
 */
export abstract class Hparams {
  /** Display title of this instance; defaults to the group name (`Pretraining ...` for copies). */
  _name?: string;

  static create<T extends Hparams>(this: HparamsClass<T>, values: Record<string, unknown> = {}, flagPrefix = ''): T {
    const inst = new this();
    const known = new Set<string>();
    for (const f of fieldsOfClass(this)) {
      known.add(f.name);
      const flag = `--${flagPrefix ? `${flagPrefix}_` : ''}${f.name}`;
      const raw = f.name in values ? values[f.name] : undefined;
      let v: unknown;
      if (raw === undefined) {
        if (f.default === REQUIRED) {
          throw new LthError('MISSING_HPARAM', `Missing required hyperparameter ${flag}. Pass it, or use --default_hparams=<model name> to fill in defaults.`);
        }
        v = f.kind === 'nested' ? f.default : structuredCloneSafe(f.default);
      } else {
        v = coerce(f, raw, flag);
      }
      if (v !== null && v !== undefined && f.validate) {
        const complaint = (f.validate as (x: unknown) => string | undefined)(v);
        if (complaint) throw new LthError('BAD_HPARAM', `${flag}=${pyStr(f.kind, v, false)} is invalid: ${complaint}.`);
      }
      (inst as unknown as Record<string, unknown>)[f.name] = v;
    }
    for (const k of Object.keys(values)) {
      if (!known.has(k) && values[k] !== undefined) {
        throw new LthError('UNKNOWN_HPARAM', `${this.name} has no hyperparameter '${k}'.`);
      }
    }
    return inst;
  }

  /** The declared fields, in declaration order (inherited ones first). */
  get fields(): readonly FieldSpec[] {
    return fieldsOfClass(this.constructor as HparamsClass);
  }

  /** The display title: the instance's `_name`, else the group name. */
  get displayName(): string {
    return this._name ?? groupOfClass(this.constructor as HparamsClass).name;
  }

  /** The field values as a plain record (nested groups stay Hparams instances). */
  values(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of this.fields) out[f.name] = (this as unknown as Record<string, unknown>)[f.name];
    return out;
  }

  /** A copy with some values replaced (validated like `create`). */
  with<T extends Hparams>(this: T, changes: Record<string, unknown>): T {
    const copy = (this.constructor as unknown as { create(v: Record<string, unknown>): T }).create({ ...this.values(), ...changes });
    copy._name = this._name;
    return copy;
  }

  /**
   * The canonical string that is hashed: `Hparams(a=1, b='x')`, fields that are required or
   * differ from their default, sorted by name, values as Python's `str()` (OpenLTH §1.5).
   */
  toString(): string {
    const parts: string[] = [];
    const fields = [...this.fields].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const f of fields) {
      const v = (this as unknown as Record<string, unknown>)[f.name];
      if (f.default !== REQUIRED && sameValue(f.kind, v, f.default)) continue;
      parts.push(`${f.name}=${pyStr(f.kind, v, true)}`);
    }
    return `Hparams(${parts.join(', ')})`;
  }

  /**
   * The `hparams.log` block: the title, then `    * field => value` in declaration order for
   * every field that is required, truthy, or differs from its default. (OpenLTH hides falsy
   * non-defaults such as `data_order_seed=0`, which do change the hash; lth shows them.)
   */
  display(): string {
    const lines = [this.displayName];
    for (const f of this.fields) {
      const v = (this as unknown as Record<string, unknown>)[f.name];
      const shown = f.default === REQUIRED || !!v || !sameValue(f.kind, v, f.default);
      if (shown) lines.push(`    * ${f.name} => ${pyStr(f.kind, v, false)}`);
    }
    return lines.join('\n');
  }
}

function structuredCloneSafe(v: unknown): unknown {
  return v === REQUIRED ? undefined : v;
}

const INT_RE = /^[+-]?\d+$/;
const FLOAT_RE = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)$/;

/**
 * One value of field `f` from the command line (a string) or from code (a typed value), as
 * `Hparams.create` reads it: an int or a finite float, a string among the field's choices, a
 * boolean. `flag` names it in the error (`--lr expects a finite number, got 'x'.`, `BAD_HPARAM`).
 * Validators (`validate`) are not run here: `create` runs them on the whole group.
 */
export function parseFieldValue(f: FieldSpec, raw: unknown, flag: string): unknown {
  return coerce(f, raw, flag);
}

function coerce(f: FieldSpec, raw: unknown, flag: string): unknown {
  if (raw === null) return null;
  switch (f.kind) {
    case 'nested':
      if (raw instanceof Hparams) return raw;
      throw new LthError('BAD_HPARAM', `${flag} must be a ${f.nested?.name} group.`);
    case 'bool':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'True') return true;
      if (raw === 'false' || raw === 'False') return false;
      throw new LthError('BAD_HPARAM', `${flag} is a flag: pass it without a value (got '${String(raw)}').`);
    case 'int': {
      const n = typeof raw === 'number' ? raw : INT_RE.test(String(raw).trim()) ? Number(String(raw).trim()) : NaN;
      if (!Number.isSafeInteger(n)) throw new LthError('BAD_HPARAM', `${flag} expects an integer, got '${String(raw)}'.`);
      return n;
    }
    case 'float': {
      const s = String(raw).trim();
      const n = typeof raw === 'number' ? raw : FLOAT_RE.test(s) ? Number(s) : NaN;
      if (!Number.isFinite(n)) throw new LthError('BAD_HPARAM', `${flag} expects a finite number, got '${String(raw)}'${FLOAT_RE.test(s) ? ' (too large for a 64-bit float)' : ''}.`);
      return n;
    }
    case 'str': {
      const s = String(raw);
      if (f.choices && !f.choices.includes(s)) {
        throw new LthError('BAD_HPARAM', `${flag}='${s}' is not one of: ${f.choices.join(', ')}.`);
      }
      return s;
    }
  }
}

/** Validators shared by the standard groups. */
export const positive = (v: number): string | undefined => (v > 0 ? undefined : 'must be greater than zero');
export const nonNegative = (v: number): string | undefined => (v >= 0 ? undefined : 'must not be negative');
export const fraction = (v: number): string | undefined =>
  v > 0 && v <= 1 ? undefined : 'must be a fraction in (0, 1]';
