import { addErrorCodes, type ErrorCodeInfo } from '@lth/kernel';

/* This plugin's own error codes, added to the kernel's catalog (see ErrorCodes in @lth/kernel). */
declare module '@lth/kernel' {
  interface ErrorCodes {
    NO_EXPERIMENT: ErrorCodeInfo;
    NO_ROOT: ErrorCodeInfo;
    NOT_A_LOTTERY: ErrorCodeInfo;
  }
}

addErrorCodes({
  NO_EXPERIMENT: { exit: 2, meaning: 'lth report names a directory that does not exist.' },
  NO_ROOT: { exit: 2, meaning: 'The results root lth ls reads does not exist or is not a directory.' },
  NOT_A_LOTTERY: { exit: 2, meaning: 'lth report names a directory that is not a lottery experiment.' },
});
