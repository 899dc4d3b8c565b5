import { addErrorCodes, type ErrorCodeInfo } from '@lth/kernel';

/** This plugin's own error codes, added to the kernel's catalog (`ErrorCodes` in @lth/kernel). */
const SLURM_ERROR_CODES = {
  NO_SLURM: { exit: 2, meaning: 'Slurm\'s client commands (sbatch, squeue, ...) are not installed.' },
  SLURM_FAILED: { exit: 2, meaning: 'A Slurm command failed.' },
  SLURM_UNSUPPORTED: { exit: 2, meaning: 'A command the Slurm platform cannot submit (it names no results directory).' },
  TRUNK_NOT_READY: { exit: 2, meaning: 'A branch is submitted before its trunk level is trained or queued.' },
} as const satisfies Record<string, ErrorCodeInfo>;

type SlurmErrorCodes = Record<keyof typeof SLURM_ERROR_CODES, ErrorCodeInfo>;
declare module '@lth/kernel' {
  interface ErrorCodes extends SlurmErrorCodes {}
}
addErrorCodes(SLURM_ERROR_CODES);
