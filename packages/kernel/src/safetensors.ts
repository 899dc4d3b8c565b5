import { BoundedFile } from './bounded-read';
import { isLthError, LthError } from './errors';
import { writeFileAtomic } from './fsutil';

/** Element types lth reads and writes (safetensors' names). */
export type SafeDtype = 'F32' | 'F64' | 'I32' | 'I64' | 'U8' | 'I8' | 'BOOL';

/** One tensor of a safetensors file. I64 data is held as an Int32Array (values must fit). */
export interface SafeTensor {
  dtype: SafeDtype;
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array | Float64Array | Int8Array;
}

export interface SafetensorsFile {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

const BYTES: Record<SafeDtype, number> = { F32: 4, F64: 8, I32: 4, I64: 8, U8: 1, I8: 1, BOOL: 1 };

function toBytes(t: SafeTensor): Uint8Array {
  if (t.dtype === 'I64') {
    const big = new BigInt64Array(t.data.length);
    for (let i = 0; i < t.data.length; i++) big[i] = BigInt(t.data[i]);
    return new Uint8Array(big.buffer);
  }
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/**
 * Encodes tensors in the safetensors format (8-byte little-endian header length, JSON header,
 * raw little-endian data), readable by `safetensors.torch.load_file`. Insertion order is kept.
 */
export function encodeSafetensors(tensors: Iterable<[string, SafeTensor]>, metadata: Record<string, string> = {}): Uint8Array[] {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`safetensors: ${name} has shape [${t.shape}] but ${t.data.length} values`);
    const bytes = toBytes(t);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes.byteLength] };
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((json.length + 8) % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(head.length));
  return [len, head, ...chunks];
}

/** Writes a safetensors file atomically. */
export function saveSafetensors(file: string, tensors: Iterable<[string, SafeTensor]>, metadata: Record<string, string> = {}): void {
  writeFileAtomic(file, encodeSafetensors(tensors, metadata));
}

function corrupt(file: string, why: string): LthError {
  return new LthError('CORRUPT_FILE', `${file} is not a valid safetensors file (${why}). Delete it to recompute it, or restore it from a backup.`);
}

/** The largest header lth reads (safetensors' own limit). */
export const MAX_SAFETENSORS_HEADER = 100 * 1024 * 1024;

/** The largest safetensors file lth reads (a checkpoint of ImageNet ResNet-200 is ~1.5 GB). */
export const MAX_SAFETENSORS_FILE = 16 * 1024 * 1024 * 1024;

interface RawEntry {
  name: string;
  dtype: SafeDtype;
  shape: number[];
  begin: number;
  end: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Checks one header entry: a known dtype, a shape of non-negative integers, offsets `[begin, end]` that fit it. */
function checkEntry(file: string, name: string, entry: unknown): RawEntry {
  if (!isRecord(entry)) throw corrupt(file, `the entry of ${name} is ${entry === null ? 'null' : 'not an object'}`);
  const { dtype, shape, data_offsets: off } = entry;
  if (typeof dtype !== 'string' || !(dtype in BYTES)) throw corrupt(file, `${name} has dtype ${JSON.stringify(dtype)}, not one of ${Object.keys(BYTES).join(', ')}`);
  if (!Array.isArray(shape) || !shape.every(isCount)) throw corrupt(file, `${name} has shape ${JSON.stringify(shape)}, not a list of non-negative integers`);
  if (!Array.isArray(off) || off.length !== 2 || !off.every(isCount)) throw corrupt(file, `${name} has data_offsets ${JSON.stringify(off)}, not two non-negative integers`);
  const [begin, end] = off as [number, number];
  const n = (shape as number[]).reduce((a, b) => a * b, 1);
  if (end < begin || end - begin !== n * BYTES[dtype as SafeDtype]) {
    throw corrupt(file, `${name} has data_offsets [${begin}, ${end}], which do not hold ${n} values of ${dtype}`);
  }
  return { name, dtype: dtype as SafeDtype, shape: shape as number[], begin, end };
}

function decode(dtype: SafeDtype, raw: Uint8Array): SafeTensor['data'] {
  switch (dtype) {
    case 'F32':
      return new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    case 'F64':
      return new Float64Array(raw.buffer, raw.byteOffset, raw.byteLength / 8);
    case 'I32':
      return new Int32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    case 'I64':
      return Int32Array.from(new BigInt64Array(raw.buffer, raw.byteOffset, raw.byteLength / 8), (v) => Number(v));
    case 'I8':
      return new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength);
    default:
      return raw;
  }
}

/**
 * Reads a safetensors file, checking its structure as the safetensors library does before a
 * byte of data is read: a regular file (a FIFO or `/dev/zero` is refused unopened), a header
 * of at most 100 MiB that is a JSON object, string metadata, and for every tensor a known
 * dtype, a shape of non-negative integers and offsets that hold exactly its values; the
 * tensors' data must tile the data section without gaps or overlaps and end where the file
 * does. Only then is the data read (never more than the header implies). Any problem is a
 * `CORRUPT_FILE` error; a missing or unreadable file is `MISSING_FILE`.
 */
export function loadSafetensors(file: string): SafetensorsFile {
  const problem = { code: 'CORRUPT_FILE', advice: 'Delete it to recompute it, or restore it from a backup.' } as const;
  try {
    return BoundedFile.use(file, MAX_SAFETENSORS_FILE, problem, (f) => parseSafetensors(f));
  } catch (e) {
    if (isLthError(e)) throw e;
    throw new LthError('MISSING_FILE', `Cannot read ${file}: ${(e as Error).message}`);
  }
}

function parseSafetensors(f: BoundedFile): SafetensorsFile {
  const file = f.file;
  if (f.size < 8) throw corrupt(file, 'shorter than its header');
  const headLen = Number(f.read(0, 8).readBigUInt64LE(0));
  if (headLen <= 0 || headLen > MAX_SAFETENSORS_HEADER) throw corrupt(file, `a header length of ${headLen} bytes`);
  if (8 + headLen > f.size) throw corrupt(file, 'truncated header');
  let header: unknown;
  try {
    header = JSON.parse(f.read(8, headLen).toString('utf8'));
  } catch {
    throw corrupt(file, 'unreadable header');
  }
  if (!isRecord(header)) throw corrupt(file, `its header is ${header === null ? 'null' : 'not a JSON object'}`);
  let metadata: Record<string, string> = {};
  const entries: RawEntry[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isRecord(entry) || Object.values(entry).some((v) => typeof v !== 'string')) throw corrupt(file, '__metadata__ is not a map of strings');
      metadata = entry as Record<string, string>;
      continue;
    }
    entries.push(checkEntry(file, name, entry));
  }
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of byOffset) {
    if (e.begin < at) throw corrupt(file, `the data of ${e.name} overlaps another tensor's`);
    if (e.begin > at) throw corrupt(file, `a gap of ${e.begin - at} bytes before the data of ${e.name}`);
    at = e.end;
  }
  const base = 8 + headLen;
  if (base + at > f.size) throw corrupt(file, `data of ${byOffset[byOffset.length - 1].name} is truncated`);
  if (base + at < f.size) throw corrupt(file, `${f.size - base - at} bytes of trailing data`);
  const data = f.read(base, at);
  if (data.length !== at) throw corrupt(file, 'the file shrank while it was read');
  const tensors = new Map<string, SafeTensor>();
  for (const e of entries) {
    const raw = new Uint8Array(e.end - e.begin);
    raw.set(data.subarray(e.begin, e.end));
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: decode(e.dtype, raw) });
  }
  return { tensors, metadata };
}
