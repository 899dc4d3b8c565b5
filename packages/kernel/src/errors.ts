/**
 * Errors a user can cause (bad flags, unknown names, missing files, broken plugins).
 *
 * The CLI prints `error [CODE]: message` on one line and exits non-zero, with no stack trace.
 * Every message says what was wrong and what to do about it. Codes are stable: tests and
 * scripts may match on them.
 */
export class LthError extends Error {
  constructor(
    /** A stable, upper-snake-case code such as `UNKNOWN_MODEL` or `BAD_STEP`. */
    public readonly code: string,
    message: string,
    /** Process exit status the CLI uses for this error. */
    public readonly exitCode = 2,
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
