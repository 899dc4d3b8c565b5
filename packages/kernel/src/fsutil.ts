import * as fs from 'node:fs';
import * as path from 'node:path';
import { LthError } from './errors';

let tmpCounter = 0;

/**
 * Writes a file atomically: a temporary file beside it, fsync, then rename. A kill at any
 * moment leaves either the old file or the new one, never a torn one.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  const dir = path.dirname(file);
  ensureDir(dir);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${tmpCounter++}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    const parts = typeof data === 'string' || data instanceof Uint8Array ? [data] : data;
    for (const p of parts) fs.writeSync(fd, p as never);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** `mkdir -p`, turning permission problems into a clear error. */
export function ensureDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM' || code === 'ENOTDIR') {
      throw new LthError('NOT_WRITABLE', `Cannot create ${dir} (${code}). Choose a writable results root (platform.root in lth.config.ts).`);
    }
    throw e;
  }
}

/** Checks that `dir` (or its nearest existing ancestor) is writable; throws `NOT_WRITABLE` otherwise. */
export function assertWritable(dir: string): void {
  let d = path.resolve(dir);
  while (!fs.existsSync(d)) d = path.dirname(d);
  try {
    fs.accessSync(d, fs.constants.W_OK);
    if (!fs.statSync(d).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
  } catch (e) {
    throw new LthError('NOT_WRITABLE', `${d} is not writable (${(e as NodeJS.ErrnoException).code ?? 'error'}), so results cannot be saved under ${dir}. Fix its permissions or choose another results root.`);
  }
}
