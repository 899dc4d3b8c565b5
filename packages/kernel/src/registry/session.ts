import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { TOKENS } from '../contracts';
import type { ResolvedConfig } from '../config';
import { loadPlugins, type InlinePlugin, type LoadedPlugin } from '../plugin';
import { Registry } from './registry';

/** What `createSession` needs: the configuration, the plugins in load order, where paths start. */
export interface SessionSpec {
  readonly config: ResolvedConfig;
  /** Plugins by package name or path (relative paths against `config.dir`), or inline plugins, in load order. */
  readonly plugins: readonly (string | InlinePlugin)[];
}

/**
 * One session: a child container of tsyringe's root container holding the session's services
 * (`TOKENS.Registry`, `TOKENS.Config`, `TOKENS.Container`), its registry with the loaded
 * plugins' contributions, and the plugins. The CLI opens one per process; each test opens its
 * own (`openTestSession` in `@lth/testing`). Sessions share nothing but the code Node cached.
 */
export interface LthSession {
  readonly container: DependencyContainer;
  readonly registry: Registry;
  readonly config: ResolvedConfig;
  readonly plugins: readonly LoadedPlugin[];
  /**
   * A child container of the session's for one job, holding its `TOKENS.Platform` and
   * `TOKENS.Output` (see `Job.container`).
   */
  jobContainer(services: { platform: unknown; out: unknown }): DependencyContainer;
  /** Forgets the contributions and disposes the container (and what it built that is disposable). */
  dispose(): Promise<void>;
}

/**
 * Creates a session: its container and registry, then loads the plugins into it (every failure
 * one `LthError` naming the plugin, see `loadPlugins`).
 */
export function createSession(spec: SessionSpec): LthSession {
  const container = rootContainer.createChildContainer();
  const registry = new Registry(container);
  container.register(TOKENS.Registry, { useValue: registry });
  container.register(TOKENS.Config, { useValue: spec.config });
  container.register(TOKENS.Container, { useValue: container });
  const plugins = loadPlugins(spec.plugins, spec.config.dir, registry);
  return {
    container,
    registry,
    config: spec.config,
    plugins,
    jobContainer({ platform, out }) {
      const child = container.createChildContainer();
      child.register(TOKENS.Platform, { useValue: platform });
      child.register(TOKENS.Output, { useValue: out });
      child.register(TOKENS.Container, { useValue: child });
      return child;
    },
    async dispose() {
      registry.clear();
      await container.dispose();
    },
  };
}
