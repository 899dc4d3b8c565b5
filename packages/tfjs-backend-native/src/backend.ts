import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { BackendValues, DataId, DataType, TensorInfo, util } from '@tensorflow/tfjs-core';
import { BufferPool } from './buffer_pool';

/**
 * The `native` backend. It keeps tensor data exactly like the tfjs CPU
 * backend — flat TypedArrays in JavaScript memory — so every CPU kernel
 * works on it unchanged (the fallback), while native kernels hand those
 * same arrays to the addon without copying.
 *
 * Output arrays of native kernels are recycled through a {@link BufferPool}
 * when their tensor is disposed: fresh memory costs a page fault per 4 KiB
 * on first touch, which would otherwise dominate elementwise kernels. For
 * that reason `dataSync()` / `data()` return copies of such arrays, never
 * the live storage.
 */
export class NativeBackend extends MathBackendCPU {
  readonly pool: BufferPool;

  constructor(poolBytes?: number) {
    super();
    // Silences the CPU backend's "install tfjs-node" hint on first write.
    (this as unknown as { firstUse: boolean }).firstUse = false;
    this.pool = new BufferPool(poolBytes);
  }

  /** The Float32Array holding `t`, or null when `t` is not plain float32 data. */
  f32(t: TensorInfo | undefined | null): Float32Array | null {
    if (t == null || t.dtype !== 'float32') return null;
    const v = this.data.get(t.dataId).values;
    return v instanceof Float32Array ? v : null;
  }

  /** The Int32Array holding `t`, or null when `t` is not plain int32 data. */
  i32(t: TensorInfo | undefined | null): Int32Array | null {
    if (t == null || t.dtype !== 'int32') return null;
    const v = this.data.get(t.dataId).values;
    return v instanceof Int32Array ? v : null;
  }

  /**
   * Allocates a float32 output tensor and returns it with its backing array.
   * The array may hold stale data: the kernel must write every element.
   */
  allocate(shape: number[], dtype: DataType = 'float32'): { info: TensorInfo; values: Float32Array } {
    const values = this.pool.take(util.sizeFromShape(shape));
    return { info: this.makeTensorInfo(shape, dtype, values), values };
  }

  override write(values: BackendValues, shape: number[], dtype: DataType): DataId {
    this.pool.noteBound(values);
    return super.write(values, shape, dtype);
  }

  override move(dataId: DataId, values: BackendValues, shape: number[], dtype: DataType, refCount: number): void {
    this.pool.noteBound(values);
    super.move(dataId, values, shape, dtype, refCount);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.has(dataId) ? this.data.get(dataId).values : undefined;
    const released = super.disposeData(dataId, force);
    if (released && values !== undefined && !this.data.has(dataId)) this.pool.release(values);
    return released;
  }

  override readSync(dataId: DataId): BackendValues {
    const v = super.readSync(dataId);
    return this.pool.owns(v) ? (v as Float32Array).slice() : v;
  }

  override dispose(): void {
    this.pool.clear();
    super.dispose();
  }
}
