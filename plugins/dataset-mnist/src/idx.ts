import { LthError, type SizeFromHeader } from '@lth/kernel';

/** The images of an IDX3 file (`0x00000803`): count, height, width and the pixel bytes. */
export interface IdxImages {
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  /** `count * rows * cols` bytes, row-major per image. */
  readonly pixels: Uint8Array;
}

const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;

function corrupt(file: string, what: string, advice: string): LthError {
  return new LthError('CORRUPT_DATASET', `${file} is not a valid IDX ${what}. ${advice}`);
}

/**
 * Parses an IDX image file (the MNIST format: big-endian magic `0x00000803`, count, rows,
 * cols, then the bytes). Anything off (magic, shape, count, length) is a `CORRUPT_DATASET`
 * error naming `file`, followed by `advice`.
 */
export function parseIdxImages(data: Uint8Array, file: string, expected: { count: number; rows: number; cols: number }, advice: string): IdxImages {
  if (data.length < 16) throw corrupt(file, `image file: it has ${data.length} bytes, fewer than the 16-byte header`, advice);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const magic = view.getUint32(0);
  if (magic !== IMAGES_MAGIC) throw corrupt(file, `image file: its magic number is 0x${magic.toString(16).padStart(8, '0')}, not 0x00000803`, advice);
  const count = view.getUint32(4);
  const rows = view.getUint32(8);
  const cols = view.getUint32(12);
  if (rows !== expected.rows || cols !== expected.cols) throw corrupt(file, `image file: its images are ${rows}x${cols}, not ${expected.rows}x${expected.cols}`, advice);
  if (count !== expected.count) throw corrupt(file, `image file for this dataset: it holds ${count} images, not ${expected.count}`, advice);
  const size = count * rows * cols;
  if (data.length !== 16 + size) {
    throw corrupt(file, `image file: it has ${data.length - 16} bytes of pixels where ${count} images need ${size} (${data.length < 16 + size ? 'truncated' : 'trailing data'})`, advice);
  }
  return { count, rows, cols, pixels: data.subarray(16) };
}

/**
 * Parses an IDX label file (big-endian magic `0x00000801`, count, then one byte per label),
 * checking the count and that every label is below `numClasses`.
 */
export function parseIdxLabels(data: Uint8Array, file: string, expected: { count: number; numClasses: number }, advice: string): Int32Array {
  if (data.length < 8) throw corrupt(file, `label file: it has ${data.length} bytes, fewer than the 8-byte header`, advice);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const magic = view.getUint32(0);
  if (magic !== LABELS_MAGIC) throw corrupt(file, `label file: its magic number is 0x${magic.toString(16).padStart(8, '0')}, not 0x00000801`, advice);
  const count = view.getUint32(4);
  if (count !== expected.count) throw corrupt(file, `label file for this dataset: it holds ${count} labels, not ${expected.count}`, advice);
  if (data.length !== 8 + count) {
    throw corrupt(file, `label file: it has ${data.length - 8} label bytes where ${count} labels need ${count} (${data.length < 8 + count ? 'truncated' : 'trailing data'})`, advice);
  }
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const l = data[8 + i];
    if (l >= expected.numClasses) throw corrupt(file, `label file: label ${i} is ${l}, but there are only ${expected.numClasses} classes`, advice);
    labels[i] = l;
  }
  return labels;
}

/**
 * The size an IDX image file's 16-byte header implies, when it is the expected header (magic,
 * count, rows, cols); null otherwise, so that `parseIdxImages` reports what is wrong with it.
 */
export function idxImagesBound(count: number, rows: number, cols: number): SizeFromHeader {
  const size = 16 + count * rows * cols;
  return {
    headerBytes: 16,
    max: size,
    size: (h) => (h.readUInt32BE(0) === IMAGES_MAGIC && h.readUInt32BE(4) === count && h.readUInt32BE(8) === rows && h.readUInt32BE(12) === cols ? size : null),
  };
}

/** The size an IDX label file's 8-byte header implies (see `idxImagesBound`). */
export function idxLabelsBound(count: number): SizeFromHeader {
  return { headerBytes: 8, max: 8 + count, size: (h) => (h.readUInt32BE(0) === LABELS_MAGIC && h.readUInt32BE(4) === count ? 8 + count : null) };
}
