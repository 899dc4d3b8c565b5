import { createSession, loadConfig, shareWithPlugins, type LthSession } from '@lth/kernel';
import { BUILTIN_PLUGINS, installedBuiltins, SHARED_WITH_PLUGINS } from './builtins';

/**
 * What one `lth` process runs with: the kernel's session (its own child container, with the
 * registry holding the contributions of the plugins it loaded, built-ins first, then the
 * configured ones, and the configuration found from the working directory), plus where it
 * was opened and which built-ins it found.
 */
export interface Session extends LthSession {
  readonly cwd: string;
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
 * Loads the configuration (searched upward from `cwd`) and opens a session (`createSession`)
 * with the built-ins and the configured plugins. Every failure is one `LthError` naming the
 * file or plugin at fault. Sessions are independent: a second one (in a test, an embedder)
 * shares no contribution with the first.
 */
export function openSession(cwd: string = process.cwd(), options: SessionOptions = {}): Session {
  const config = loadConfig(cwd);
  const wanted = config.config.builtins === false ? [] : (options.builtins ?? BUILTIN_PLUGINS);
  const builtins = installedBuiltins(config.dir, wanted);
  const extra = (config.config.plugins ?? []).filter((p) => !builtins.includes(p));
  shareWithPlugins(SHARED_WITH_PLUGINS, __dirname);
  const session = createSession({ config, plugins: [...builtins, ...extra] });
  return { ...session, cwd, builtins: new Set(builtins), missingBuiltins: wanted.filter((b) => !builtins.includes(b)) };
}
