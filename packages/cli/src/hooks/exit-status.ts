import { isLthError } from '@lth/kernel';

/**
 * `e` with the exit status oclif looks for (`oclif.exit`): oclif swallows an error a hook
 * throws unless it carries a non-zero one. `reportError` still reports it as what it is.
 */
export function withExitStatus(e: unknown): unknown {
  if (e && typeof e === 'object' && !(e as { oclif?: unknown }).oclif) {
    Object.assign(e, { oclif: { exit: isLthError(e) ? e.exitCode || 2 : 1 } });
  }
  return e;
}
