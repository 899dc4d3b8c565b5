import * as os from 'node:os';
import * as path from 'node:path';
import { cosmiconfigSync } from 'cosmiconfig';
import type { PlatformConfig } from './contracts';
import { LthError } from './errors';

/**
 * `lth.config.ts` (or `.lthrc*`, `lth.config.js`, an `lth` key in package.json), searched
 * upward from the working directory.
 */
export interface LthConfig {
  /** Plugins to load after the built-in ones: package names, or paths relative to the config file. */
  plugins?: string[];
  /** Load lth's built-in plugins first (default true). */
  builtins?: boolean;
  /** The platform and its settings. */
  platform?: PlatformConfig;
}

/** A loaded configuration and where it came from (null: built-in default). */
export interface ResolvedConfig {
  readonly config: LthConfig;
  readonly file: string | null;
  /** Directory that relative plugin paths are resolved against. */
  readonly dir: string;
}

/** Identity helper for typing `lth.config.ts`. */
export function defineConfig(c: LthConfig): LthConfig {
  return c;
}

/** Finds and loads the configuration, searching upward from `cwd`. */
export function loadConfig(cwd = process.cwd()): ResolvedConfig {
  const explorer = cosmiconfigSync('lth', { searchStrategy: 'global' });
  let result;
  try {
    result = explorer.search(cwd);
  } catch (e) {
    throw new LthError('BAD_CONFIG', `Could not read the lth configuration: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!result || result.isEmpty) return { config: {}, file: null, dir: cwd };
  const raw = (result.config?.default ?? result.config) as LthConfig;
  if (typeof raw !== 'object' || raw === null) throw new LthError('BAD_CONFIG', `${result.filepath} must export an object ({ plugins, platform }).`);
  if (raw.plugins !== undefined && (!Array.isArray(raw.plugins) || raw.plugins.some((p) => typeof p !== 'string'))) {
    throw new LthError('BAD_CONFIG', `${result.filepath}: 'plugins' must be a list of package names or paths.`);
  }
  return { config: raw, file: result.filepath, dir: path.dirname(result.filepath) };
}

/** Expands a leading `~` to the home directory. */
export function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}
