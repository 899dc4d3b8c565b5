import {
  getKernel, KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo,
} from '@tensorflow/tfjs-core';
import { NativeBackend } from '../backend';

/** Arguments every native kernel receives. */
export interface NativeArgs {
  inputs: NamedTensorInfoMap;
  backend: NativeBackend;
  attrs: NamedAttrMap;
}

/** A native implementation; returns null to hand the call to the CPU kernel. */
export type NativeImpl = (args: NativeArgs) => TensorInfo | TensorInfo[] | null;

const counts = new Map<string, { native: number; fallback: number }>();

/** How often each native kernel ran natively or fell back to the CPU kernel. */
export function kernelStats(): Record<string, { native: number; fallback: number }> {
  return Object.fromEntries(counts);
}

/** Clears the counters behind `kernelStats`. */
export function resetKernelStats(): void {
  counts.clear();
}

/** A kernel config for backend `native` that falls back to the CPU kernel of the same name. */
export function nativeKernel(kernelName: string, impl: NativeImpl): KernelConfig {
  let fallback: KernelFunc | undefined;
  const kernelFunc: KernelFunc = (args) => {
    let c = counts.get(kernelName);
    if (c === undefined) counts.set(kernelName, (c = { native: 0, fallback: 0 }));
    const r = impl({ ...args, attrs: args.attrs ?? {} } as unknown as NativeArgs);
    if (r != null) {
      c.native++;
      return r;
    }
    c.fallback++;
    fallback ??= getKernel(kernelName, 'cpu')?.kernelFunc;
    if (fallback == null) throw new Error(`@lth/tfjs-backend-native: no fallback kernel for ${kernelName}`);
    return fallback(args);
  };
  return { kernelName, backendName: 'native', kernelFunc };
}

/** Runs `f`; on an addon error disposes `outputs` and returns null (fall back). */
export function orFallback(backend: NativeBackend, outputs: TensorInfo[], f: () => void): boolean {
  try {
    f();
    return true;
  } catch {
    for (const o of outputs) backend.disposeIntermediateTensorInfo(o);
    return false;
  }
}
