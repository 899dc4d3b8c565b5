import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { DataType, TensorInfo, util } from '@tensorflow/tfjs-core';

/**
 * The `native` backend. It keeps tensor data exactly like the tfjs CPU
 * backend — flat TypedArrays in JavaScript memory — so every CPU kernel
 * works on it unchanged (the fallback), while native kernels hand those
 * same arrays to the addon without copying.
 */
export class NativeBackend extends MathBackendCPU {
  constructor() {
    super();
    // Silences the CPU backend's "install tfjs-node" hint on first write.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /** The Float32Array holding `t`, or null when `t` is not plain float32 data. */
  f32(t: TensorInfo | undefined | null): Float32Array | null {
    if (t == null || t.dtype !== 'float32') return null;
    const v = this.data.get(t.dataId).values;
    return v instanceof Float32Array ? v : null;
  }

  /** Allocates a float32 output tensor and returns it with its backing array. */
  allocate(shape: number[], dtype: DataType = 'float32'): { info: TensorInfo; values: Float32Array } {
    const values = new Float32Array(util.sizeFromShape(shape));
    return { info: this.makeTensorInfo(shape, dtype, values), values };
  }
}
