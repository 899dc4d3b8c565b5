import { parentPort } from 'node:worker_threads';
import { CorruptImageError, decodeExample } from './decode';
import type { DecodeReply, DecodeTask } from './decode-pool';

/** Worker-thread entry of `DecodePool`: decodes each task's file and posts the bytes back. */
const port = parentPort;
if (!port) throw new Error('decode-worker must run in a worker thread');
port.on('message', (task: DecodeTask) => {
  decodeExample(task.file, task.seed).then(
    (image) => port.postMessage({ id: task.id, image } satisfies DecodeReply, [image.buffer as ArrayBuffer]),
    (e: unknown) => {
      const reply: DecodeReply = e instanceof CorruptImageError ? { id: task.id, corrupt: e.reason } : { id: task.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
      port.postMessage(reply);
    },
  );
});
