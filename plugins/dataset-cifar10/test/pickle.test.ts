import { expect } from 'chai';
import { NumpyArray, PickleError, PyBytes, PyDict, unpickle } from '../src/pickle';

const bytes = (...parts: Array<string | number[]>): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('unpickle (CIFAR-10 subset of pickle)', () => {
  it('reads dicts, lists, tuples, ints, floats, str, bytes, None and booleans', () => {
    // pickle.dumps({'a': [1, 300, -2, 70000], b'k': (1.5, None, True, False), 'u': 'é'}, protocol=2)
    const buf = bytes(
      [0x80, 2],
      '}q\x00(X\x01\x00\x00\x00aq\x01]q\x02(K\x01M,\x01J\xfe\xff\xff\xffJp\x11\x01\x00e',
      'C\x01k', // SHORT_BINBYTES (protocol 3 style) as key
      '(G?\xf8\x00\x00\x00\x00\x00\x00N\x88\x89tq\x030h\x03', // (1.5, None, True, False), memoised, popped, fetched back
      'X\x01\x00\x00\x00uX\x02\x00\x00\x00\xc3\xa9u.',
    );
    const d = unpickle(buf) as PyDict;
    expect(d).to.be.instanceOf(PyDict);
    expect(d.get('a')).to.deep.equal([1, 300, -2, 70000]);
    expect(d.get('k')).to.deep.equal([1.5, null, true, false]);
    expect(d.get('u')).to.equal('é');
    expect(d.keys()).to.deep.equal(['a', 'k', 'u']);
  });

  it('reads LONG1 integers, including negative ones', () => {
    expect(unpickle(bytes([0x80, 2, 0x8a, 2, 0x00, 0x80, 0x2e]))).to.equal(-32768);
    expect(unpickle(bytes([0x80, 2, 0x8a, 3, 0x00, 0x80, 0x00, 0x2e]))).to.equal(32768);
    expect(unpickle(bytes([0x80, 2, 0x8a, 0, 0x2e]))).to.equal(0);
  });

  it('rebuilds a numpy array from _codecs.encode latin-1 data', () => {
    const buf = bytes(
      [0x80, 2],
      'cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85c_codecs\nencode\nX\x01\x00\x00\x00bX\x06\x00\x00\x00latin1\x86R\x87R',
      '(K\x01K\x02K\x02\x86cnumpy\ndtype\nX\x02\x00\x00\x00u1\x89\x88\x87R(K\x03X\x01\x00\x00\x00|NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb\x89',
      'c_codecs\nencode\nX\x06\x00\x00\x00\x00\xc3\xbf\x07\xc2\x80X\x06\x00\x00\x00latin1\x86Rtb.',
    );
    const a = unpickle(buf) as NumpyArray;
    expect(a).to.be.instanceOf(NumpyArray);
    expect(a.shape).to.deep.equal([2, 2]);
    expect(a.dtype?.name).to.equal('u1');
    expect([...a.data]).to.deep.equal([0, 255, 7, 128]);
  });

  it('keeps Python 2 strings as bytes, all 256 values intact', () => {
    const all = Array.from({ length: 256 }, (_, i) => i);
    const v = unpickle(bytes([0x80, 2, 0x54, 0, 1, 0, 0], all, '.')) as PyBytes;
    expect(v).to.be.instanceOf(PyBytes);
    expect([...v.bytes]).to.deep.equal(all);
  });

  it('refuses globals it does not know instead of running them', () => {
    expect(() => unpickle(bytes([0x80, 2], 'cos\nsystem\nX\x02\x00\x00\x00ls\x85R.'))).to.throw(PickleError, /unsupported global os.system/);
  });

  it('reports truncation, unknown opcodes and stack underflow', () => {
    expect(() => unpickle(bytes([0x80, 2, 0x54, 10, 0, 0, 0], 'abc'))).to.throw(PickleError, /truncated/);
    expect(() => unpickle(bytes([0x80, 2, 0x7d]))).to.throw(PickleError, /truncated/);
    expect(() => unpickle(bytes([0x80, 2, 0xff]))).to.throw(PickleError, /unsupported opcode 0xff/);
    expect(() => unpickle(bytes([0x80, 2, 0x2e]))).to.throw(PickleError, /underflow/);
    expect(() => unpickle(bytes([0x80, 2, 0x68, 5]))).to.throw(PickleError, /memo key 5/);
  });
});
