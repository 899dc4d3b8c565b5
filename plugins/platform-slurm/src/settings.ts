import * as path from 'node:path';
import { expandHome, LthError, platformSettings, type PlatformConfig, type Registry } from '@lth/kernel';
import type { SlurmPlatformHparams } from './hparams';

/** The `platform.slurm` section of `lth.config.ts`. */
export interface SlurmConfig {
  partition?: string;
  account?: string;
  /** Time limit of each job, as sbatch writes it (`2:00:00`, `1-00:00:00`). */
  time?: string;
  /** CPUs per job (`--cpus-per-task`); the native backend runs that many threads. */
  cpus?: number;
  /** Memory per job (`8G`). */
  mem?: string;
  /** More sbatch arguments, as they are (`['--gres=gpu:1', '--qos=long']`). */
  sbatchArgs?: string[];
}

/** Everything the Slurm platform submits with, once flags, environment and config are merged. */
export interface SlurmSettings {
  /** The results root (`$LTH_ROOT`, else `platform.root`, else `~/open_lth_data`): shared storage every node mounts at the same path. */
  readonly root: string;
  readonly datasetRoot: string;
  /** The settings loaded plugins declare (`imagenetRoot` ...): see `platformSettings`. */
  readonly declared: Readonly<Record<string, string | null>>;
  readonly partition: string | null;
  readonly account: string | null;
  readonly time: string | null;
  readonly cpus: number | null;
  readonly mem: string | null;
  readonly sbatchArgs: readonly string[];
}

function str(v: unknown, key: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v === '') throw new LthError('BAD_CONFIG', `${key} in lth.config.ts must be a non-empty string (got ${JSON.stringify(v)}).`);
  return v;
}

function location(env: string | undefined, config: string | null, fallback: string | null): string | null {
  const p = env || config || fallback;
  return p === null ? null : path.resolve(expandHome(p));
}

/** Merges the flags, `LTH_*` environment variables and the config's `platform` section (its `slurm` key for Slurm's own settings); `registry` (the session's) names the settings dataset plugins declare. */
export function slurmSettings(flags: SlurmPlatformHparams, config: PlatformConfig, env: NodeJS.ProcessEnv = process.env, registry: Registry | null = null): SlurmSettings {
  const raw = config.slurm ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new LthError('BAD_CONFIG', `platform.slurm in lth.config.ts must be an object ({ partition, account, time, cpus, mem, sbatchArgs }).`);
  const slurm = raw as Record<string, unknown>;
  const known = new Set(['partition', 'account', 'time', 'cpus', 'mem', 'sbatchArgs']);
  for (const k of Object.keys(slurm)) {
    if (!known.has(k)) throw new LthError('BAD_CONFIG', `platform.slurm.${k} in lth.config.ts is not a setting: use ${[...known].join(', ')}.`);
  }
  const cpus = slurm.cpus;
  if (cpus !== undefined && (!Number.isInteger(cpus) || (cpus as number) < 1)) throw new LthError('BAD_CONFIG', `platform.slurm.cpus in lth.config.ts must be a positive integer (got ${JSON.stringify(cpus)}).`);
  const extra = slurm.sbatchArgs ?? [];
  if (!Array.isArray(extra) || extra.some((a) => typeof a !== 'string')) throw new LthError('BAD_CONFIG', `platform.slurm.sbatchArgs in lth.config.ts must be a list of strings (got ${JSON.stringify(extra)}).`);
  return {
    root: location(env.LTH_ROOT, str(config.root, 'platform.root'), '~/open_lth_data')!,
    datasetRoot: location(env.LTH_DATASET_ROOT, str(config.datasetRoot, 'platform.datasetRoot'), '~/open_lth_datasets')!,
    declared: registry ? platformSettings(config, registry, env) : {},
    partition: flags.partition ?? str(slurm.partition, 'platform.slurm.partition'),
    account: flags.account ?? str(slurm.account, 'platform.slurm.account'),
    time: flags.time ?? str(slurm.time, 'platform.slurm.time'),
    cpus: flags.cpus ?? ((cpus as number | undefined) ?? null),
    mem: flags.mem ?? str(slurm.mem, 'platform.slurm.mem'),
    sbatchArgs: extra as string[],
  };
}

/** The sbatch arguments every job of a submission gets from the settings. */
export function sbatchResourceArgs(s: SlurmSettings): string[] {
  const out: string[] = [];
  if (s.partition) out.push(`--partition=${s.partition}`);
  if (s.account) out.push(`--account=${s.account}`);
  if (s.time) out.push(`--time=${s.time}`);
  if (s.cpus) out.push(`--cpus-per-task=${s.cpus}`);
  if (s.mem) out.push(`--mem=${s.mem}`);
  return [...out, ...s.sbatchArgs];
}
