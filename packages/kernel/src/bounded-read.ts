import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import type { ErrorCode } from './error-codes';
import { LthError } from './errors';

/**
 * What a bounded read reports when the file is not what it should be. `code` is the
 * `LthError` code (`CORRUPT_FILE`, `CORRUPT_DATASET` ...) and `advice` the sentence that says
 * what to do, appended to the message.
 */
export interface ReadProblem {
  readonly code: ErrorCode;
  readonly advice: string;
}

const KINDS: Array<[keyof fs.Stats, string]> = [
  ['isFIFO', 'a named pipe (FIFO)'],
  ['isCharacterDevice', 'a character device'],
  ['isBlockDevice', 'a block device'],
  ['isSocket', 'a socket'],
  ['isDirectory', 'a directory'],
];

function kindOf(st: fs.Stats): string {
  for (const [test, name] of KINDS) if ((st[test] as () => boolean).call(st)) return name;
  return 'not a regular file';
}

function mib(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${n} bytes`;
}

function notRegular(file: string, st: fs.Stats, problem: ReadProblem): LthError {
  return new LthError(problem.code, `${file} is ${kindOf(st)}, not a regular file, so lth will not read it (it could block or never end). ${problem.advice}`);
}

function tooLarge(file: string, size: number, limit: number, problem: ReadProblem): LthError {
  return new LthError(problem.code, `${file} is ${mib(size)}, more than the ${mib(limit)} its format allows. ${problem.advice}`);
}

/**
 * Opens `file` for reading only if it is a regular file (after symlinks): a FIFO, a device
 * (`/dev/zero`), a socket or a directory is refused before it is opened, so nothing blocks or
 * reads forever. Returns the descriptor and the size; `limit` caps the size.
 */
function openRegular(file: string, limit: number, problem: ReadProblem): { fd: number; size: number } {
  const st = fs.statSync(file);
  if (!st.isFile()) throw notRegular(file, st, problem);
  if (st.size > limit) throw tooLarge(file, st.size, limit, problem);
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const again = fs.fstatSync(fd);
    if (!again.isFile()) throw notRegular(file, again, problem);
    if (again.size > limit) throw tooLarge(file, again.size, limit, problem);
    return { fd, size: again.size };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/**
 * Reads a whole regular file of at most `limit` bytes (see `openRegular`); a file that grows
 * while it is read is read up to the size it had when opened. File-system errors (ENOENT,
 * EACCES ...) are thrown as they are, for the caller to word.
 */
export function readRegularFileSync(file: string, limit: number, problem: ReadProblem): Buffer {
  const { fd, size } = openRegular(file, limit, problem);
  try {
    const buf = Buffer.allocUnsafe(size);
    let at = 0;
    while (at < size) {
      const n = fs.readSync(fd, buf, at, size - at, at);
      if (n === 0) break;
      at += n;
    }
    return at === size ? buf : buf.subarray(0, at);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads `length` bytes at `position` of an open file (fewer at its end). */
function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let at = 0;
  while (at < length) {
    const n = fs.readSync(fd, buf, at, length - at, position + at);
    if (n === 0) break;
    at += n;
  }
  return buf.subarray(0, at);
}

/**
 * A regular file read in parts, for formats whose header says how long the rest is (the
 * safetensors header, say): nothing past what the header implies is ever read.
 */
export class BoundedFile {
  private constructor(
    readonly file: string,
    private readonly fd: number,
    /** The size of the file when it was opened. */
    readonly size: number,
  ) {}

  /** Opens a regular file of at most `limit` bytes; run `use` on it and close it. */
  static use<T>(file: string, limit: number, problem: ReadProblem, use: (f: BoundedFile) => T): T {
    const { fd, size } = openRegular(file, limit, problem);
    try {
      return use(new BoundedFile(file, fd, size));
    } finally {
      fs.closeSync(fd);
    }
  }

  /** `length` bytes from `position` (fewer at the end of the file). */
  read(position: number, length: number): Buffer {
    return readAt(this.fd, position, Math.max(0, Math.min(length, this.size - position)));
  }
}

/**
 * How big a file of a format with a fixed-size header may be: `headerBytes` bytes of header,
 * from which `size` computes the whole size, or null when the header is not what the caller
 * expects (the caller's parser then reports what is wrong with it, from the header alone).
 * `max` bounds the file before its header is known (a compressed file's size, say).
 */
export interface SizeFromHeader {
  readonly headerBytes: number;
  size(header: Buffer): number | null;
  readonly max: number;
}

function bomb(file: string, limit: number, problem: ReadProblem): LthError {
  return new LthError(problem.code, `${file} decompresses to more than ${mib(limit)}, the size its header implies (a damaged file or a gzip bomb); lth stopped there. ${problem.advice}`);
}

/**
 * Gunzips `data` as a stream, stopping as soon as the output passes the size its header
 * implies (`bound.size` of the first `bound.headerBytes` bytes; a number is a fixed limit): a
 * gzip bomb costs at most that much memory, then is one error. When the header is not the
 * expected one, only the header is returned, for the caller's parser to report. A broken
 * stream is an error too. Both use `problem`'s code and advice.
 */
export function gunzipBounded(data: Uint8Array, file: string, bound: number | SizeFromHeader, problem: ReadProblem): Promise<Buffer> {
  const headerBytes = typeof bound === 'number' ? 0 : bound.headerBytes;
  return new Promise((resolve, reject) => {
    const gz = zlib.createGunzip();
    const chunks: Buffer[] = [];
    let total = 0;
    let limit: number | null = typeof bound === 'number' ? bound : null;
    let done = false;
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      gz.removeAllListeners('data');
      gz.destroy();
      f();
    };
    gz.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
      if (limit === null && total >= headerBytes) {
        const head = Buffer.concat(chunks).subarray(0, headerBytes);
        const size = (bound as SizeFromHeader).size(head);
        if (size === null) return finish(() => resolve(Buffer.from(head)));
        limit = size;
      }
      if (limit !== null && total > limit) finish(() => reject(bomb(file, limit!, problem)));
    });
    gz.on('end', () => finish(() => resolve(Buffer.concat(chunks))));
    gz.on('error', (e: Error) => finish(() => reject(new LthError(problem.code, `${file} is not a valid gzip file (${e.message}). ${problem.advice}`))));
    gz.end(data);
  });
}

/** The largest text file lth reads (a `logger`, a JSON report): far above any it writes. */
export const MAX_TEXT_FILE = 64 * 1024 * 1024;

/**
 * Reads a regular text file lth wrote (`logger`, `sparsity_report.json`, `desc.json` ...) of at
 * most `limit` bytes as UTF-8; anything else is a `CORRUPT_FILE` error saying to delete it.
 */
export function readTextFileBounded(file: string, limit = MAX_TEXT_FILE): string {
  return readRegularFileSync(file, limit, { code: 'CORRUPT_FILE', advice: 'Delete it and rerun to recompute it.' }).toString('utf8');
}
