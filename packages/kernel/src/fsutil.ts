import * as fs from 'node:fs';
import * as path from 'node:path';
import { LthError } from './errors';
import { ioError, withIo } from './io-errors';

let tmpCounter = 0;
let renames = 0;

/**
 * Test hook: `LTH_KILL_BEFORE_RENAME=K` SIGKILLs the process just before the K-th atomic
 * rename (temporary file written and synced, real file untouched), as a kill at the worst
 * moment would. Read once; unset in normal use.
 */
const KILL_BEFORE_RENAME = Number(process.env.LTH_KILL_BEFORE_RENAME) || 0;

/**
 * Writes a file atomically: a temporary file beside it (`.<name>.<pid>.<n>.tmp`), fsync, then
 * rename. A kill at any moment leaves either the old file or the new one, never a torn one;
 * a failed write (no space, an I/O error) removes its temporary file and leaves the old file
 * as it was. System errors are `LthError`s naming the file (see `ioError`).
 */
export function writeFileAtomic(file: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  const dir = path.dirname(file);
  ensureDir(dir);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${tmpCounter++}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      const parts = typeof data === 'string' || data instanceof Uint8Array ? [data] : data;
      for (const p of parts) fs.writeSync(fd, p as never);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (KILL_BEFORE_RENAME && ++renames === KILL_BEFORE_RENAME) process.kill(process.pid, 'SIGKILL');
    fs.renameSync(tmp, file);
  } catch (e) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* never created, or renamed */
    }
    throw ioError(e, 'write', file);
  }
}

/** `mkdir -p`, turning system errors (permissions, a file in the way, no space) into one clear error. */
export function ensureDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM') {
      throw new LthError('NOT_WRITABLE', `Cannot create ${dir} (${code}). Choose a writable results root (platform.root in lth.config.ts).`);
    }
    throw ioError(e, 'create the directory', dir);
  }
}

/** Reads a whole file; system errors are `LthError`s naming it (see `ioError`). */
export function readFileChecked(file: string): Buffer {
  return withIo('read', file, () => fs.readFileSync(file));
}

/** `writeFileAtomic`'s temporary names: `.<file>.<pid>.<counter>.tmp`. */
const TEMP_FILE = /^\..+\.(\d+)\.\d+\.tmp$/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files that atomic writes of killed processes left in `dir` and, with
 * `recursive`, below it (a kill between writing and renaming leaves one behind; the real file
 * is intact). Files of live processes are kept. Returns the paths removed, relative to `dir`.
 */
export function removeStaleTempFiles(dir: string, recursive = false): string[] {
  const removed: string[] = [];
  const walk = (d: string, rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (recursive && e.isDirectory() && !e.isSymbolicLink()) {
        walk(path.join(d, e.name), path.join(rel, e.name));
        continue;
      }
      const m = TEMP_FILE.exec(e.name);
      if (!m || !e.isFile() || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
      try {
        fs.unlinkSync(path.join(d, e.name));
        removed.push(path.join(rel, e.name));
      } catch {
        /* gone already, or not ours to remove */
      }
    }
  };
  walk(dir, '');
  return removed;
}

/** Checks that `dir` (or its nearest existing ancestor) is writable; throws `NOT_WRITABLE` otherwise. */
export function assertWritable(dir: string): void {
  let d = path.resolve(dir);
  while (!fs.existsSync(d)) d = path.dirname(d);
  try {
    fs.accessSync(d, fs.constants.W_OK);
    if (!fs.statSync(d).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw new LthError('NOT_A_DIRECTORY', `${d} is a file, not a directory, so results cannot be saved under ${dir}. Move it away or choose another results root.`);
    }
    throw new LthError('NOT_WRITABLE', `${d} is not writable (${(e as NodeJS.ErrnoException).code ?? 'error'}), so results cannot be saved under ${dir}. Fix its permissions or choose another results root.`);
  }
}
