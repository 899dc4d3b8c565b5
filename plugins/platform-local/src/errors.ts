import { addErrorCodes, type ErrorCodeInfo } from '@lth/kernel';

/** This plugin's own error codes, added to the kernel's catalog (`ErrorCodes` in @lth/kernel). */
const LOCAL_ERROR_CODES = {
  BACKEND_UNAVAILABLE: { exit: 2, meaning: 'The tensor backend chosen with --backend (or needed by the platform) cannot be loaded.' },
  BAD_ENV: { exit: 2, meaning: 'An environment variable lth reads has an invalid value (LTH_NATIVE_THREADS).' },
} as const satisfies Record<string, ErrorCodeInfo>;

type LocalPlatformErrorCodes = Record<keyof typeof LOCAL_ERROR_CODES, ErrorCodeInfo>;
declare module '@lth/kernel' {
  interface ErrorCodes extends LocalPlatformErrorCodes {}
}
addErrorCodes(LOCAL_ERROR_CODES);
