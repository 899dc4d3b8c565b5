import type { BranchArgSpec, HparamsClass, TrunkGroup } from '@lth/kernel';

export type { BranchArgSpec, TrunkGroup } from '@lth/kernel';

/** Options of a plain argument. Omit `default` for a required argument; `null` is Python's `None`. */
export interface ArgOptions<V> {
  readonly help?: string;
  readonly default?: V | null;
  readonly validate?: (value: V) => string | undefined;
}

/** Options of a group-valued argument. */
export interface GroupArgOptions {
  readonly help?: string;
  /** The trunk group it defaults to, field by field (see `BranchArgSpec.trunk`); without it the group's required flags are required, as in OpenLTH. */
  readonly trunk?: TrunkGroup;
}

/** A parameter decorator (TypeScript's `experimentalDecorators` form); in JavaScript call it as `decorator(Cls.prototype, 'run', index)`. */
export type ArgDecorator = (target: object, method: string | symbol | undefined, index: number) => void;

const declared = new WeakMap<object, BranchArgSpec[]>();
const ARG_NAME = /^[a-z][a-z0-9_]*$/;

function declare(spec: Omit<BranchArgSpec, 'index'>): ArgDecorator {
  return (target, method, index) => {
    if (typeof target !== 'object' && typeof target !== 'function') {
      throw new Error(`@arg.${spec.kind}('${String(spec.name)}') must decorate a parameter of run; in JavaScript call it as arg.${spec.kind}(name, {...})(MyBranch.prototype, 'run', position).`);
    }
    const cls = typeof target === 'function' ? target : target.constructor;
    if (typeof spec.name !== 'string' || !ARG_NAME.test(spec.name)) {
      throw new Error(`${cls.name}: @arg.${spec.kind}(...) on run's parameter ${index} needs a name of lower-case letters, digits and underscores as its first argument (got ${spec.name === undefined ? 'nothing' : JSON.stringify(spec.name)}).`);
    }
    if (method !== 'run') {
      throw new Error(`${cls.name}: @arg.${spec.kind}('${spec.name}') decorates a parameter of ${String(method)}; branch arguments are parameters of run(context, ...args).`);
    }
    if (index < 1) throw new Error(`${cls.name}: @arg.${spec.kind}('${spec.name}') decorates run's first parameter, which is the branch context; arguments come after it.`);
    const list = declared.get(cls) ?? [];
    list.push({ ...spec, index });
    declared.set(cls, list);
  };
}

function plain<V>(kind: 'int' | 'float' | 'str', name: string, opts: ArgOptions<V> & { choices?: readonly string[] }): ArgDecorator {
  return declare({
    name,
    kind,
    help: opts.help ?? '',
    hasDefault: 'default' in opts,
    default: opts.default,
    choices: opts.choices,
    validate: opts.validate as BranchArgSpec['validate'],
  });
}

/**
 * Decorators for the parameters of a branch's `run(context, ...args)`. Parameter names are not
 * available at run time, so each decorator names its argument:
 *
 * ```ts
 * async run(
 *   context: BranchContext,
 *   @arg.int('seed', { help: 'The seed of the random mask.' }) seed: number,
 *   @arg.str('start_at', { default: 'rewind', choices: ['init', 'end', 'rewind'] }) startAt: string,
 *   @arg.group('retrain_d', DatasetHparams, { trunk: 'dataset' }) retrainD: DatasetHparams,
 * ) { ... }
 * ```
 */
export const arg = {
  /** An integer argument (`--<name>=7`). */
  int: (name: string, opts: ArgOptions<number> = {}): ArgDecorator => plain('int', name, opts),
  /** A float argument, hashed with Python's float repr. */
  float: (name: string, opts: ArgOptions<number> = {}): ArgDecorator => plain('float', name, opts),
  /** A string argument, optionally restricted to `choices`. */
  str: (name: string, opts: ArgOptions<string> & { choices?: readonly string[] } = {}): ArgDecorator => plain('str', name, opts),
  /** A switch (`--<name>`), false unless given. */
  bool: (name: string, opts: { help?: string } = {}): ArgDecorator =>
    declare({ name, kind: 'bool', help: opts.help ?? '', hasDefault: true, default: false }),
  /** A whole hparams group, flagged `--<name>_<field>` (`--retrain_d_batch_size`). */
  group: (name: string, cls: HparamsClass, opts: GroupArgOptions = {}): ArgDecorator =>
    declare({ name, kind: 'group', help: opts.help ?? '', hasDefault: false, group: cls, trunk: opts.trunk }),
};

/**
 * The arguments declared on `cls`'s `run`, in parameter order. They must be the parameters
 * right after the context, without gaps, each declared once, with distinct names.
 */
export function declaredArgs(cls: abstract new (...a: never[]) => unknown): BranchArgSpec[] {
  const own = [...(declared.get(cls) ?? [])].sort((a, b) => a.index - b.index);
  own.forEach((s, i) => {
    if (s.index !== i + 1) {
      const what = own.some((o) => o !== s && o.index === s.index) ? `has two decorators on parameter ${s.index}` : `has no arg decorator on run's parameter ${i + 1}`;
      throw new Error(`Branch ${cls.name} ${what}: every parameter after the context needs exactly one @arg decorator.`);
    }
  });
  const run = (cls.prototype as { run?: unknown }).run;
  const parameters = typeof run === 'function' ? run.length - 1 : 0;
  if (parameters > own.length) {
    throw new Error(`Branch ${cls.name} has no arg decorator on run's parameter ${own.length + 1}: every parameter after the context needs exactly one @arg decorator (in JavaScript: arg.int('name', {...})(${cls.name}.prototype, 'run', ${own.length + 1})).`);
  }
  const names = new Set<string>();
  for (const s of own) {
    if (names.has(s.name)) throw new Error(`Branch ${cls.name} declares the argument '${s.name}' twice.`);
    names.add(s.name);
  }
  return own;
}
