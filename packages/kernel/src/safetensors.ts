import * as fs from 'node:fs';
import { LthError } from './errors';
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

/** Reads a safetensors file, checking its structure; a truncated or corrupt file is a `CORRUPT_FILE` error. */
export function loadSafetensors(file: string): SafetensorsFile {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw new LthError('MISSING_FILE', `Cannot read ${file}: ${(e as Error).message}`);
  }
  if (buf.length < 8) throw corrupt(file, 'shorter than its header');
  const headLen = Number(buf.readBigUInt64LE(0));
  if (headLen <= 0 || 8 + headLen > buf.length) throw corrupt(file, 'truncated header');
  let header: Record<string, { dtype: SafeDtype; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + headLen).toString('utf8'));
  } catch {
    throw corrupt(file, 'unreadable header');
  }
  const base = 8 + headLen;
  const tensors = new Map<string, SafeTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets: off } = entry as { dtype: SafeDtype; shape: number[]; data_offsets: [number, number] };
    const size = BYTES[dtype];
    if (!size || !Array.isArray(shape) || !Array.isArray(off)) throw corrupt(file, `bad entry for ${name}`);
    const n = shape.reduce((a, b) => a * b, 1);
    if (off[1] - off[0] !== n * size || base + off[1] > buf.length) throw corrupt(file, `data of ${name} is truncated`);
    const raw = new Uint8Array(n * size);
    raw.set(buf.subarray(base + off[0], base + off[1]));
    let data: SafeTensor['data'];
    switch (dtype) {
      case 'F32':
        data = new Float32Array(raw.buffer);
        break;
      case 'F64':
        data = new Float64Array(raw.buffer);
        break;
      case 'I32':
        data = new Int32Array(raw.buffer);
        break;
      case 'I64':
        data = Int32Array.from(new BigInt64Array(raw.buffer), (v) => Number(v));
        break;
      case 'I8':
        data = new Int8Array(raw.buffer);
        break;
      default:
        data = raw;
    }
    tensors.set(name, { dtype, shape, data });
  }
  return { tensors, metadata };
}
