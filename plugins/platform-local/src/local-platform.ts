import * as tf from '@tensorflow/tfjs-core';
import { LthError, platform, type Platform, type PlatformConfig, type PlatformFactory, inject, injectable, TOKENS, type Registry, PlatformBase } from '@lth/kernel';
import { ensureGradients } from '@lth/nn';
import { BACKEND_LOADERS, backendLoader, type BackendLoader, type BackendOptions } from './backends';
import { LocalPlatformHparams } from './hparams';
import { localPlatformSettings, type LocalPlatformSettings } from './settings';

function verbose(): boolean {
  const v = process.env.LTH_DEBUG;
  return !!v && v !== '0' && v !== 'false';
}

/**
 * One process on this machine: results under `root`, datasets under `datasetRoot`, and the
 * fastest tensor backend that loads. The distributed primitives are those of a world of one
 * (rank 0, primary, a barrier that returns at once), so code calls them at the right places
 * and runs unchanged on a platform that has more processes.
 */
export class LocalPlatform extends PlatformBase<LocalPlatformSettings> implements Platform {
  readonly name = 'local';
  readonly isDistributed = false;
  readonly rank = 0;
  readonly worldSize = 1;
  readonly isPrimary = true;
  private backendInUse = '';

  get numWorkers(): number {
    return this.settings.numWorkers;
  }

  get onCorruptImage(): 'fail' | 'skip' {
    return this.settings.onCorruptImage;
  }

  /** The tfjs name of the backend in use (`native`, `wasm`, `cpu`, `tensorflow`); empty before `setup`. */
  get backend(): string {
    return this.backendInUse;
  }

  /**
   * Loads the gradients and the requested backend (or, for `auto`, the first of tensorflow-gpu,
   * tensorflow, native, wasm, cpu that loads) and prints `Backend: <name>` once. It says why
   * an earlier candidate that is installed was skipped (with `LTH_DEBUG=1`, every one), so a
   * fallback from the native backend to WASM is never silent. A backend requested by
   * name that cannot load is a `BACKEND_UNAVAILABLE` error saying how to install it.
   */
  async setup(log: (line: string) => void): Promise<void> {
    if (this.backendInUse) return;
    tf.enableProdMode();
    await ensureGradients();
    const requested = this.settings.backend;
    const candidates = requested === 'auto' ? BACKEND_LOADERS : [backendLoader(requested)];
    const reasons: string[] = [];
    for (const candidate of candidates) {
      const failure = await activate(candidate, { threads: this.settings.numThreads });
      if (failure === null) {
        this.backendInUse = tf.getBackend();
        log(`Backend: ${candidate.choice}`);
        return;
      }
      if (requested !== 'auto') {
        throw new LthError('BACKEND_UNAVAILABLE', `The ${candidate.choice} backend is not available: ${failure}. To use it, ${candidate.install}; or pass --backend=auto.`);
      }
      reasons.push(`${candidate.choice}: ${failure}`);
      if (verbose() || !failure.endsWith('is not installed')) log(`Backend ${candidate.choice} skipped: ${failure}.`);
    }
    throw new LthError('BACKEND_UNAVAILABLE', `No tensor backend could be loaded (${reasons.join('; ')}). Reinstall lth's dependencies (npm ci).`);
  }

  async barrier(): Promise<void> {}
}

/** Registers and activates one backend; returns why it failed, or null. */
async function activate(loader: BackendLoader, options: BackendOptions): Promise<string | null> {
  try {
    loader.register(options);
    if (!(await tf.setBackend(loader.tfjsName))) return `tfjs could not initialise the ${loader.tfjsName} backend`;
    await tf.ready();
    return null;
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  }
}

/** The `local` platform kind: `--platform=local` (the default). */
@injectable()
@platform({ name: 'local', hparams: LocalPlatformHparams, description: 'This machine, one process; results in ~/open_lth_data, datasets in ~/open_lth_datasets.' })
export class LocalPlatformFactory implements PlatformFactory<LocalPlatformHparams> {
  constructor(@inject(TOKENS.Registry) private readonly registry: Registry) {}

  create(flags: LocalPlatformHparams, config: PlatformConfig): LocalPlatform {
    return new LocalPlatform(localPlatformSettings(flags, config, process.env, this.registry));
  }
}
