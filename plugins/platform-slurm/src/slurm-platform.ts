import * as tf from '@tensorflow/tfjs-core';
import { inject, injectable, platform, TOKENS, type JobInvocation, type Platform, type PlatformConfig, type PlatformFactory, type Registry, type SubmitContext, PlatformBase } from '@lth/kernel';
import { SlurmPlatformHparams } from './hparams';
import { slurmSettings, type SlurmSettings } from './settings';
import { submitJobs } from './submit';

/**
 * Slurm: `lth <workflow> ... --platform=slurm` submits the command's jobs to the cluster
 * (`submitJobs`) and returns; each job runs lth with the local platform on a node, with the
 * same results root, which must be shared storage. The platform itself never trains.
 */
export class SlurmPlatform extends PlatformBase<SlurmSettings> implements Platform {
  readonly name = 'slurm';
  readonly isDistributed = false;
  readonly rank = 0;
  readonly worldSize = 1;
  readonly isPrimary = true;
  readonly numWorkers = 0;

  get backend(): string {
    return tf.getBackend() ?? '';
  }

  /** The CPU backend, enough to build a model while checking the input before submitting. */
  async setup(): Promise<void> {
    tf.enableProdMode();
    require('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
  }

  async barrier(): Promise<void> {}

  async submit(jobs: readonly JobInvocation[], context: SubmitContext): Promise<void> {
    await this.setup();
    const s = submitJobs(jobs, context, this.settings);
    const out = context.out;
    const total = s.submitted + s.done + s.queued;
    out.line(`${total} Slurm job${total === 1 ? '' : 's'}: ${s.submitted} submitted, ${s.done} already done, ${s.queued} already queued or running.`);
    if (s.arrays.length) out.line(`Job arrays: ${s.arrays.join(' ')}. Results: ${this.root}`);
    out.line('Follow them with lth status; stop them with lth cancel.');
  }
}

/** The `slurm` platform kind. */
@injectable()
@platform({ name: 'slurm', hparams: SlurmPlatformHparams, description: 'A Slurm cluster: lottery levels, branches and sweeps become chains of jobs and job arrays.' })
export class SlurmPlatformFactory implements PlatformFactory<SlurmPlatformHparams> {
  constructor(@inject(TOKENS.Registry) private readonly registry: Registry) {}

  create(flags: SlurmPlatformHparams, config: PlatformConfig): SlurmPlatform {
    return new SlurmPlatform(slurmSettings(flags, config, process.env, this.registry));
  }
}
