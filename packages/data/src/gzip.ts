import { BoundedFile, gunzipBounded, readRegularFileSync, type SizeFromHeader } from '@lth/kernel';

/** Whether `data` starts with the gzip magic bytes `1f 8b`. */
export function isGzip(data: Uint8Array): boolean {
  return data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
}

/**
 * Reads a file and gunzips it when it is gzipped (by its magic bytes, whatever its name),
 * reading and decompressing no more than the size its format implies: `bound` computes it from
 * the header (an MNIST image file: 16 bytes of header, then count x rows x cols pixels), or is
 * a fixed number of bytes. A plain file is read up to that size plus one byte (so a parser
 * sees that there is more); a gzip stream that would decompress to more is stopped there (a
 * gzip bomb costs no more memory than the real file). Anything that is not a regular file (a
 * FIFO, `/dev/zero`) is refused unopened. These, and a broken gzip stream, are
 * `CORRUPT_DATASET` errors naming the file; `advice` says what to do (e.g. "Delete it and run
 * again to download it afresh.").
 */
export async function readMaybeGzipped(file: string, advice: string, bound: number | SizeFromHeader = 1 << 30): Promise<Buffer> {
  const problem = { code: 'CORRUPT_DATASET', advice } as const;
  const max = typeof bound === 'number' ? bound : bound.max;
  const compressedMax = Math.ceil(max * 1.01) + 1024;
  const plain = BoundedFile.use(file, Number.MAX_SAFE_INTEGER, problem, (f) => {
    const magic = f.read(0, 2);
    if (isGzip(magic)) return null;
    if (typeof bound === 'number') return f.read(0, bound + 1);
    const head = f.read(0, bound.headerBytes);
    const size = head.length < bound.headerBytes ? null : bound.size(head);
    return size === null ? head : f.read(0, size + 1);
  });
  if (plain) return plain;
  return gunzipBounded(readRegularFileSync(file, compressedMax, problem), file, bound, problem);
}
