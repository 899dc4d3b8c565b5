import { group, Hparams, int, nonNegative, str } from '@lth/kernel';

/** The most threads `--num_threads`, `platform.numThreads` and `LTH_NATIVE_THREADS` may ask for. */
export const MAX_THREADS = 1024;

/** The most data-loading workers `--num_workers` and `platform.numWorkers` may ask for. */
export const MAX_WORKERS = 256;

/** Why `n` is not a thread count, or undefined. */
export function threadsComplaint(n: number): string | undefined {
  return n < 1 ? 'must be at least 1' : n > MAX_THREADS ? `must be at most ${MAX_THREADS}` : undefined;
}

/** The tensor backends `--backend` accepts; `auto` takes the first of the others that loads. */
export const BACKEND_CHOICES = ['auto', 'tensorflow-gpu', 'tensorflow', 'native', 'wasm', 'cpu'] as const;

/** A value of `--backend`. */
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/* eslint-disable @typescript-eslint/naming-convention -- field names are the CLI's flags */

/**
 * The local platform's command-line flags (OpenLTH's "Platform Hyperparameters"). They are never
 * hashed: the same experiment run with another backend or worker count lands in the same place.
 */
@group({ name: 'Platform Hyperparameters', description: 'Hyperparameters that control the platform on which the job is run.' })
export class LocalPlatformHparams extends Hparams {
  @int({ default: 0, help: 'The number of worker threads to use for data loading.', validate: (v: number) => nonNegative(v) ?? (v > MAX_WORKERS ? `must be at most ${MAX_WORKERS}` : undefined) })
  num_workers!: number;

  @int({
    default: null,
    help: "Threads for the native backend's kernels (oneDNN, OpenBLAS, OpenMP). Unset: LTH_NATIVE_THREADS, else the config's platform.numThreads, else every core.",
    validate: threadsComplaint,
  })
  num_threads!: number | null;

  @str({
    default: null,
    help: "The tensor backend. Unset: the config's platform.backend, else auto (the first that loads of tensorflow-gpu, tensorflow, native, wasm, cpu).",
    choices: BACKEND_CHOICES,
  })
  backend!: BackendChoice | null;

  @str({
    default: null,
    help: "What to do with an image that cannot be decoded (ImageNet): fail (the default) or skip it, using another image of its class. Unset: the config's platform.onCorruptImage.",
    choices: ['fail', 'skip'],
  })
  on_corrupt_image!: 'fail' | 'skip' | null;
}
