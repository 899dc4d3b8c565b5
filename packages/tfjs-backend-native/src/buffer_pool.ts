import { THREADS_ENV } from './threads';

/** Environment variable overriding the pool capacity, in MiB. */
export const POOL_ENV = 'LTH_NATIVE_POOL_MB';

/** Default cap on the bytes a {@link BufferPool} keeps for reuse (1 GiB, or `LTH_NATIVE_POOL_MB`). */
export function defaultPoolBytes(): number {
  const env = process.env[POOL_ENV];
  const mb = env === undefined || env === '' ? 1024 : Number(env);
  if (!Number.isFinite(mb) || mb < 0) {
    throw new Error(`@lth/tfjs-backend-native: ${POOL_ENV} must be a number of MiB, got '${env}' (see also ${THREADS_ENV})`);
  }
  return mb * 1024 * 1024;
}

const MIN_POOLED_ELEMENTS = 4096;

/** Arrays not reused within this many allocations are dropped when a new one is needed. */
const IDLE_ALLOCATIONS = 1000;

/** Arrays still unused after this many bytes of fresh allocations are dropped. */
const IDLE_FRESH_BYTES = 128 * 1024 * 1024;

/**
 * Recycles Float32Arrays by exact length, evicting the least recently
 * released ones beyond its capacity, and those left unused for a while
 * (e.g. the training step's sizes during an evaluation pass). Only arrays the pool allocated itself
 * are recycled, and never one whose memory another tensor may still see
 * (a view into it, or the same array bound to two tensors).
 */
export class BufferPool {
  private readonly free = new Map<number, Float32Array[]>();
  private readonly order = new Map<Float32Array, { at: number; fresh: number }>();
  private clock = 0;
  private freshBytes = 0;
  private readonly owners = new WeakMap<ArrayBufferLike, Float32Array>();
  private readonly bound = new WeakSet<ArrayBufferLike>();
  private readonly shared = new WeakSet<ArrayBufferLike>();
  private bytes = 0;

  constructor(private readonly capacityBytes = defaultPoolBytes()) {}

  /** A Float32Array of `n` elements: recycled (stale contents) or new (zeros). */
  take(n: number): Float32Array {
    this.clock++;
    const reused = this.free.get(n)?.pop();
    if (reused !== undefined) {
      this.order.delete(reused);
      this.bytes -= reused.byteLength;
      return reused;
    }
    this.freshBytes += n * 4;
    for (const [oldest, { at, fresh }] of this.order) {
      if (this.clock - at <= IDLE_ALLOCATIONS && this.freshBytes - fresh <= IDLE_FRESH_BYTES) break;
      this.evict(oldest);
    }
    const values = new Float32Array(n);
    this.owners.set(values.buffer, values);
    return values;
  }

  /** Records that `values` now backs a tensor. */
  noteBound(values: unknown): void {
    if (!ArrayBuffer.isView(values)) return;
    const buf = values.buffer;
    const owner = this.owners.get(buf);
    if (owner === undefined) return;
    if (owner !== values || this.bound.has(buf)) this.shared.add(buf);
    else this.bound.add(buf);
  }

  /** True for arrays this pool allocated. */
  owns(values: unknown): boolean {
    return ArrayBuffer.isView(values) && this.owners.get(values.buffer) === values;
  }

  /** Hands back the storage of a disposed tensor. */
  release(values: unknown): void {
    if (!(values instanceof Float32Array) || !this.owns(values)) return;
    const buf = values.buffer;
    this.bound.delete(buf);
    if (this.shared.has(buf) || values.length < MIN_POOLED_ELEMENTS || values.byteLength > this.capacityBytes) return;
    let list = this.free.get(values.length);
    if (list === undefined) this.free.set(values.length, (list = []));
    list.push(values);
    this.order.set(values, { at: this.clock, fresh: this.freshBytes });
    this.bytes += values.byteLength;
    while (this.bytes > this.capacityBytes) this.evict(this.order.keys().next().value as Float32Array);
  }

  private evict(oldest: Float32Array): void {
    this.order.delete(oldest);
    const list = this.free.get(oldest.length)!;
    list.splice(list.indexOf(oldest), 1);
    if (list.length === 0) this.free.delete(oldest.length);
    this.bytes -= oldest.byteLength;
  }

  /** Bytes currently held for reuse. */
  get pooledBytes(): number {
    return this.bytes;
  }

  /** Drops every pooled array (the garbage collector frees them). */
  clear(): void {
    this.free.clear();
    this.order.clear();
    this.bytes = 0;
  }
}
