import * as path from 'node:path';
import { expandHome } from './config';
import type { PlatformConfig, PlatformKey } from './contracts';
import { LthError } from './errors';
import type { Registry } from './registry/registry';

/** A platform key a loaded plugin declared, with the plugin that declared it. */
export interface DeclaredPlatformKey extends PlatformKey {
  readonly plugin: string;
}

/** The platform keys the dataset families of `registry` declare (`@dataset({ platformKeys })`), by key. */
export function declaredPlatformKeys(registry: Registry): ReadonlyMap<string, DeclaredPlatformKey> {
  const keys = new Map<string, DeclaredPlatformKey>();
  for (const c of registry.list('dataset')) {
    const declared = c.meta.platformKeys as Readonly<Record<string, PlatformKey>> | undefined;
    for (const [key, k] of Object.entries(declared ?? {})) if (!keys.has(key)) keys.set(key, { ...k, plugin: c.plugin });
  }
  return keys;
}

/**
 * The values of the declared platform keys for `config`: each its environment variable, else the
 * config's `platform.<key>`, else null; a `path` has `~` expanded and is made absolute. A config
 * value that is not a non-empty string is one `BAD_CONFIG` line. The keys are those `registry`'s
 * dataset families declare.
 */
export function platformSettings(config: PlatformConfig, registry: Registry, env: NodeJS.ProcessEnv = process.env): Readonly<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  for (const [key, k] of declaredPlatformKeys(registry)) {
    const configured = config[key];
    if (configured !== undefined && configured !== null && (typeof configured !== 'string' || configured === '')) {
      throw new LthError('BAD_CONFIG', `platform.${key} in lth.config.ts must be a non-empty string (got ${JSON.stringify(configured)}).`);
    }
    const value = (k.env ? env[k.env] : undefined) || (configured as string | undefined) || null;
    out[key] = value === null || k.kind === 'string' ? value : path.resolve(expandHome(value));
  }
  return out;
}

/** What every platform resolves from its config: the results root, the dataset root, the declared settings. */
export interface PlatformLocations {
  readonly root: string;
  readonly datasetRoot: string;
  /** The values of the declared platform keys (`platformSettings`). */
  readonly declared: Readonly<Record<string, string | null>>;
}

/**
 * The part of a `Platform` that only reads its resolved settings (`root`, `datasetRoot`,
 * `setting(key)`); a platform plugin extends it and adds the rest of the contract.
 */
export abstract class PlatformBase<S extends PlatformLocations> {
  constructor(readonly settings: S) {}

  get root(): string {
    return this.settings.root;
  }

  get datasetRoot(): string {
    return this.settings.datasetRoot;
  }

  setting(key: string): string | null {
    return this.settings.declared[key] ?? null;
  }
}
