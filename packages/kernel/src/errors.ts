import { errorCodeInfo, type ErrorCode } from './error-codes';

/**
 * Errors a user can cause (bad flags, unknown names, missing files, broken plugins).
 *
 * The CLI prints `Error: message [CODE]` on one line and exits non-zero, with no stack trace.
 * Every message says what was wrong and what to do about it. Codes come from the one catalog,
 * `ErrorCodes` (`error-codes.ts`), which also gives each its exit status.
 *
 * `details` is optional multi-line text the CLI prints, as it is, before that line: a menu of
 * the valid choices, say. An error whose message is empty prints only its details (a menu
 * that is the whole answer, as `lth lottery_branch` without a branch name).
 */
export class LthError extends Error {
  /** Process exit status the CLI uses for this error: the catalog's for its code. */
  public readonly exitCode: number;

  constructor(
    /** A catalogued, upper-snake-case code such as `UNKNOWN_MODEL` or `BAD_STEP`. */
    public readonly code: ErrorCode,
    message: string,
    /** Multi-line text printed before the error line (e.g. a menu); undefined for none. */
    public readonly details?: string,
  ) {
    super(message);
    this.name = 'LthError';
    this.exitCode = errorCodeInfo(code).exit;
  }
}

export function isLthError(e: unknown): e is LthError {
  return e instanceof Error && (e as LthError).name === 'LthError' && typeof (e as LthError).code === 'string';
}

/** Throws `LthError(code, message)` unless `condition` holds. */
export function check(condition: unknown, code: ErrorCode, message: string | (() => string)): asserts condition {
  if (!condition) throw new LthError(code, typeof message === 'function' ? message() : message);
}
