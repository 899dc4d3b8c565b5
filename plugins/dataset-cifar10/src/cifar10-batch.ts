import { isLthError, LthError, readRegularFileSync } from '@lth/kernel';
import { NumpyArray, PickleError, PyBytes, PyDict, unpickle } from './pickle';

/** Height, width and channels of one CIFAR-10 image. */
export const CIFAR10_SHAPE = [32, 32, 3] as const;
/** Bytes of one image: 3 × 32 × 32, channel-major (CHW) in both distributions. */
export const CIFAR10_IMAGE_BYTES = 3 * 32 * 32;
export const CIFAR10_CLASSES = 10;

/** One batch file's examples: uint8 images in HWC order and their labels. */
export interface Cifar10Batch {
  /** `count * 32 * 32 * 3` bytes, each image HWC. */
  readonly images: Uint8Array;
  readonly labels: Int32Array;
}

function corrupt(file: string, what: string): LthError {
  return new LthError('CORRUPT_DATASET', `${file} is not a valid CIFAR-10 batch: ${what}. Delete it (and the archive next to it, if any) so it is extracted or downloaded again.`);
}

/**
 * The most bytes a batch file may have: 10,000 records of 3,073 bytes (the binary batches) or
 * their pickle (a little more), with room to spare.
 */
export const MAX_BATCH_BYTES = 40 * 1024 * 1024;

function readWhole(file: string): Uint8Array {
  try {
    return readRegularFileSync(file, MAX_BATCH_BYTES, { code: 'CORRUPT_DATASET', advice: 'Delete it (and the archive next to it, if any) so it is extracted or downloaded again.' });
  } catch (e) {
    if (isLthError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LthError('DATASET_MISSING', `${file} is missing. Restore it, or delete its folder so CIFAR-10 is extracted or downloaded again.`);
    throw new LthError('DATASET_UNREADABLE', `Cannot read ${file} (${code ?? String(e)}).`);
  }
}

/** Copies `count` CHW images starting at `src[offset]`, `stride` bytes apart, as HWC into `dst`. */
function chwToHwc(src: Uint8Array, offset: number, stride: number, count: number, dst: Uint8Array): void {
  const plane = 32 * 32;
  for (let n = 0; n < count; n++) {
    const s = offset + n * stride;
    const d = n * CIFAR10_IMAGE_BYTES;
    for (let p = 0; p < plane; p++) {
      dst[d + 3 * p] = src[s + p];
      dst[d + 3 * p + 1] = src[s + plane + p];
      dst[d + 3 * p + 2] = src[s + 2 * plane + p];
    }
  }
}

function checkLabel(file: string, label: number, index: number): number {
  if (!Number.isInteger(label) || label < 0 || label >= CIFAR10_CLASSES) throw corrupt(file, `label ${String(label)} of example ${index} is not in 0..9`);
  return label;
}

/**
 * Reads a batch of the binary distribution (`cifar-10-batches-bin/data_batch_1.bin`): records
 * of one label byte followed by 3072 image bytes (red, green, blue planes of 32 × 32).
 */
export function readBinaryBatch(file: string): Cifar10Batch {
  const buf = readWhole(file);
  const record = 1 + CIFAR10_IMAGE_BYTES;
  if (buf.length === 0) throw corrupt(file, 'the file is empty');
  if (buf.length % record !== 0) throw corrupt(file, `its ${buf.length} bytes are not a whole number of ${record}-byte records (truncated?)`);
  const count = buf.length / record;
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) labels[n] = checkLabel(file, buf[n * record], n);
  const images = new Uint8Array(count * CIFAR10_IMAGE_BYTES);
  chwToHwc(buf, 1, record, count, images);
  return { images, labels };
}

function entry(dict: PyDict, key: string, file: string): unknown {
  if (!dict.has(key)) throw corrupt(file, `the pickled dict has no '${key}' (keys: ${dict.keys().join(', ')})`);
  return dict.get(key);
}

/**
 * Reads a batch of the Python distribution torchvision downloads
 * (`cifar-10-batches-py/data_batch_1`): a pickled dict whose `data` is a uint8 numpy array of
 * shape (N, 3072), each row CHW, and whose `labels` is a list of N ints. Keys may be str
 * (Python 2's files) or bytes (re-pickled by Python 3).
 */
export function readPythonBatch(file: string): Cifar10Batch {
  const buf = readWhole(file);
  if (buf.length === 0) throw corrupt(file, 'the file is empty');
  let root: unknown;
  try {
    root = unpickle(buf);
  } catch (e) {
    if (e instanceof PickleError) throw corrupt(file, `unreadable pickle (${e.message})`);
    throw e;
  }
  if (!(root instanceof PyDict)) throw corrupt(file, 'the pickle does not hold a dict');
  const data = entry(root, 'data', file);
  const rawLabels = entry(root, 'labels', file);
  if (!(data instanceof NumpyArray)) throw corrupt(file, "'data' is not a numpy array");
  const dtype = data.dtype?.name;
  if (dtype !== 'u1' && dtype !== 'uint8') throw corrupt(file, `'data' has dtype ${String(dtype)}, not uint8`);
  if (data.fortranOrder) throw corrupt(file, "'data' is in Fortran order");
  const [count, width] = data.shape;
  if (data.shape.length !== 2 || width !== CIFAR10_IMAGE_BYTES) throw corrupt(file, `'data' has shape (${data.shape.join(', ')}), not (N, ${CIFAR10_IMAGE_BYTES})`);
  if (data.data.length !== count * width) throw corrupt(file, `'data' holds ${data.data.length} bytes for shape (${count}, ${width})`);
  if (count === 0) throw corrupt(file, 'it holds no examples');
  if (!Array.isArray(rawLabels) || rawLabels.length !== count) {
    throw corrupt(file, `'labels' is not a list of ${count} labels`);
  }
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const v = rawLabels[n];
    labels[n] = checkLabel(file, v instanceof PyBytes ? NaN : (v as number), n);
  }
  const images = new Uint8Array(count * CIFAR10_IMAGE_BYTES);
  chwToHwc(data.data, 0, CIFAR10_IMAGE_BYTES, count, images);
  return { images, labels };
}

/** Concatenates batches in order. */
export function concatBatches(batches: readonly Cifar10Batch[]): Cifar10Batch {
  if (batches.length === 1) return batches[0];
  const n = batches.reduce((s, b) => s + b.labels.length, 0);
  const images = new Uint8Array(n * CIFAR10_IMAGE_BYTES);
  const labels = new Int32Array(n);
  let at = 0;
  for (const b of batches) {
    images.set(b.images, at * CIFAR10_IMAGE_BYTES);
    labels.set(b.labels, at);
    at += b.labels.length;
  }
  return { images, labels };
}
