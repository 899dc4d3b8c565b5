import { addErrorCodes, type ErrorCodeInfo } from '@lth/kernel';

/** This plugin's own error codes, added to the kernel's catalog (`ErrorCodes` in @lth/kernel). */
const PRUNING_ERROR_CODES = {
  BAD_SCORES: { exit: 2, meaning: 'A pruning strategy gave weights scores that cannot be ranked (NaN, overflow).' },
  NO_PRUNING_CONTEXT: { exit: 2, meaning: 'A strategy that scores at initialisation was called without the pruning context.' },
  UNSUPPORTED_MODEL: { exit: 2, meaning: 'A pruning strategy cannot score this network (GraSP: an operation tfjs cannot differentiate twice).' },
} as const satisfies Record<string, ErrorCodeInfo>;

type PruningErrorCodes = Record<keyof typeof PRUNING_ERROR_CODES, ErrorCodeInfo>;
declare module '@lth/kernel' {
  interface ErrorCodes extends PruningErrorCodes {}
}
addErrorCodes(PRUNING_ERROR_CODES);
