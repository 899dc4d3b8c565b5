import * as os from 'os';

/** Environment variable overriding the default thread count. */
export const THREADS_ENV = 'LTH_NATIVE_THREADS';

/**
 * The thread count to use: the explicit option, else `LTH_NATIVE_THREADS`,
 * else the number of CPU cores available to this process.
 */
export function resolveThreads(requested?: number): number {
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1) {
      throw new Error(`@lth/tfjs-backend-native: threads must be a positive integer, got ${requested}`);
    }
    return requested;
  }
  const env = process.env[THREADS_ENV];
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) {
      throw new Error(`@lth/tfjs-backend-native: ${THREADS_ENV} must be a positive integer, got '${env}'`);
    }
    return n;
  }
  const available = (os as { availableParallelism?: () => number }).availableParallelism;
  return available ? available() : os.cpus().length;
}
