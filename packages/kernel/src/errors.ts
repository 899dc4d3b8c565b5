/**
 * Errors a user can cause (bad flags, unknown names, missing files, broken plugins).
 *
 * The CLI prints `Error: message [CODE]` on one line and exits non-zero, with no stack trace.
 * Every message says what was wrong and what to do about it. Codes are stable: tests and
 * scripts may match on them.
 *
 * `details` is optional multi-line text the CLI prints, as it is, before that line: a menu of
 * the valid choices, say. An error whose message is empty prints only its details (a menu
 * that is the whole answer, as `lth lottery_branch` without a branch name).
 */
export class LthError extends Error {
  constructor(
    /** A stable, upper-snake-case code such as `UNKNOWN_MODEL` or `BAD_STEP`. */
    public readonly code: string,
    message: string,
    /** Process exit status the CLI uses for this error. */
    public readonly exitCode = 2,
    /** Multi-line text printed before the error line (e.g. a menu); undefined for none. */
    public readonly details?: string,
  ) {
    super(message);
    this.name = 'LthError';
  }
}

export function isLthError(e: unknown): e is LthError {
  return e instanceof Error && (e as LthError).name === 'LthError' && typeof (e as LthError).code === 'string';
}

/** Throws `LthError(code, message)` unless `condition` holds. */
export function check(condition: unknown, code: string, message: string | (() => string)): asserts condition {
  if (!condition) throw new LthError(code, typeof message === 'function' ? message() : message);
}
