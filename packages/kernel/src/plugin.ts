import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as semver from 'semver';
import { LthError } from './errors';
import { registry, type Contribution } from './registry';

/** The version of this kernel; plugins state the range they support. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const KERNEL_VERSION: string = require('../../package.json').version;

/**
 * What a plugin declares about itself (Fastify-style), exported as `plugin` from its main
 * module: its name and version, the kernel versions it works with, and the plugins it needs
 * loaded first. The loader checks all of it and fails early with a coded error.
 */
export interface PluginManifest {
  readonly name: string;
  readonly version: string;
  /** A semver range of `@lth/kernel` versions, e.g. `^0.1.0`. */
  readonly kernel: string;
  readonly description?: string;
  /** Other plugins (by manifest name) that must be loaded before this one, with version ranges. */
  readonly dependencies?: Readonly<Record<string, string>>;
}

/** Identity helper for typing a plugin's manifest. */
export function definePlugin(m: PluginManifest): PluginManifest {
  return m;
}

/** A plugin the loader has loaded. */
export interface LoadedPlugin {
  readonly spec: string;
  readonly file: string;
  readonly manifest: PluginManifest;
  readonly contributions: Contribution[];
}

/**
 * Packages a plugin shares with the host rather than loading its own copy: one kernel (one
 * registry), one tfjs engine. A plugin installed in another project resolves these to the
 * copies the `lth` binary runs with.
 */
export const SHARED_MODULES = ['@lth/kernel', '@lth/training', '@lth/lottery', '@tensorflow/tfjs-core'];

let hooked = false;
function shareHostModules(): void {
  if (hooked) return;
  hooked = true;
  const M = Module as unknown as { _resolveFilename: (req: string, parent: unknown, ...rest: unknown[]) => string };
  const original = M._resolveFilename;
  const hostDir = __dirname;
  const cache = new Map<string, string | null>();
  M._resolveFilename = function (request: string, parent: unknown, ...rest: unknown[]) {
    const shared = SHARED_MODULES.find((s) => request === s || request.startsWith(s + '/'));
    if (shared) {
      if (!cache.has(request)) {
        try {
          // Resolved from the host alone: a caller's `require.resolve(x, { paths })` must not decide (nor cache) where a shared module comes from.
          cache.set(request, original.call(this, request, { id: hostDir, filename: path.join(hostDir, 'x.js'), paths: (Module as unknown as { _nodeModulePaths: (d: string) => string[] })._nodeModulePaths(hostDir) }, false));
        } catch {
          cache.set(request, null);
        }
      }
      const hit = cache.get(request);
      if (hit) return hit;
    }
    return original.call(this, request, parent, ...rest);
  };
}

/**
 * Loads plugins by package name or path (relative paths against `baseDir`, package names
 * resolved from `baseDir` and then from lth's own installation). Importing a plugin runs its
 * decorators, which register its contributions. Every failure is one `LthError` naming the
 * plugin: missing, throwing while loading, no manifest, incompatible kernel, duplicate name,
 * missing plugin dependency.
 */
export function loadPlugins(specs: readonly string[], baseDir: string): LoadedPlugin[] {
  shareHostModules();
  const loaded: LoadedPlugin[] = [];
  const byName = new Map<string, LoadedPlugin>();
  for (const spec of specs) {
    const file = resolvePlugin(spec, baseDir);
    registry.beginPlugin(spec);
    let exported: { plugin?: PluginManifest; default?: { plugin?: PluginManifest } };
    try {
      exported = require(file);
    } catch (e) {
      registry.removePlugin(spec);
      registry.endPlugin();
      if (e instanceof LthError) throw e;
      throw new LthError('PLUGIN_LOAD_FAILED', `Plugin ${spec} failed while loading: ${(e as Error).message.split('\n')[0]}`);
    }
    registry.endPlugin();
    const manifest = exported.plugin ?? exported.default?.plugin;
    const fail = (code: string, msg: string): never => {
      registry.removePlugin(spec);
      throw new LthError(code, msg);
    };
    if (!manifest || typeof manifest.name !== 'string' || typeof manifest.kernel !== 'string') {
      fail('PLUGIN_INVALID', `Plugin ${spec} exports no manifest: its main module must export \`plugin = definePlugin({ name, version, kernel })\`.`);
    }
    const m = manifest as PluginManifest;
    if (!semver.validRange(m.kernel) || !semver.satisfies(KERNEL_VERSION, m.kernel, { includePrerelease: true })) {
      fail('PLUGIN_INCOMPATIBLE', `Plugin ${m.name}@${m.version} supports @lth/kernel ${m.kernel}, but this is @lth/kernel ${KERNEL_VERSION}. Install a version of the plugin built for this kernel.`);
    }
    const twin = byName.get(m.name);
    if (twin) fail('PLUGIN_DUPLICATE', `Plugin ${m.name} is listed twice (${twin.spec} and ${spec}). Keep one in lth.config.ts.`);
    for (const [dep, range] of Object.entries(m.dependencies ?? {})) {
      const d = byName.get(dep);
      if (!d) fail('PLUGIN_DEPENDENCY', `Plugin ${m.name} needs plugin ${dep} (${range}) loaded before it. Add it to lth.config.ts ahead of ${m.name}.`);
      else if (!semver.satisfies(d.manifest.version, range)) fail('PLUGIN_DEPENDENCY', `Plugin ${m.name} needs ${dep} ${range}, but ${d.manifest.version} is loaded.`);
    }
    const lp: LoadedPlugin = { spec, file, manifest: m, contributions: registry.contributionsOf(spec) };
    loaded.push(lp);
    byName.set(m.name, lp);
  }
  return loaded;
}

function resolvePlugin(spec: string, baseDir: string): string {
  const isPath = spec.startsWith('.') || path.isAbsolute(spec);
  const bases = isPath ? [baseDir] : [baseDir, __dirname];
  for (const b of bases) {
    try {
      return require.resolve(isPath ? path.resolve(b, spec) : spec, { paths: [b] });
    } catch {
      /* try the next base */
    }
  }
  const where = isPath ? path.resolve(baseDir, spec) : `node_modules of ${baseDir}`;
  const hint = isPath && fs.existsSync(path.resolve(baseDir, spec)) ? ' It exists but has no loadable main module: build it (npm run build) or fix its package.json "main".' : ` Install it (npm install ${spec}) or fix the name in lth.config.ts.`;
  throw new LthError('PLUGIN_NOT_FOUND', `Plugin ${spec} was not found (looked in ${where}).${hint}`);
}
