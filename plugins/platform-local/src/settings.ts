import * as path from 'node:path';
import { closest, declaredPlatformKeys, expandHome, LthError, platformSettings, type PlatformConfig, type Registry } from '@lth/kernel';
import { BACKEND_CHOICES, MAX_WORKERS, threadsComplaint, type BackendChoice, type LocalPlatformHparams } from './hparams';

/** Everything the local platform runs with, once flags, environment and config are merged. */
export interface LocalPlatformSettings {
  /** Results root: `$LTH_ROOT`, else config `root`, else `~/open_lth_data`. */
  readonly root: string;
  /** Dataset root: `$LTH_DATASET_ROOT`, else config `datasetRoot`, else `~/open_lth_datasets`. */
  readonly datasetRoot: string;
  /** The settings loaded plugins declare (`imagenetRoot` ...): see `platformSettings`. */
  readonly declared: Readonly<Record<string, string | null>>;
  /** `--num_workers` when non-zero, else config `numWorkers`, else 0. */
  readonly numWorkers: number;
  /** `--backend`, else `$LTH_BACKEND`, else config `backend`, else `auto`. */
  readonly backend: BackendChoice;
  /** Native backend threads: `--num_threads`, else (`$LTH_NATIVE_THREADS` unset) config `numThreads`; undefined: the backend's default. */
  readonly numThreads?: number;
  /** `--on_corrupt_image`, else `$LTH_ON_CORRUPT_IMAGE`, else config `onCorruptImage`, else `fail`. */
  readonly onCorruptImage: 'fail' | 'skip';
}

function configString(config: PlatformConfig, key: string): string | undefined {
  const v = config[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v === '') throw new LthError('BAD_CONFIG', `platform.${key} in lth.config.ts must be a non-empty string (got ${JSON.stringify(v)}).`);
  return v;
}

function location(env: string | undefined, config: string | undefined, fallback: string | null): string | null {
  const p = env || config || fallback;
  return p === null ? null : path.resolve(expandHome(p));
}

function backendChoice(value: string, source: string): BackendChoice {
  if (!(BACKEND_CHOICES as readonly string[]).includes(value)) {
    throw new LthError('BAD_CONFIG', `${source} is '${value}', which is not a backend: use one of ${BACKEND_CHOICES.join(', ')}.`);
  }
  return value as BackendChoice;
}

/** The keys of the config's `platform` section the local platform reads. */
export const LOCAL_CONFIG_KEYS = ['name', 'root', 'datasetRoot', 'backend', 'numWorkers', 'numThreads', 'onCorruptImage'] as const;

/**
 * An unknown key in a `platform` section meant for this platform is an error naming the closest
 * known one: the local platform's own, those the plugins of `registry` declare (`imagenetRoot`).
 * A key named after a platform of `registry` (`slurm: { ... }`) is that platform's own section,
 * left to it.
 */
function checkKeys(config: PlatformConfig, registry: Registry | null): void {
  if (config.name !== undefined && config.name !== 'local') return;
  const known = [...LOCAL_CONFIG_KEYS, ...(registry ? declaredPlatformKeys(registry).keys() : [])];
  const platforms = registry ? registry.list('platform').map((p) => p.name) : [];
  for (const key of Object.keys(config)) {
    if (known.includes(key) || platforms.includes(key)) continue;
    const near = closest(key, [...known, ...platforms]);
    throw new LthError('BAD_CONFIG', `platform.${key} in lth.config.ts is not a setting of the local platform.${near ? ` Did you mean platform.${near}?` : ''} Its settings are ${known.join(', ')}.`);
  }
}

/**
 * Merges the platform flags, `LTH_*` environment variables and the config's `platform` section;
 * `registry` (the session's) names the other platforms (their sections are theirs) and the keys
 * dataset plugins declare; without one, only the local platform's own keys are known.
 */
export function localPlatformSettings(flags: LocalPlatformHparams, config: PlatformConfig, env: NodeJS.ProcessEnv = process.env, registry: Registry | null = null): LocalPlatformSettings {
  checkKeys(config, registry);
  const numWorkers = config.numWorkers;
  if (numWorkers !== undefined && (!Number.isInteger(numWorkers) || numWorkers < 0 || numWorkers > MAX_WORKERS)) {
    throw new LthError('BAD_CONFIG', `platform.numWorkers in lth.config.ts must be an integer from 0 to ${MAX_WORKERS} (got ${JSON.stringify(numWorkers)}).`);
  }
  const configThreads = config.numThreads;
  if (configThreads !== undefined && (!Number.isInteger(configThreads) || threadsComplaint(configThreads as number))) {
    throw new LthError('BAD_CONFIG', `platform.numThreads in lth.config.ts must be an integer from 1 to 1024 (got ${JSON.stringify(configThreads)}).`);
  }
  const envThreads = env.LTH_NATIVE_THREADS;
  if (envThreads !== undefined && envThreads !== '' && (!/^\d+$/.test(envThreads.trim()) || threadsComplaint(Number(envThreads)))) {
    throw new LthError('BAD_ENV', `LTH_NATIVE_THREADS='${envThreads}' is not a thread count: set it to an integer from 1 to 1024, or unset it (every core).`);
  }
  const numThreads = flags.num_threads ?? (envThreads ? undefined : configThreads as number | undefined);
  const configBackend = configString(config, 'backend');
  const backend = flags.backend
    ? flags.backend
    : env.LTH_BACKEND
      ? backendChoice(env.LTH_BACKEND, 'LTH_BACKEND')
      : configBackend
        ? backendChoice(configBackend, 'platform.backend in lth.config.ts')
        : 'auto';
  return {
    root: location(env.LTH_ROOT, configString(config, 'root'), '~/open_lth_data')!,
    datasetRoot: location(env.LTH_DATASET_ROOT, configString(config, 'datasetRoot'), '~/open_lth_datasets')!,
    numWorkers: flags.num_workers || (numWorkers ?? 0),
    backend,
    onCorruptImage: flags.on_corrupt_image ?? corruptImagePolicy(env.LTH_ON_CORRUPT_IMAGE, config.onCorruptImage),
    ...(numThreads === undefined ? {} : { numThreads }),
    declared: registry ? platformSettings(config, registry, env) : {},
  };
}

function corruptImagePolicy(env: string | undefined, config: unknown): 'fail' | 'skip' {
  const [value, source] = env ? [env, 'LTH_ON_CORRUPT_IMAGE'] : [config ?? 'fail', 'platform.onCorruptImage in lth.config.ts'];
  if (value !== 'fail' && value !== 'skip') throw new LthError('BAD_CONFIG', `${source} is ${JSON.stringify(value)}: use 'fail' or 'skip'.`);
  return value;
}
