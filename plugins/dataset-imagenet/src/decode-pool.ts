import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { CorruptImageError, decodeExample } from './decode';

/** A file to decode, with its augmentation seed (null: evaluation transform). */
export interface DecodeTask {
  readonly id: number;
  readonly file: string;
  readonly seed: number | null;
}

/** A worker's answer: the image bytes, or why the file could not be decoded, or a failure. */
export type DecodeReply = { readonly id: number; readonly image: Uint8Array } | { readonly id: number; readonly corrupt: string } | { readonly id: number; readonly error: string };

interface Pending {
  readonly task: DecodeTask;
  resolve(image: Uint8Array): void;
  reject(e: Error): void;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly running: Map<number, Pending>;
}

/** Decodes images, at most `inFlight` at once per worker (or on the main thread). */
export interface ImageDecoder {
  decode(file: string, seed: number | null): Promise<Uint8Array>;
  close(): Promise<void>;
}

/**
 * Decodes on the main thread (sharp still decodes on libuv's threads), `inFlight` files at a
 * time so that a large batch does not hold all its decoded originals at once.
 */
export class MainThreadDecoder implements ImageDecoder {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly inFlight = 4) {}

  async decode(file: string, seed: number | null): Promise<Uint8Array> {
    if (this.running >= this.inFlight) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await decodeExample(file, seed);
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  async close(): Promise<void> {}
}

/**
 * A pool of `size` worker threads running `decodeExample` (node:worker_threads). Tasks are
 * queued and handed to the least busy worker, at most `inFlight` per worker. Results do not
 * depend on which worker decodes what. Workers are unref'd (they never keep the process
 * alive); `close()` terminates them. A worker that dies fails its tasks and every later one.
 */
export class DecodePool implements ImageDecoder {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 0;
  private failure: Error | null = null;

  constructor(
    readonly size: number,
    private readonly inFlight = 2,
    script = path.join(__dirname, 'decode-worker.js'),
  ) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(script);
      worker.unref();
      const w: PoolWorker = { worker, running: new Map() };
      worker.on('message', (reply: DecodeReply) => this.onReply(w, reply));
      worker.on('error', (e) => this.fail(new Error(`An image decoding worker failed: ${e.message}`)));
      worker.on('exit', (code) => {
        if (code !== 0 && !this.failure) this.fail(new Error(`An image decoding worker exited with code ${code}.`));
      });
      this.workers.push(w);
    }
  }

  decode(file: string, seed: number | null): Promise<Uint8Array> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Uint8Array>((resolve, reject) => {
      this.queue.push({ task: { id: this.nextId++, file, seed }, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.fail(new Error('The image decoding pool is closed.'));
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length) {
      let best: PoolWorker | null = null;
      for (const w of this.workers) if (w.running.size < this.inFlight && (!best || w.running.size < best.running.size)) best = w;
      if (!best) return;
      const p = this.queue.shift()!;
      best.running.set(p.task.id, p);
      best.worker.postMessage(p.task);
    }
  }

  private onReply(w: PoolWorker, reply: DecodeReply): void {
    const p = w.running.get(reply.id);
    if (!p) return;
    w.running.delete(reply.id);
    if ('image' in reply) p.resolve(reply.image);
    else if ('corrupt' in reply) p.reject(new CorruptImageError(p.task.file, reply.corrupt));
    else p.reject(new Error(`Decoding ${p.task.file} failed in a worker: ${reply.error}`));
    this.dispatch();
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    for (const w of this.workers) {
      for (const p of w.running.values()) p.reject(e);
      w.running.clear();
    }
    for (const p of this.queue.splice(0)) p.reject(e);
  }
}
