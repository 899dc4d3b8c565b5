import * as path from 'node:path';
import { expandHome, LthError, type PlatformConfig } from '@lth/kernel';
import { BACKEND_CHOICES, type BackendChoice, type LocalPlatformHparams } from './hparams';

/** Everything the local platform runs with, once flags, environment and config are merged. */
export interface LocalPlatformSettings {
  /** Results root: `$LTH_ROOT`, else config `root`, else `~/open_lth_data`. */
  readonly root: string;
  /** Dataset root: `$LTH_DATASET_ROOT`, else config `datasetRoot`, else `~/open_lth_datasets`. */
  readonly datasetRoot: string;
  /** ImageNet root: `$LTH_IMAGENET_ROOT`, else config `imagenetRoot`, else null. */
  readonly imagenetRoot: string | null;
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

/** Merges the platform flags, `LTH_*` environment variables and the config's `platform` section. */
export function localPlatformSettings(flags: LocalPlatformHparams, config: PlatformConfig, env: NodeJS.ProcessEnv = process.env): LocalPlatformSettings {
  const numWorkers = config.numWorkers;
  if (numWorkers !== undefined && (!Number.isInteger(numWorkers) || numWorkers < 0)) {
    throw new LthError('BAD_CONFIG', `platform.numWorkers in lth.config.ts must be a non-negative integer (got ${JSON.stringify(numWorkers)}).`);
  }
  const configThreads = config.numThreads;
  if (configThreads !== undefined && (!Number.isInteger(configThreads) || (configThreads as number) < 1)) {
    throw new LthError('BAD_CONFIG', `platform.numThreads in lth.config.ts must be a positive integer (got ${JSON.stringify(configThreads)}).`);
  }
  const numThreads = flags.num_threads ?? (env.LTH_NATIVE_THREADS ? undefined : configThreads as number | undefined);
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
    imagenetRoot: location(env.LTH_IMAGENET_ROOT, configString(config, 'imagenetRoot'), null),
    numWorkers: flags.num_workers || (numWorkers ?? 0),
    backend,
    onCorruptImage: flags.on_corrupt_image ?? corruptImagePolicy(env.LTH_ON_CORRUPT_IMAGE, config.onCorruptImage),
    ...(numThreads === undefined ? {} : { numThreads }),
  };
}

function corruptImagePolicy(env: string | undefined, config: unknown): 'fail' | 'skip' {
  const [value, source] = env ? [env, 'LTH_ON_CORRUPT_IMAGE'] : [config ?? 'fail', 'platform.onCorruptImage in lth.config.ts'];
  if (value !== 'fail' && value !== 'skip') throw new LthError('BAD_CONFIG', `${source} is ${JSON.stringify(value)}: use 'fail' or 'skip'.`);
  return value;
}
