import type {
  BatchNormInitializer,
  DatasetFamily,
  Initializer,
  ModelFamily,
  PlatformFactory,
  PlatformKey,
  PruningStrategy,
  Workflow,
} from '../contracts';
import type { HparamsClass } from '../hparams';
import type { PruningHparams } from '../standard-hparams';
import { declareContribution, registerDecoratorModule } from './declarations';

registerDecoratorModule(__filename);

type Ctor<T> = abstract new (...args: never[]) => T;

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

/**
 * Declares a dataset family under each of `names`; `platformKeys` declares the settings of the
 * config's `platform` section it reads (see `PlatformKey`). Like every registration decorator,
 * it records a declaration (see `declareContribution`); a session builds the class when the
 * plugin is loaded into it.
 */
export function dataset(meta: { names: readonly string[]; description?: string; platformKeys?: Readonly<Record<string, PlatformKey>> }) {
  return (cls: Ctor<DatasetFamily>): void => {
    checkDecorator('dataset', cls, meta, { names: 'names' });
    checkPlatformKeys(cls, meta.platformKeys);
    const extra = meta.platformKeys ? { platformKeys: meta.platformKeys } : {};
    declareContribution({ kind: 'dataset', names: meta.names, cls, description: meta.description ?? '', meta: { family: cls.name, ...extra } });
  };
}

/** Declares a model family; `pattern` is how its names read (`cifar_resnet_D[_W]`). */
export function model(meta: { name: string; pattern: string; description?: string }) {
  return (cls: Ctor<ModelFamily>): void => {
    checkDecorator('model', cls, meta, { name: 'name', pattern: 'string' });
    declareContribution({ kind: 'model', names: [meta.name], cls, description: meta.description ?? '', meta: { pattern: meta.pattern } });
  };
}

/** Declares a pruning strategy with its hparams class (a subclass of `PruningHparams`). */
export function strategy(meta: { name: string; hparams: HparamsClass<PruningHparams>; description?: string }) {
  return (cls: Ctor<PruningStrategy>): void => {
    checkDecorator('strategy', cls, meta, { name: 'name', hparams: 'class' });
    declareContribution({ kind: 'strategy', names: [meta.name], cls, description: meta.description ?? '', meta: { hparams: meta.hparams } });
  };
}

/** Declares a platform kind with the hparams class of its CLI flags. */
export function platform(meta: { name: string; hparams: HparamsClass; description?: string }) {
  return (cls: Ctor<PlatformFactory>): void => {
    checkDecorator('platform', cls, meta, { name: 'name', hparams: 'class' });
    declareContribution({ kind: 'platform', names: [meta.name], cls, description: meta.description ?? '', meta: { hparams: meta.hparams } });
  };
}

/** Declares a workflow: a top-level command such as `train`. */
export function workflow(meta: { name: string; description: string }) {
  return (cls: Ctor<Workflow>): void => {
    checkDecorator('workflow', cls, meta, { name: 'name', description: 'string' });
    declareContribution({ kind: 'workflow', names: [meta.name], cls, description: meta.description, meta: {} });
  };
}

/** Declares a weight initializer for `--model_init` (a contribution of the plugin whose module calls this). */
export function registerInitializer(name: string, fn: Initializer, description = ''): void {
  declareContribution({ kind: 'initializer', names: [name], value: fn, description, meta: {} });
}

/** Declares a batch-norm initializer for `--batchnorm_init` (a contribution of the plugin whose module calls this). */
export function registerBatchNormInitializer(name: string, fn: BatchNormInitializer, description = ''): void {
  declareContribution({ kind: 'batchnorm_initializer', names: [name], value: fn, description, meta: {} });
}
