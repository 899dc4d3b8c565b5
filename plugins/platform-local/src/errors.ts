import { addErrorCodes, type ErrorCodeInfo } from '@lth/kernel';

/* This plugin's own error codes, added to the kernel's catalog (see ErrorCodes in @lth/kernel). */
declare module '@lth/kernel' {
  interface ErrorCodes {
    BACKEND_UNAVAILABLE: ErrorCodeInfo;
    BAD_ENV: ErrorCodeInfo;
  }
}

addErrorCodes({
  BACKEND_UNAVAILABLE: { exit: 2, meaning: 'The tensor backend chosen with --backend (or needed by the platform) cannot be loaded.' },
  BAD_ENV: { exit: 2, meaning: 'An environment variable lth reads has an invalid value (LTH_NATIVE_THREADS).' },
});
