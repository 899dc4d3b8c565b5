import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as semver from 'semver';
import { LthError } from './errors';
import type { Contribution } from './contracts';
import { declarationsOfClasses, declarationsOfPlugin, type DeclaredClass } from './registry/declarations';
import type { Registry } from './registry/registry';

/** The version of this kernel; plugins state the range they support. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const KERNEL_VERSION: string = require('../../package.json').version;

/**
 * What a plugin declares about itself (Fastify-style): its name and version, the kernel versions
 * it works with, and the plugins it needs loaded first. The loader checks all of it and fails
 * early with a coded error.
 *
 * A plugin states it as data in its `package.json`, under the key `lth`, next to the package's
 * own `name` and `version` (which are the plugin's):
 *
 * ```json
 * { "name": "lth-plugin-x", "version": "1.0.0", "main": "dist/index.js",
 *   "lth": { "kernel": "^0.1.0", "dependencies": { "@lth/lottery": "^0.1.0" }, "description": "..." } }
 * ```
 *
 * The loader reads and checks it before any of the plugin's code runs, so a plugin built for
 * another kernel, or one whose dependencies are missing, fails without executing anything. A
 * plugin without an `lth` key may instead export `plugin = definePlugin({...})` from its main
 * module (checked after it loads; kept for plugins written before manifests moved into
 * package.json).
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

/** The `lth` key of a plugin's package.json (its name and version are the package's). */
export interface PackageLthKey {
  readonly kernel: string;
  readonly description?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
}

/** Identity helper for typing a manifest exported from a plugin's main module (see `PluginManifest`). */
export function definePlugin(m: PluginManifest): PluginManifest {
  return m;
}

/**
 * A plugin given as its classes rather than a package: what a test or an embedder that defines
 * contributions in its own code loads into a session (`openTestSession({ plugins: [{ name,
 * classes: [MyStrategy] }] })`). Its classes' declarations are built as a package's are.
 */
export interface InlinePlugin {
  readonly name: string;
  readonly version?: string;
  readonly classes: readonly DeclaredClass[];
}

/** A plugin the loader has loaded. */
export interface LoadedPlugin {
  readonly spec: string;
  readonly file: string;
  readonly manifest: PluginManifest;
  readonly contributions: Contribution[];
}

/**
 * Packages a plugin shares with the host rather than loading its own copy, each resolved from the
 * directory the host named: one kernel, one tfjs engine, one tsyringe (a plugin's `@injectable()`
 * is known to the session's container), and whatever the host adds
 * with `shareWithPlugins` (lth's CLI adds @lth/nn, @lth/data, @lth/training and @lth/lottery). A
 * plugin installed in another project resolves these to the copies the `lth` binary runs with.
 */
const sharedModules = new Map<string, string>([
  ['@lth/kernel', __dirname],
  ['@tensorflow/tfjs-core', __dirname],
  ['tsyringe', __dirname],
  ['reflect-metadata', __dirname],
]);

/** Shares the host's `modules` (resolved from `fromDir`, the host's own directory) with every plugin loaded from now on. */
export function shareWithPlugins(modules: readonly string[], fromDir: string): void {
  for (const m of modules) sharedModules.set(m, fromDir);
}

/** The packages plugins share with the host, by name. */
export function sharedWithPlugins(): string[] {
  return [...sharedModules.keys()];
}

let hooked = false;
function shareHostModules(): void {
  if (hooked) return;
  hooked = true;
  const M = Module as unknown as { _resolveFilename: (req: string, parent: unknown, ...rest: unknown[]) => string };
  const original = M._resolveFilename;
  const cache = new Map<string, string | null>();
  M._resolveFilename = function (request: string, parent: unknown, ...rest: unknown[]) {
    const shared = [...sharedModules.keys()].find((s) => request === s || request.startsWith(s + '/'));
    if (shared) {
      if (!cache.has(request)) {
        const hostDir = sharedModules.get(shared)!;
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
 * Loads plugins into `registry` (a session's) by package name or path (relative paths against
 * `baseDir`, package names resolved from `baseDir` and then from lth's own installation), or
 * inline. Importing a plugin (once per process) runs its decorators, which declare its
 * contributions; the registry then builds them through its container. Every failure is one
 * `LthError` naming the plugin: missing, throwing while loading, no manifest, incompatible
 * kernel, duplicate name, missing plugin dependency, a constructor that cannot be resolved.
 */
export function loadPlugins(specs: readonly (string | InlinePlugin)[], baseDir: string, registry: Registry): LoadedPlugin[] {
  shareHostModules();
  const loaded: LoadedPlugin[] = [];
  const byName = new Map<string, LoadedPlugin>();
  const check = (spec: string, m: PluginManifest): void => {
    if (!semver.validRange(m.kernel) || !semver.satisfies(KERNEL_VERSION, m.kernel, { includePrerelease: true })) {
      throw new LthError('PLUGIN_INCOMPATIBLE', `Plugin ${m.name}@${m.version} supports @lth/kernel ${m.kernel}, but this is @lth/kernel ${KERNEL_VERSION}. Install a version of the plugin built for this kernel.`);
    }
    const twin = byName.get(m.name);
    if (twin) throw new LthError('PLUGIN_DUPLICATE', `Plugin ${m.name} is listed twice (${twin.spec} and ${spec}). Keep one in lth.config.ts.`);
    for (const [dep, range] of Object.entries(m.dependencies ?? {})) {
      const d = byName.get(dep);
      if (!d) throw new LthError('PLUGIN_DEPENDENCY', `Plugin ${m.name} needs plugin ${dep} (${range}) loaded before it. Add it to lth.config.ts ahead of ${m.name}.`);
      if (!semver.satisfies(d.manifest.version, range)) throw new LthError('PLUGIN_DEPENDENCY', `Plugin ${m.name} needs ${dep} ${range}, but ${d.manifest.version} is loaded.`);
    }
  };
  for (const given of specs) {
    if (typeof given !== 'string') {
      const manifest: PluginManifest = { name: given.name, version: given.version ?? '0.0.0', kernel: KERNEL_VERSION };
      check(given.name, manifest);
      registry.beginPlugin(given.name);
      try {
        registry.addDeclared(declarationsOfClasses(given.classes));
      } catch (e) {
        registry.removePlugin(given.name);
        throw e;
      } finally {
        registry.endPlugin();
      }
      const lp: LoadedPlugin = { spec: given.name, file: '(inline)', manifest, contributions: registry.contributionsOf(given.name) };
      loaded.push(lp);
      byName.set(manifest.name, lp);
      continue;
    }
    const spec = given;
    const file = resolvePlugin(spec, baseDir);
    const declared = packageManifest(spec, file);
    if (declared) check(spec, declared);
    registry.beginPlugin(spec);
    let exported: { plugin?: PluginManifest; default?: { plugin?: PluginManifest } };
    try {
      exported = require(file);
      registry.addDeclared(declarationsOfPlugin(file));
    } catch (e) {
      registry.removePlugin(spec);
      registry.endPlugin();
      if (e instanceof LthError) throw e;
      throw new LthError('PLUGIN_LOAD_FAILED', `Plugin ${spec} failed while loading: ${(e as Error).message.split('\n')[0]}`);
    }
    registry.endPlugin();
    const m = declared ?? exported.plugin ?? exported.default?.plugin;
    if (!declared) {
      try {
        if (!m || typeof m.name !== 'string' || typeof m.kernel !== 'string') {
          throw new LthError('PLUGIN_INVALID', `Plugin ${spec} declares no manifest: add an "lth": { "kernel": "^${KERNEL_VERSION}" } key to its package.json (or export \`plugin = definePlugin({ name, version, kernel })\` from its main module).`);
        }
        check(spec, m);
      } catch (e) {
        registry.removePlugin(spec);
        throw e;
      }
    }
    const lp: LoadedPlugin = { spec, file, manifest: m as PluginManifest, contributions: registry.contributionsOf(spec) };
    loaded.push(lp);
    byName.set(lp.manifest.name, lp);
  }
  return loaded;
}

/**
 * The manifest in the `lth` key of the package.json that owns `file` (the nearest one above it),
 * or undefined when that package.json has no `lth` key (or there is none). A malformed key is a
 * `PLUGIN_INVALID` error naming the file.
 */
export function packageManifest(spec: string, file: string): PluginManifest | undefined {
  let dir = path.dirname(file);
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      let pkg: { name?: unknown; version?: unknown; lth?: unknown };
      try {
        pkg = JSON.parse(fs.readFileSync(pj, 'utf8')) as typeof pkg;
      } catch (e) {
        throw new LthError('PLUGIN_INVALID', `Plugin ${spec}: ${pj} is not valid JSON (${(e as Error).message.split('\n')[0]}). Fix or reinstall the plugin.`);
      }
      if (pkg.lth === undefined) return undefined;
      const lth = pkg.lth as Partial<PackageLthKey> | null;
      const bad = (what: string): never => {
        throw new LthError('PLUGIN_INVALID', `Plugin ${spec}: ${pj} ${what}. Its "lth" key reads { "kernel": "^${KERNEL_VERSION}", "dependencies": { "<plugin>": "<range>" } } beside the package's "name" and "version".`);
      };
      if (typeof pkg.name !== 'string' || !pkg.name) bad('has no "name"');
      if (typeof pkg.version !== 'string' || !semver.valid(pkg.version as string)) bad('has no valid "version"');
      if (typeof lth !== 'object' || lth === null || Array.isArray(lth)) bad('has an "lth" key that is not an object');
      if (typeof lth!.kernel !== 'string' || !semver.validRange(lth!.kernel)) bad('has no valid "lth.kernel" range');
      const deps = lth!.dependencies ?? {};
      if (typeof deps !== 'object' || deps === null || Array.isArray(deps) || Object.values(deps).some((r) => typeof r !== 'string' || !semver.validRange(r))) {
        bad('has an "lth.dependencies" that is not an object of plugin names to version ranges');
      }
      return { name: pkg.name as string, version: pkg.version as string, kernel: lth!.kernel!, description: typeof lth!.description === 'string' ? lth!.description : undefined, dependencies: deps };
    }
    const up = path.dirname(dir);
    if (up === dir || path.basename(dir) === 'node_modules') return undefined;
    dir = up;
  }
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
