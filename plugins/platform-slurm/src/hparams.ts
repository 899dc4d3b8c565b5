import { group, Hparams, int, positive, str } from '@lth/kernel';

/* eslint-disable @typescript-eslint/naming-convention -- field names are the CLI's flags */

/**
 * The Slurm platform's flags. Each overrides the same setting of the config's `platform.slurm`
 * section; unset, sbatch's own defaults (the cluster's) apply. Never hashed.
 */
@group({ name: 'Platform Hyperparameters', description: 'Hyperparameters that control the platform on which the job is run.' })
export class SlurmPlatformHparams extends Hparams {
  @str({ default: null, help: "The Slurm partition (sbatch --partition). Unset: the config's platform.slurm.partition, else the cluster's default." })
  partition!: string | null;

  @str({ default: null, help: "The Slurm account (sbatch --account). Unset: the config's platform.slurm.account." })
  account!: string | null;

  @str({ default: null, help: "The time limit of each job (sbatch --time), e.g. 2:00:00. Unset: the config's platform.slurm.time." })
  time!: string | null;

  @int({ default: null, help: "CPUs of each job (sbatch --cpus-per-task); the native backend runs that many threads. Unset: the config's platform.slurm.cpus.", validate: positive })
  cpus!: number | null;

  @str({ default: null, help: "Memory of each job (sbatch --mem), e.g. 8G. Unset: the config's platform.slurm.mem." })
  mem!: string | null;
}
