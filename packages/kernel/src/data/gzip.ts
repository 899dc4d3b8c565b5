import { gunzipBounded, readRegularFileSync } from '../bounded-read';

/** Whether `data` starts with the gzip magic bytes `1f 8b`. */
export function isGzip(data: Uint8Array): boolean {
  return data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
}

/**
 * Reads a file and gunzips it when it is gzipped (by its magic bytes, whatever its name).
 * `maxBytes` is the size its format implies (an MNIST image file: its 16-byte header and the
 * pixels of the images it must hold): a larger file, or one that decompresses to more, is
 * refused as soon as that is known, as is anything that is not a regular file (a FIFO,
 * `/dev/zero`). These and a broken gzip stream are `CORRUPT_DATASET` errors naming the file;
 * `advice` says what to do (e.g. "Delete it and run again to download it afresh.").
 */
export async function readMaybeGzipped(file: string, advice: string, maxBytes = 1 << 30): Promise<Buffer> {
  const problem = { code: 'CORRUPT_DATASET', advice };
  const raw = readRegularFileSync(file, Math.ceil(maxBytes * 1.01) + 1024, problem);
  if (!isGzip(raw)) return raw;
  return gunzipBounded(raw, file, maxBytes, problem);
}
