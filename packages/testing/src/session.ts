import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  createSession,
  JobArgs,
  packageManifest,
  type Hparams,
  type InlinePlugin,
  type Job,
  type LthConfig,
  type LthSession,
  type Platform,
  type Registry,
} from '@lth/kernel';
import { RecordingOutput } from './output';
import { testPlatform } from './platform';
import { removeDir } from './tmp';

/** lth's built-in plugins (`@lth/cli`'s list), for a test session that asks for them all. */
export const BUILTINS = 'builtins';

/** What `openTestSession` loads and where. */
export interface TestSessionOptions {
  /**
   * Plugins in load order: package names (resolved from the working directory, then from lth's
   * installation), absolute paths, inline plugins (`{ name, classes }`: contributions a test
   * declares in its own code), or `BUILTINS` for every built-in plugin that is installed. The
   * plugins a package plugin's manifest depends on (`lth.dependencies`: `@lth/nn` for a model
   * family) are loaded before it when not listed. Default: `[BUILTINS]`.
   */
  readonly plugins?: readonly (string | InlinePlugin)[];
  /** The session's configuration (default: none, only the plugins given). */
  readonly config?: LthConfig;
}

/**
 * An isolated session for a test: its own container and registry (contributions of another
 * session are not in it) and a scratch results root (`root`), removed by `dispose`.
 */
export interface TestSession extends LthSession {
  /** A scratch folder; `platform` puts results in `root/results` and datasets in `root/datasets`. */
  readonly root: string;
  /** A one-process CPU platform on `root` (see `testPlatform`). */
  readonly platform: Platform;
}

function builtinPlugins(): string[] {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { BUILTIN_PLUGINS, installedBuiltins } = require('@lth/cli') as { BUILTIN_PLUGINS: string[]; installedBuiltins: (dir: string, b: string[]) => string[] };
    return installedBuiltins(__dirname, BUILTIN_PLUGINS);
  } catch {
    throw new Error('openTestSession: BUILTINS needs @lth/cli installed (it lists the built-in plugins); name the plugins instead.');
  }
}

const open = new Set<string>();
process.on('exit', () => {
  for (const root of open) removeDir(root);
});

/** `specs` with each package plugin's manifest dependencies first (recursively), each once. */
function withDependencies(specs: readonly (string | InlinePlugin)[]): (string | InlinePlugin)[] {
  const out: (string | InlinePlugin)[] = [];
  const add = (spec: string | InlinePlugin): void => {
    if (out.includes(spec)) return;
    if (typeof spec === 'string') {
      let file: string | null = null;
      try {
        file = require.resolve(spec, { paths: [process.cwd(), __dirname] });
      } catch {
        file = null;
      }
      const deps = file ? Object.keys(packageManifest(spec, file)?.dependencies ?? {}) : [];
      for (const d of deps) if (!specs.includes(d)) add(d);
    }
    out.push(spec);
  };
  for (const s of specs) add(s);
  return out;
}

/**
 * Opens an isolated session (see `TestSession`) with `options.plugins` loaded, in a fresh
 * scratch root. Call `dispose()` when done (`useTestSession` does it for a mocha suite); a
 * session never disposed (one a test module opens for all its tests) has its root removed when
 * the process exits.
 */
export function openTestSession(options: TestSessionOptions = {}): TestSession {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lth-session-'));
  open.add(root);
  const specs = (options.plugins ?? [BUILTINS]).flatMap((p) => (p === BUILTINS ? builtinPlugins() : [p]));
  const session = createSession({ config: { config: options.config ?? {}, file: null, dir: process.cwd() }, plugins: withDependencies(specs) });
  const results = path.join(root, 'results');
  fs.mkdirSync(results);
  fs.mkdirSync(path.join(root, 'datasets'));
  return {
    ...session,
    root,
    platform: testPlatform(results),
    async dispose() {
      await session.dispose();
      removeDir(root);
      open.delete(root);
    },
  };
}

/**
 * A mocha suite's session: opened in a `before` hook of the calling `describe`, disposed in its
 * `after` hook. Use the returned handle's properties inside hooks and tests (not at
 * definition time):
 *
 * ```ts
 * describe('my strategy', () => {
 *   const s = useTestSession({ plugins: ['@lth/plugin-model-lenet', 'lth-plugin-mine'] });
 *   it('is registered', () => expect(s.registry.strategy('mine').instance).to.be.ok);
 * });
 * ```
 */
export function useTestSession(options: TestSessionOptions = {}): TestSession {
  let current: TestSession | null = null;
  before(function () {
    this.timeout(120000);
    current = openTestSession(options);
  });
  after(async () => {
    await current?.dispose();
    current = null;
  });
  const get = (): TestSession => {
    if (!current) throw new Error('useTestSession: the session is open only inside hooks and tests of its describe block.');
    return current;
  };
  return new Proxy({} as TestSession, { get: (_t, key) => Reflect.get(get(), key) });
}

/** What `testJob` builds a job from: the parsed groups, and optionally the rest of a job. */
export interface TestJobParts {
  readonly groups: Readonly<Record<string, Hparams>>;
  /** `JobArgs` values (`replicate` 1 unless given, `quiet`, `evaluate_only_at_end` ...). */
  readonly args?: Record<string, unknown>;
  readonly positionals?: readonly string[];
  readonly platform?: Platform;
  readonly out?: RecordingOutput;
}

/**
 * A `Job` of `session` as the CLI would build it: the session's registry, a job container with
 * the platform and output, the session's platform unless another is given, a recording output.
 */
export function testJob(session: TestSession, parts: TestJobParts): Job & { out: RecordingOutput } {
  const out = parts.out ?? new RecordingOutput();
  const platform = parts.platform ?? session.platform;
  return {
    groups: parts.groups,
    args: JobArgs.create({ replicate: 1, ...parts.args }),
    platform,
    positionals: parts.positionals ?? [],
    out,
    registry: session.registry,
    container: session.jobContainer({ platform, out }),
  };
}

/** A workflow command line as values: what `runTestWorkflow` builds its job's groups from. */
export interface TestWorkflowRun {
  /** The workflow's selector flags (`default_hparams`, `pruning_strategy` ...), as the CLI reads them first. */
  readonly selectors?: Record<string, string | boolean>;
  /** Field values by group key (`dataset: { batch_size: 30 }`), over the groups' defaults. */
  readonly values?: Readonly<Record<string, Record<string, unknown>>>;
  readonly args?: Record<string, unknown>;
  readonly positionals?: readonly string[];
  readonly out?: RecordingOutput;
}

/**
 * The groups workflow `name` of `session` builds for `run`: each of its flag groups (for the
 * selectors) created from the group's defaults (`--default_hparams`) overridden by `run.values`.
 */
export function workflowGroups(session: TestSession, name: string, run: TestWorkflowRun = {}): Record<string, Hparams> {
  const wf = session.registry.workflow(name).instance;
  const groups: Record<string, Hparams> = {};
  for (const g of wf.flagGroups({ positionals: run.positionals ?? [], ...run.selectors })) {
    const cls = g.hparams as unknown as { create(values: Record<string, unknown>): Hparams };
    groups[g.key] = cls.create({ ...g.defaults, ...run.values?.[g.key] });
  }
  return groups;
}

/**
 * Runs workflow `name` of `session` in-process, as `lth <name> <flags>` would, with the
 * session's platform (results under `session.platform.root`, CPU backend set up first):
 * its groups from `workflowGroups`, its job from `testJob`. Returns the job (`job.out.lines`
 * hold what it printed; `workflow.outputLocations(job)` where its results are). Read them
 * with `readLogger` and the files there.
 */
export async function runTestWorkflow(session: TestSession, name: string, run: TestWorkflowRun = {}): Promise<Job & { out: RecordingOutput }> {
  const job = testJob(session, { groups: workflowGroups(session, name, run), args: run.args, positionals: run.positionals, out: run.out });
  const wf = session.registry.workflow(name).instance;
  if (wf.needsBackend !== false) await job.platform.setup(() => undefined);
  await wf.run(job);
  return job;
}

/** Where the results of `job` of workflow `name` are (its `outputLocations`). */
export function outputLocations(session: TestSession, name: string, job: Job): string[] {
  return session.registry.workflow(name).instance.outputLocations(job);
}

/** One row of a run's `logger` (OpenLTH's `name,iteration,value`). */
export interface LoggerRow {
  readonly name: string;
  readonly iteration: number;
  readonly value: number;
}

/** The rows of `<dir>/logger`, in file order. */
export function readLogger(dir: string): LoggerRow[] {
  const text = fs.readFileSync(path.join(dir, 'logger'), 'utf8');
  return text.split('\n').filter((l) => l.trim()).map((l) => {
    const [name, iteration, value] = l.split(',');
    return { name, iteration: Number(iteration), value: Number(value) };
  });
}

/**
 * A fresh, empty registry in its own child container: for unit tests that add contributions by
 * hand (`registry.add(...)`).
 */
export function emptyRegistry(): Registry {
  return createSession({ config: { config: {}, file: null, dir: process.cwd() }, plugins: [] }).registry;
}
