import { addErrorCodes, type ErrorCodeInfo } from '@lth/kernel';

/** This plugin's own error codes, added to the kernel's catalog (`ErrorCodes` in @lth/kernel). */
const REPORT_ERROR_CODES = {
  NO_EXPERIMENT: { exit: 2, meaning: 'lth report names a directory that does not exist.' },
  NO_ROOT: { exit: 2, meaning: 'The results root lth ls reads does not exist or is not a directory.' },
  NOT_A_LOTTERY: { exit: 2, meaning: 'lth report names a directory that is not a lottery experiment.' },
} as const satisfies Record<string, ErrorCodeInfo>;

type ReportErrorCodes = Record<keyof typeof REPORT_ERROR_CODES, ErrorCodeInfo>;
declare module '@lth/kernel' {
  interface ErrorCodes extends ReportErrorCodes {}
}
addErrorCodes(REPORT_ERROR_CODES);
