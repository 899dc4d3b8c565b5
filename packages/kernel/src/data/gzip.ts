import * as fs from 'node:fs';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { LthError } from '../errors';

const gunzip = promisify(zlib.gunzip);

/** Whether `data` starts with the gzip magic bytes `1f 8b`. */
export function isGzip(data: Uint8Array): boolean {
  return data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
}

/**
 * Reads a file and gunzips it when it is gzipped (by its magic bytes, whatever its name).
 * A broken or truncated gzip stream is a `CORRUPT_DATASET` error naming the file; `advice`
 * says what to do (e.g. "Delete it and run again to download it afresh.").
 */
export async function readMaybeGzipped(file: string, advice: string): Promise<Buffer> {
  const raw = await fs.promises.readFile(file);
  if (!isGzip(raw)) return raw;
  try {
    return await gunzip(raw);
  } catch (e) {
    throw new LthError('CORRUPT_DATASET', `${file} is not a valid gzip file (${(e as Error).message}). ${advice}`);
  }
}
