import { loadConfig, loadPlugins, shareWithPlugins, type LoadedPlugin, type ResolvedConfig } from '@lth/kernel';
import { BUILTIN_PLUGINS, installedBuiltins, SHARED_WITH_PLUGINS } from './builtins';

/**
 * What one `lth` process runs with: the configuration found from the working directory and
 * the plugins it loaded (built-ins first, then the configured ones), whose contributions are
 * in the kernel's registry.
 */
export interface Session {
  readonly cwd: string;
  readonly config: ResolvedConfig;
  readonly plugins: readonly LoadedPlugin[];
  /** Specs of the plugins that were loaded as built-ins. */
  readonly builtins: ReadonlySet<string>;
  /** Built-ins that are not installed (or not built), skipped. */
  readonly missingBuiltins: readonly string[];
}

/** Options of `openSession`, for tests and embedders. */
export interface SessionOptions {
  /** Built-in plugin names (default `BUILTIN_PLUGINS`). */
  readonly builtins?: readonly string[];
}

/**
 * Loads the configuration (searched upward from `cwd`) and the plugins. Every failure is one
 * `LthError` naming the file or plugin at fault.
 */
export function openSession(cwd: string = process.cwd(), options: SessionOptions = {}): Session {
  const config = loadConfig(cwd);
  const wanted = config.config.builtins === false ? [] : (options.builtins ?? BUILTIN_PLUGINS);
  const builtins = installedBuiltins(config.dir, wanted);
  const extra = (config.config.plugins ?? []).filter((p) => !builtins.includes(p));
  shareWithPlugins(SHARED_WITH_PLUGINS, __dirname);
  const plugins = loadPlugins([...builtins, ...extra], config.dir);
  return { cwd, config, plugins, builtins: new Set(builtins), missingBuiltins: wanted.filter((b) => !builtins.includes(b)) };
}
