import { addErrorCodes, type ErrorCodeInfo } from '@lth/kernel';

/* This plugin's own error codes, added to the kernel's catalog (see ErrorCodes in @lth/kernel). */
declare module '@lth/kernel' {
  interface ErrorCodes {
    BAD_SCORES: ErrorCodeInfo;
    NO_PRUNING_CONTEXT: ErrorCodeInfo;
    UNSUPPORTED_MODEL: ErrorCodeInfo;
  }
}

addErrorCodes({
  BAD_SCORES: { exit: 2, meaning: 'A pruning strategy gave weights scores that cannot be ranked (NaN, overflow).' },
  NO_PRUNING_CONTEXT: { exit: 2, meaning: 'A strategy that scores at initialisation was called without the pruning context.' },
  UNSUPPORTED_MODEL: { exit: 2, meaning: 'A pruning strategy cannot score this network (GraSP: an operation tfjs cannot differentiate twice).' },
});
