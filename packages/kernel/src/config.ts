import * as os from 'node:os';
import * as path from 'node:path';
import { cosmiconfigSync, defaultLoadersSync } from 'cosmiconfig';
import type { PlatformConfig } from './contracts';
import { isLthError, LthError } from './errors';
import { closest } from './suggest';

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

/** The keys of `LthConfig`. */
export const CONFIG_KEYS = ['plugins', 'builtins', 'platform'] as const;

/** The keys of `PlatformConfig` that lth documents, for suggestions. */
const PLATFORM_KEYS = ['name', 'root', 'datasetRoot', 'backend', 'numWorkers', 'numThreads', 'onCorruptImage'];

function badConfig(file: string, message: string): LthError {
  return new LthError('BAD_CONFIG', `${file}: ${message}`);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** `lth.config.ts`: transpiled as cosmiconfig does, but a syntax error is reported with its line first. */
function loadTsChecked(filepath: string, content: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof import('typescript');
  const out = ts.transpileModule(content, { fileName: filepath, reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  const error = out.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (error) {
    const where = error.file && error.start !== undefined ? error.file.getLineAndCharacterOfPosition(error.start) : null;
    const at = where ? `line ${where.line + 1}, column ${where.character + 1}` : 'somewhere';
    throw badConfig(filepath, `syntax error at ${at}: ${ts.flattenDiagnosticMessageText(error.messageText, ' ').replace(/\.$/, '')}. Fix the file (or move it away) and run again.`);
  }
  return defaultLoadersSync['.ts'](filepath, content);
}

/**
 * Checks a loaded configuration's shape: only the known top-level keys (an unknown one is an
 * error with the closest known key), `plugins` a list of strings, `builtins` a boolean,
 * `platform` an object with a string `name`. The platform's other keys are its own to check.
 */
export function validateConfig(raw: unknown, file: string): LthConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badConfig(file, 'it must export an object ({ plugins, builtins, platform }).');
  const c = raw as Record<string, unknown>;
  for (const key of Object.keys(c)) {
    if ((CONFIG_KEYS as readonly string[]).includes(key)) continue;
    const near = closest(key, [...CONFIG_KEYS, ...PLATFORM_KEYS.map((k) => `platform.${k}`)]) ?? closest(key, PLATFORM_KEYS);
    const suggestion = near === undefined ? '' : ` Did you mean '${(CONFIG_KEYS as readonly string[]).includes(near) || near.startsWith('platform.') ? near : `platform.${near}`}'?`;
    throw badConfig(file, `unknown key '${key}'.${suggestion} The keys are ${CONFIG_KEYS.join(', ')} (the platform's settings go inside platform: { ... }).`);
  }
  if (c.plugins !== undefined && (!Array.isArray(c.plugins) || c.plugins.some((p) => typeof p !== 'string'))) {
    throw badConfig(file, `'plugins' must be a list of package names or paths (got ${JSON.stringify(c.plugins)}).`);
  }
  if (c.builtins !== undefined && typeof c.builtins !== 'boolean') {
    throw badConfig(file, `'builtins' must be true or false (got ${JSON.stringify(c.builtins)}).`);
  }
  if (c.platform !== undefined) {
    if (typeof c.platform !== 'object' || c.platform === null || Array.isArray(c.platform)) {
      const hint = typeof c.platform === 'string' ? ` Write platform: { name: ${JSON.stringify(c.platform)} }.` : '';
      throw badConfig(file, `'platform' must be an object such as { name: 'local', root: '~/open_lth_data' } (got ${JSON.stringify(c.platform)}).${hint}`);
    }
    const name = (c.platform as Record<string, unknown>).name;
    if (name !== undefined && (typeof name !== 'string' || !name)) throw badConfig(file, `'platform.name' must be a platform name such as 'local' (got ${JSON.stringify(name)}).`);
  }
  return c as LthConfig;
}

/** Finds and loads the configuration, searching upward from `cwd`; a bad one is one `BAD_CONFIG` line saying what is wrong where. */
export function loadConfig(cwd = process.cwd()): ResolvedConfig {
  const explorer = cosmiconfigSync('lth', { searchStrategy: 'global', loaders: { '.ts': loadTsChecked } });
  let result;
  try {
    result = explorer.search(cwd);
  } catch (e) {
    if (isLthError(e)) throw e;
    throw new LthError('BAD_CONFIG', `Could not read the lth configuration: ${oneLine((e as Error).message)}`);
  }
  if (!result || result.isEmpty) return { config: {}, file: null, dir: cwd };
  const raw = (result.config?.default ?? result.config) as unknown;
  return { config: validateConfig(raw, result.filepath), file: result.filepath, dir: path.dirname(result.filepath) };
}

/** Expands a leading `~` to the home directory. */
export function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}
