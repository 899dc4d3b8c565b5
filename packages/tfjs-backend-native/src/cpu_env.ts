import * as fs from 'fs';

/**
 * The OpenBLAS kernel family for this CPU, or undefined to let OpenBLAS decide.
 *
 * OpenBLAS' runtime CPU detection predates recent Intel server models and
 * falls back to its slowest kernels (`Prescott`, SSE3 only) on them; this
 * reads the instruction-set flags instead.
 */
export function openBlasCoreType(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') return undefined;
  let flags: Set<string>;
  try {
    const line = fs.readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'));
    if (line === undefined) return undefined;
    flags = new Set(line.split(':')[1].trim().split(/\s+/));
  } catch {
    return undefined;
  }
  if (['avx512f', 'avx512bw', 'avx512dq', 'avx512vl'].every((f) => flags.has(f))) return 'SkylakeX';
  if (['avx2', 'fma'].every((f) => flags.has(f))) return 'Haswell';
  return undefined;
}

/**
 * Environment the native libraries read when they load, each only when the
 * user has not set it: the OpenBLAS core type, and a short OpenMP spin
 * (`GOMP_SPINCOUNT=10000`) so that idle worker threads yield the cores
 * quickly on a busy machine instead of spinning for milliseconds. Must run
 * before the addon is loaded.
 */
export function configureNativeEnv(): void {
  if (process.env.OMP_WAIT_POLICY === undefined && process.env.GOMP_SPINCOUNT === undefined) {
    process.env.GOMP_SPINCOUNT = '10000';
  }
  if (process.env.OPENBLAS_CORETYPE === undefined) {
    const core = openBlasCoreType();
    if (core !== undefined) process.env.OPENBLAS_CORETYPE = core;
  }
}
