import type { DependencyContainer } from 'tsyringe';
import type {
  Contribution,
  ContributionKind,
  ContributionKinds,
  ModelFamily,
  PlatformFactory,
  PruningStrategy,
} from '../contracts';
import type { ErrorCode } from '../error-codes';
import { LthError } from '../errors';
import type { HparamsClass } from '../hparams';
import type { PruningHparams } from '../standard-hparams';
import type { Declaration, DeclaredClass } from './declarations';

/**
 * The error code of an unknown name of each kind: `UNKNOWN_<KIND>` (a package that adds a kind
 * catalogues that code with `addErrorCodes`).
 */
const UNKNOWN: Readonly<Record<string, ErrorCode>> = {
  dataset: 'UNKNOWN_DATASET',
  model: 'UNKNOWN_MODEL',
  strategy: 'UNKNOWN_STRATEGY',
  branch: 'UNKNOWN_BRANCH',
  platform: 'UNKNOWN_PLATFORM',
  workflow: 'UNKNOWN_WORKFLOW',
  initializer: 'UNKNOWN_INITIALIZER',
  batchnorm_initializer: 'UNKNOWN_BATCHNORM_INITIALIZER',
};

/** The contributions of `kind`, typed from `ContributionKinds`. */
export type ContributionOf<K extends ContributionKind> = Contribution<ContributionKinds[K]>;

/**
 * One session's contributions, by kind and name. A session (`createSession`; the CLI opens one
 * per process, tests one each) owns one registry and one child container; loading a plugin into
 * the session builds the classes its modules declared (`@dataset`, `@model`, `@strategy`,
 * `@platform`, `@workflow`, `@lth/lottery`'s `@branch`) through that container, so their
 * constructors receive the session's services (`TOKENS`). Two registries share nothing: a
 * plugin loaded into one is not in another.
 */
export class Registry {
  private readonly items = new Map<string, Map<string, Contribution>>();
  private loading: string | null = null;

  constructor(readonly container: DependencyContainer) {}

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

  /**
   * Builds the declared classes through the session's container (one instance per class) and
   * registers them, attributed to the plugin being loaded. A class whose constructor cannot be
   * resolved is one `PLUGIN_LOAD_FAILED` error saying how to declare its dependencies.
   */
  addDeclared(declarations: readonly Declaration[]): void {
    const built = new Map<DeclaredClass, unknown>();
    for (const d of declarations) {
      let instance = d.value;
      if (d.cls) {
        instance = built.get(d.cls) ?? this.build(d.cls);
        built.set(d.cls, instance);
      }
      for (const name of d.names) this.add(d.kind, name, instance as ContributionKinds[typeof d.kind], d.description, d.meta);
    }
  }

  private build(cls: DeclaredClass): unknown {
    try {
      return this.container.resolve(cls as unknown as new () => unknown);
    } catch (e) {
      const why = (e as Error).message.split('\n')[0];
      throw new LthError('PLUGIN_LOAD_FAILED', `Plugin ${this.loading ?? '(kernel)'}: ${cls.name} could not be built (${why}). A contribution whose constructor takes parameters needs @injectable() and @inject(TOKENS.<service>) on each, from the host's tsyringe.`);
    }
  }

  add<K extends ContributionKind>(kind: K, name: string, instance: ContributionKinds[K], description = '', meta: Record<string, unknown> = {}): ContributionOf<K> {
    const m = this.kindMap(kind);
    const plugin = this.loading ?? '(kernel)';
    const prev = m.get(name);
    if (prev) {
      throw new LthError('DUPLICATE_NAME', `${kind} '${name}' is registered twice: by ${prev.plugin} and by ${plugin}. Remove one of the two plugins from lth.config.ts, or rename one.`);
    }
    const c: ContributionOf<K> = { kind, name, description, plugin, instance, meta };
    m.set(name, c as Contribution);
    return c;
  }

  private kindMap(kind: string): Map<string, Contribution> {
    let m = this.items.get(kind);
    if (!m) this.items.set(kind, (m = new Map()));
    return m;
  }

  /** The contribution of `kind` called `name`, or undefined. */
  find<K extends ContributionKind>(kind: K, name: string): ContributionOf<K> | undefined {
    return this.kindMap(kind).get(name) as ContributionOf<K> | undefined;
  }

  /** The contribution of `kind` called `name`, or an error listing the known names. */
  get<K extends ContributionKind>(kind: K, name: string): ContributionOf<K> {
    const c = this.find(kind, name);
    if (!c) {
      const known = this.list(kind).map((x) => x.name);
      throw new LthError(
        UNKNOWN[kind] ?? (`UNKNOWN_${kind.toUpperCase()}` as ErrorCode),
        `Unknown ${kind.replace('_', ' ')} '${name}'. Known: ${known.length ? known.join(', ') : '(none loaded)'}.`,
      );
    }
    return c;
  }

  /** Contributions of `kind` in registration order; `pattern` may use `*` and `?` wildcards. */
  list<K extends ContributionKind>(kind: K, pattern?: string): ContributionOf<K>[] {
    const all = [...this.kindMap(kind).values()] as ContributionOf<K>[];
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

  /** Forgets every contribution (a disposed session's registry is empty). */
  clear(): void {
    this.items.clear();
  }

  /* ------------------------------------------------------------------ typed lookups */

  dataset(name: string): ContributionOf<'dataset'> {
    return this.get('dataset', name);
  }

  /** The first model family (in registration order) that accepts `name`, as in OpenLTH. */
  modelFamilyFor(name: string): Contribution<ModelFamily> {
    const fams = this.list('model');
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
    return this.get('strategy', name) as Contribution<PruningStrategy> & { meta: { hparams: HparamsClass<PruningHparams> } };
  }

  initializer(name: string): ContributionKinds['initializer'] {
    return this.get('initializer', name).instance;
  }

  batchnormInitializer(name: string): ContributionKinds['batchnorm_initializer'] {
    return this.get('batchnorm_initializer', name).instance;
  }

  workflow(name: string): ContributionOf<'workflow'> {
    return this.get('workflow', name);
  }

  platformFactory(name: string): Contribution<PlatformFactory> & { meta: { hparams: HparamsClass } } {
    return this.get('platform', name) as Contribution<PlatformFactory> & { meta: { hparams: HparamsClass } };
  }
}
