/**
 * A minimal unpickler for the files of CIFAR-10's Python distribution.
 *
 * It reads what `cPickle.dump(..., protocol=2)` in Python 2 wrote (the real files) and what
 * Python 3's `pickle.dump(..., protocol=2..5)` writes (torchvision-era re-pickles): dicts,
 * lists, tuples, integers, floats, str and bytes, and numpy arrays. It never executes code: the
 * only globals it knows are numpy's array and dtype reconstructors and `_codecs.encode`, each
 * reimplemented here; any other global is refused.
 */

/** A Python `bytes` (or a Python 2 `str`), kept apart from text so a `Uint8Array` stays binary. */
export class PyBytes {
  constructor(readonly bytes: Uint8Array) {}

  /** The bytes as a latin-1 string (one character per byte), as dict keys are compared. */
  latin1(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).toString('latin1');
  }
}

/** A numpy dtype as its pickle describes it (`u1`, `i8` ...) with its byte order. */
export class NumpyDtype {
  byteOrder = '|';
  constructor(readonly name: string) {}

  setState(state: unknown): void {
    if (Array.isArray(state) && typeof state[1] === 'string') this.byteOrder = state[1];
  }
}

/** A numpy array reconstructed from its pickle: shape, dtype and the raw C-order bytes. */
export class NumpyArray {
  shape: number[] = [];
  dtype: NumpyDtype | null = null;
  fortranOrder = false;
  data: Uint8Array = new Uint8Array(0);

  setState(state: unknown): void {
    if (!Array.isArray(state) || state.length !== 5) throw new PickleError('numpy array state is not (version, shape, dtype, is_fortran, data)');
    const [, shape, dtype, fortran, raw] = state as unknown[];
    if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number')) throw new PickleError('numpy array shape is not a tuple of integers');
    if (!(dtype instanceof NumpyDtype)) throw new PickleError('numpy array dtype is not a numpy.dtype');
    if (!(raw instanceof PyBytes)) throw new PickleError('numpy array data is not a byte string (object arrays are not supported)');
    this.shape = shape as number[];
    this.dtype = dtype;
    this.fortranOrder = fortran === true;
    this.data = raw.bytes;
  }
}

/** A Python dict with str or bytes keys, looked up by their text (`get('data')` finds `b'data'` too). */
export class PyDict {
  private readonly entries = new Map<string, unknown>();

  set(key: unknown, value: unknown): void {
    if (typeof key === 'string') this.entries.set(key, value);
    else if (key instanceof PyBytes) this.entries.set(key.latin1(), value);
    else if (typeof key === 'number') this.entries.set(String(key), value);
    else throw new PickleError('dict key is not a str, bytes or int');
  }

  get(key: string): unknown {
    return this.entries.get(key);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }
}

/** A malformed or unsupported pickle; callers turn it into an error naming the file. */
export class PickleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PickleError';
  }
}

interface PyCallable {
  readonly qualifiedName: string;
  call(args: unknown[]): unknown;
}

function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 255) throw new PickleError('_codecs.encode: character outside latin-1');
    out[i] = code;
  }
  return out;
}

const reconstructArray: PyCallable = { qualifiedName: 'numpy.core.multiarray._reconstruct', call: () => new NumpyArray() };

const GLOBALS: ReadonlyMap<string, PyCallable> = new Map<string, PyCallable>([
  ['numpy.core.multiarray._reconstruct', reconstructArray],
  ['numpy._core.multiarray._reconstruct', reconstructArray],
  ['numpy.ndarray', { qualifiedName: 'numpy.ndarray', call: () => new NumpyArray() }],
  [
    'numpy.dtype',
    {
      qualifiedName: 'numpy.dtype',
      call: (args) => {
        const name = args[0] instanceof PyBytes ? args[0].latin1() : args[0];
        if (typeof name !== 'string') throw new PickleError('numpy.dtype: name is not a string');
        return new NumpyDtype(name);
      },
    },
  ],
  [
    '_codecs.encode',
    {
      qualifiedName: '_codecs.encode',
      call: (args) => {
        const [text, encoding] = args;
        if (typeof text !== 'string') throw new PickleError('_codecs.encode: argument is not a str');
        if (encoding !== 'latin1' && encoding !== 'latin-1' && encoding !== undefined) throw new PickleError(`_codecs.encode: unsupported encoding ${String(encoding)}`);
        return new PyBytes(latin1Bytes(text));
      },
    },
  ],
]);

function resolveGlobal(module: string, name: string): PyCallable {
  const g = GLOBALS.get(`${module}.${name}`);
  if (!g) throw new PickleError(`unsupported global ${module}.${name}`);
  return g;
}

/** Sequential reader over the pickle bytes; every read checks the bounds. */
class ByteReader {
  pos = 0;
  private readonly view: DataView;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) throw new PickleError(`truncated: needs ${n} more bytes at offset ${this.pos} of ${this.buf.length}`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u64(): number {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new PickleError('length too large');
    return Number(v);
  }

  f64be(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, false);
    this.pos += 8;
    return v;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  line(): string {
    const end = this.buf.indexOf(0x0a, this.pos);
    if (end < 0) throw new PickleError(`truncated: unterminated line at offset ${this.pos}`);
    const s = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, end - this.pos).toString('latin1');
    this.pos = end + 1;
    return s;
  }
}

function signedLittleEndian(b: Uint8Array): number {
  if (b.length === 0) return 0;
  if (b.length > 6) throw new PickleError('integer too large');
  let v = 0;
  for (let i = b.length - 1; i >= 0; i--) v = v * 256 + b[i];
  if (b[b.length - 1] & 0x80) v -= 2 ** (8 * b.length);
  return v;
}

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/**
 * Unpickles `buf`. Python 2 `str` values (and Python 3 `bytes`) become `PyBytes`, unicode
 * becomes `string`, dicts `PyDict`, lists and tuples arrays, numpy arrays `NumpyArray`.
 * Throws `PickleError` on anything malformed, truncated or outside that vocabulary.
 */
export function unpickle(buf: Uint8Array): unknown {
  const r = new ByteReader(buf);
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  const memo = new Map<number, unknown>();
  const pop = (): unknown => {
    if (stack.length === 0) throw new PickleError(`stack underflow at offset ${r.pos}`);
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) throw new PickleError(`stack underflow at offset ${r.pos}`);
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const prev = marks.pop();
    if (!prev) throw new PickleError(`missing MARK at offset ${r.pos}`);
    stack = prev;
    return items;
  };
  const memoGet = (i: number): unknown => {
    if (!memo.has(i)) throw new PickleError(`memo key ${i} missing`);
    return memo.get(i);
  };
  const setItems = (dict: unknown, items: unknown[]): void => {
    if (!(dict instanceof PyDict)) throw new PickleError('SETITEM(S) on a non-dict');
    if (items.length % 2) throw new PickleError('odd number of items in SETITEMS');
    for (let i = 0; i < items.length; i += 2) dict.set(items[i], items[i + 1]);
  };
  const append = (list: unknown, items: unknown[]): void => {
    if (!Array.isArray(list)) throw new PickleError('APPEND(S) on a non-list');
    for (const x of items) list.push(x);
  };

  for (;;) {
    const op = r.u8();
    switch (op) {
      case 0x80: // PROTO
        if (r.u8() > 5) throw new PickleError('unsupported pickle protocol');
        break;
      case 0x95: // FRAME
        r.u64();
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        marks.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x64: {
        // DICT
        const d = new PyDict();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x6c: // LIST
      case 0x74: {
        // TUPLE
        const items = popMark();
        stack.push(items);
        break;
      }
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        append(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x71: // BINPUT
        memo.set(r.u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(r.u32(), top());
        break;
      case 0x70: // PUT
        memo.set(parseInt(r.line(), 10), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
        stack.push(memoGet(r.u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memoGet(r.u32()));
        break;
      case 0x67: // GET
        stack.push(memoGet(parseInt(r.line(), 10)));
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x49: {
        // INT (protocol 0; I00/I01 are False/True)
        const s = r.line();
        if (s === '00') stack.push(false);
        else if (s === '01') stack.push(true);
        else {
          const v = Number(s);
          if (!Number.isSafeInteger(v)) throw new PickleError(`bad INT ${s}`);
          stack.push(v);
        }
        break;
      }
      case 0x4a: // BININT
        stack.push(r.i32());
        break;
      case 0x4b: // BININT1
        stack.push(r.u8());
        break;
      case 0x4d: // BININT2
        stack.push(r.u16());
        break;
      case 0x8a: // LONG1
        stack.push(signedLittleEndian(r.bytes(r.u8())));
        break;
      case 0x47: // BINFLOAT
        stack.push(r.f64be());
        break;
      case 0x54: // BINSTRING (Python 2 str)
        stack.push(new PyBytes(r.bytes(r.i32())));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(new PyBytes(r.bytes(r.u8())));
        break;
      case 0x42: // BINBYTES
        stack.push(new PyBytes(r.bytes(r.u32())));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(new PyBytes(r.bytes(r.u8())));
        break;
      case 0x8e: // BINBYTES8
        stack.push(new PyBytes(r.bytes(r.u64())));
        break;
      case 0x58: // BINUNICODE
        stack.push(text(r.bytes(r.u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(r.bytes(r.u8())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(text(r.bytes(r.u64())));
        break;
      case 0x63: {
        // GLOBAL
        const module = r.line();
        stack.push(resolveGlobal(module, r.line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw new PickleError('STACK_GLOBAL needs two str');
        stack.push(resolveGlobal(module, name));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop() as PyCallable;
        if (!fn || typeof fn.call !== 'function' || !Array.isArray(args)) throw new PickleError(`REDUCE on a non-callable at offset ${r.pos}`);
        stack.push(fn.call(args));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const obj = top() as { setState?: (s: unknown) => void };
        if (!obj || typeof obj.setState !== 'function') throw new PickleError(`BUILD on an object without state at offset ${r.pos}`);
        obj.setState(state);
        break;
      }
      default:
        throw new PickleError(`unsupported opcode 0x${op.toString(16).padStart(2, '0')} at offset ${r.pos - 1}`);
    }
  }
}
