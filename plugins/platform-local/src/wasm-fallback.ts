import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

/** Kernels on complex numbers or strings, whose storage differs between the two backends. */
const NOT_DELEGATED = new Set(['Complex', 'ComplexAbs', 'Real', 'Imag', 'FFT', 'IFFT', 'Draw', 'StaticRegexReplace']);

/** The two methods of the WASM backend a delegated kernel needs. */
interface WasmStorage {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}

/**
 * Gives the WASM backend every kernel the CPU backend has and it lacks, notably
 * `Conv2DBackpropFilter`, without which no convolutional network can train on WASM. Each such
 * kernel copies its inputs out of the WASM heap, runs the CPU kernel on them, and copies the
 * results back. Call it after `@tensorflow/tfjs-backend-wasm` is loaded; returns the kernel
 * names it added (none on a second call).
 */
export function registerWasmFallbacks(): string[] {
  const own = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  let cpu: MathBackendCPU | null = null;
  const added: string[] = [];
  for (const kernel of tf.getKernelsForBackend('cpu')) {
    if (own.has(kernel.kernelName) || NOT_DELEGATED.has(kernel.kernelName)) continue;
    tf.registerKernel({
      kernelName: kernel.kernelName,
      backendName: 'wasm',
      kernelFunc: ({ inputs, attrs, backend }) => {
        cpu ??= new MathBackendCPU();
        const host = cpu;
        const wasm = backend as unknown as WasmStorage;
        const copies: Record<string, tf.TensorInfo> = {};
        for (const [name, t] of Object.entries(inputs)) {
          if (t) copies[name] = host.makeTensorInfo(t.shape, t.dtype, wasm.readSync(t.dataId) as tf.backend_util.BackendValues);
        }
        try {
          const result = kernel.kernelFunc({ inputs: copies, attrs, backend: host });
          const outputs = Array.isArray(result) ? result : [result];
          const moved = outputs.map((o) => {
            const back = wasm.makeOutput(o.shape, o.dtype, undefined, host.readSync(o.dataId));
            host.disposeData(o.dataId, true);
            return back;
          });
          return Array.isArray(result) ? moved : moved[0];
        } finally {
          for (const c of Object.values(copies)) host.disposeData(c.dataId, true);
        }
      },
    });
    added.push(kernel.kernelName);
  }
  return added;
}
