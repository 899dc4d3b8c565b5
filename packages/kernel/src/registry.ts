import 'reflect-metadata';
import { container, type DependencyContainer } from 'tsyringe';
import type {
  BatchNormInitializer,
  DatasetFamily,
  Initializer,
  ModelFamily,
  PlatformFactory,
  PlatformKey,
  PruningStrategy,
  Workflow,
} from './contracts';
import type { ErrorCode } from './error-codes';
import { LthError } from './errors';
import type { HparamsClass } from './hparams';
import type { PruningHparams } from './standard-hparams';

/** The kinds of things a plugin can contribute. */
export type ContributionKind =
  | 'dataset'
  | 'model'
  | 'strategy'
  | 'branch'
  | 'platform'
  | 'workflow'
  | 'initializer'
  | 'batchnorm_initializer';

/** The error code of an unknown name of each kind. */
const UNKNOWN: { readonly [K in ContributionKind]: ErrorCode } = {
  dataset: 'UNKNOWN_DATASET',
  model: 'UNKNOWN_MODEL',
  strategy: 'UNKNOWN_STRATEGY',
  branch: 'UNKNOWN_BRANCH',
  platform: 'UNKNOWN_PLATFORM',
  workflow: 'UNKNOWN_WORKFLOW',
  initializer: 'UNKNOWN_INITIALIZER',
  batchnorm_initializer: 'UNKNOWN_BATCHNORM_INITIALIZER',
};

/** One registered contribution: its name, what it is, who contributed it, and the instance. */
export interface Contribution<T = unknown> {
  readonly kind: ContributionKind;
  readonly name: string;
  readonly description: string;
  /** The plugin (package name or path) that registered it; `(kernel)` for built-ins. */
  readonly plugin: string;
  readonly instance: T;
  /** Extra data by kind: a strategy's or platform's hparams class, a model family's pattern ... */
  readonly meta: Record<string, unknown>;
}

type Ctor<T> = new (...args: never[]) => T;

/**
 * Every contribution of every loaded plugin, by kind and name. Classes get here through the
 * decorators (`@dataset`, `@model`, `@strategy`, `@platform`, `@workflow`, and the lottery
 * package's `@branch`), which build them through the tsyringe container (so they may inject
 * dependencies) the moment their plugin's module is imported.
 */
export class Registry {
  private readonly items = new Map<ContributionKind, Map<string, Contribution>>();
  private loading: string | null = null;
  readonly container: DependencyContainer = container;

  /** Marks contributions registered from now on as coming from `plugin` (the loader calls this). */
  beginPlugin(plugin: string): void {
    this.loading = plugin;
  }

  endPlugin(): void {
    this.loading = null;
  }

  /** Removes everything `plugin` registered (used when its load fails). */
  removePlugin(plugin: string): void {
    for (const m of this.items.values()) for (const [k, c] of m) if (c.plugin === plugin) m.delete(k);
  }

  add<T>(kind: ContributionKind, name: string, instance: T, description = '', meta: Record<string, unknown> = {}): Contribution<T> {
    const m = this.items.get(kind) ?? new Map<string, Contribution>();
    this.items.set(kind, m);
    const plugin = this.loading ?? '(kernel)';
    const prev = m.get(name);
    if (prev) {
      throw new LthError('DUPLICATE_NAME', `${kind} '${name}' is registered twice: by ${prev.plugin} and by ${plugin}. Remove one of the two plugins from lth.config.ts, or rename one.`);
    }
    const c: Contribution<T> = { kind, name, description, plugin, instance, meta };
    m.set(name, c as Contribution);
    return c;
  }

  /** The contribution of `kind` called `name`, or undefined. */
  find<T>(kind: ContributionKind, name: string): Contribution<T> | undefined {
    return this.items.get(kind)?.get(name) as Contribution<T> | undefined;
  }

  /** The contribution of `kind` called `name`, or an error listing the known names. */
  get<T>(kind: ContributionKind, name: string): Contribution<T> {
    const c = this.find<T>(kind, name);
    if (!c) {
      const known = this.list(kind).map((x) => x.name);
      throw new LthError(
        UNKNOWN[kind],
        `Unknown ${kind.replace('_', ' ')} '${name}'. Known: ${known.length ? known.join(', ') : '(none loaded)'}.`,
      );
    }
    return c;
  }

  /** Contributions of `kind` in registration order; `pattern` may use `*` and `?` wildcards. */
  list<T = unknown>(kind: ContributionKind, pattern?: string): Contribution<T>[] {
    const all = [...(this.items.get(kind)?.values() ?? [])] as Contribution<T>[];
    if (!pattern) return all;
    const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
    return all.filter((c) => re.test(c.name));
  }

  /** Every contribution of `plugin`. */
  contributionsOf(plugin: string): Contribution[] {
    const out: Contribution[] = [];
    for (const m of this.items.values()) for (const c of m.values()) if (c.plugin === plugin) out.push(c);
    return out;
  }

  /* ------------------------------------------------------------------ typed lookups */

  dataset(name: string): Contribution<DatasetFamily> {
    return this.get<DatasetFamily>('dataset', name);
  }

  /** The first model family (in registration order) that accepts `name`, as in OpenLTH. */
  modelFamilyFor(name: string): Contribution<ModelFamily> {
    const fams = this.list<ModelFamily>('model');
    const hits = fams.filter((f) => f.instance.isValidModelName(name));
    if (hits.length > 1) {
      throw new LthError('AMBIGUOUS_MODEL', `Model name '${name}' is claimed by ${hits.length} model families: ${hits.map((f) => `${f.name} (${f.plugin})`).join(', ')}. Remove one of those plugins from lth.config.ts, or make their name patterns disjoint.`);
    }
    const hit = hits[0];
    if (!hit) {
      const why = fams.map((f) => f.instance.whyInvalid?.(name)).find((w) => typeof w === 'string' && w.length > 0);
      throw new LthError('UNKNOWN_MODEL', `Unknown model '${name}'${why ? `: ${why}` : ''}. Known model families: ${fams.map((f) => String(f.meta.pattern ?? f.name)).join(', ') || '(none loaded)'}.`);
    }
    return hit;
  }

  strategy(name: string): Contribution<PruningStrategy> & { meta: { hparams: HparamsClass<PruningHparams> } } {
    return this.get<PruningStrategy>('strategy', name) as Contribution<PruningStrategy> & { meta: { hparams: HparamsClass<PruningHparams> } };
  }

  initializer(name: string): Initializer {
    return this.get<Initializer>('initializer', name).instance;
  }

  batchnormInitializer(name: string): BatchNormInitializer {
    return this.get<BatchNormInitializer>('batchnorm_initializer', name).instance;
  }

  workflow(name: string): Contribution<Workflow> {
    return this.get<Workflow>('workflow', name);
  }

  platformFactory(name: string): Contribution<PlatformFactory> & { meta: { hparams: HparamsClass } } {
    return this.get<PlatformFactory>('platform', name) as Contribution<PlatformFactory> & { meta: { hparams: HparamsClass } };
  }
}

/** The process-wide registry (with the tsyringe container, the only module-level state). */
export const registry = new Registry();

type MetaType = 'name' | 'string' | 'names' | 'class';

/**
 * Checks what a registration decorator was given, so that a plain-JavaScript mistake (a missing
 * name, a decorator applied to nothing) fails when its plugin loads, with one line that says
 * which decorator and what to write, instead of a stray `undefined` name later.
 */
function checkDecorator(decorator: string, cls: unknown, meta: unknown, fields: Record<string, MetaType>): void {
  const where = `@${decorator}(...) on ${typeof cls === 'function' && cls.name ? cls.name : 'an anonymous class'}`;
  if (typeof cls !== 'function') throw new Error(`@${decorator}(...) must decorate a class; it was applied to ${typeof cls}. In JavaScript write ${decorator}({...})(MyClass).`);
  if (typeof meta !== 'object' || meta === null) throw new Error(`${where} needs an options object: ${decorator}({ ${Object.keys(fields).join(', ')} }).`);
  const m = meta as Record<string, unknown>;
  for (const [field, type] of Object.entries(fields)) {
    const v = m[field];
    const ok =
      type === 'name' ? typeof v === 'string' && CONTRIBUTION_NAME.test(v)
      : type === 'string' ? typeof v === 'string' && v.length > 0
      : type === 'names' ? Array.isArray(v) && v.length > 0 && v.every((n) => typeof n === 'string' && CONTRIBUTION_NAME.test(n))
      : typeof v === 'function';
    if (!ok) {
      const expected = type === 'name' ? 'a name of letters, digits and underscores' : type === 'string' ? 'a non-empty string' : type === 'names' ? 'a non-empty array of names' : 'a class';
      throw new Error(`${where}: '${field}' must be ${expected}, got ${v === undefined ? 'nothing' : JSON.stringify(v) ?? typeof v}.`);
    }
  }
}

const CONTRIBUTION_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

function checkPlatformKeys(cls: Ctor<unknown>, keys: unknown): void {
  if (keys === undefined) return;
  const bad = (why: string) => new Error(`@dataset(...) on ${cls.name || 'an anonymous class'}: 'platformKeys' ${why}`);
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) throw bad('must be an object of settings ({ imagenetRoot: { help } }).');
  for (const [key, k] of Object.entries(keys as Record<string, Partial<PlatformKey>>)) {
    if (!/^[a-z][A-Za-z0-9]*$/.test(key)) throw bad(`has '${key}': a key is a camelCase name such as imagenetRoot.`);
    if (typeof k !== 'object' || k === null || typeof k.help !== 'string' || !k.help) throw bad(`'${key}' needs a help text ({ help: '...' }).`);
    if (k.env !== undefined && (typeof k.env !== 'string' || !/^[A-Z_][A-Z0-9_]*$/.test(k.env))) throw bad(`'${key}' has env ${JSON.stringify(k.env)}: an environment variable name such as LTH_IMAGENET_ROOT.`);
    if (k.kind !== undefined && k.kind !== 'path' && k.kind !== 'string') throw bad(`'${key}' has kind ${JSON.stringify(k.kind)}: use 'path' or 'string'.`);
  }
}

function make<T>(cls: Ctor<T>): T {
  return registry.container.resolve(cls as unknown as Ctor<T> & (new () => T));
}

/**
 * Registers a dataset family under each of `names`; `platformKeys` declares the settings of the
 * config's `platform` section it reads (see `PlatformKey`).
 */
export function dataset(meta: { names: readonly string[]; description?: string; platformKeys?: Readonly<Record<string, PlatformKey>> }) {
  return (cls: Ctor<DatasetFamily>): void => {
    checkDecorator('dataset', cls, meta, { names: 'names' });
    checkPlatformKeys(cls, meta.platformKeys);
    const inst = make(cls);
    const extra = meta.platformKeys ? { platformKeys: meta.platformKeys } : {};
    for (const n of meta.names) registry.add('dataset', n, inst, meta.description ?? '', { family: cls.name, ...extra });
  };
}

/** Registers a model family; `pattern` is how its names read (`cifar_resnet_D[_W]`). */
export function model(meta: { name: string; pattern: string; description?: string }) {
  return (cls: Ctor<ModelFamily>): void => {
    checkDecorator('model', cls, meta, { name: 'name', pattern: 'string' });
    registry.add('model', meta.name, make(cls), meta.description ?? '', { pattern: meta.pattern });
  };
}

/** Registers a pruning strategy with its hparams class (a subclass of `PruningHparams`). */
export function strategy(meta: { name: string; hparams: HparamsClass<PruningHparams>; description?: string }) {
  return (cls: Ctor<PruningStrategy>): void => {
    checkDecorator('strategy', cls, meta, { name: 'name', hparams: 'class' });
    registry.add('strategy', meta.name, make(cls), meta.description ?? '', { hparams: meta.hparams });
  };
}

/** Registers a platform kind with the hparams class of its CLI flags. */
export function platform(meta: { name: string; hparams: HparamsClass; description?: string }) {
  return (cls: Ctor<PlatformFactory>): void => {
    checkDecorator('platform', cls, meta, { name: 'name', hparams: 'class' });
    registry.add('platform', meta.name, make(cls), meta.description ?? '', { hparams: meta.hparams });
  };
}

/** Registers a workflow: a top-level command such as `train`. */
export function workflow(meta: { name: string; description: string }) {
  return (cls: Ctor<Workflow>): void => {
    checkDecorator('workflow', cls, meta, { name: 'name', description: 'string' });
    registry.add('workflow', meta.name, make(cls), meta.description);
  };
}

/** Registers a weight initializer for `--model_init`. */
export function registerInitializer(name: string, fn: Initializer, description = ''): void {
  registry.add('initializer', name, fn, description);
}

/** Registers a batch-norm initializer for `--batchnorm_init`. */
export function registerBatchNormInitializer(name: string, fn: BatchNormInitializer, description = ''): void {
  registry.add('batchnorm_initializer', name, fn, description);
}
