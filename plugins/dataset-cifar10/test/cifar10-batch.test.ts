import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBinaryBatch, readPythonBatch } from '../src/cifar10-batch';
import { expectLthRejection, removeTempDirs, tempDir } from '@lth/testing';
import { FIXTURES, TEST_EXAMPLES, TRAIN_EXAMPLES, binaryBatch, expectedImages, label } from './helpers';


describe('CIFAR-10 batch files', () => {
  const py = (f: string) => path.join(FIXTURES, 'cifar-10-batches-py', f);
  after(removeTempDirs);

  it('reads every pickle flavour of the Python distribution (Python 2 cPickle, Python 3 protocols 2-4, numpy 1 and 2 names) as HWC', () => {
    for (let b = 1; b <= 5; b++) {
      const ns = TRAIN_EXAMPLES.slice(3 * (b - 1), 3 * b);
      const batch = readPythonBatch(py(`data_batch_${b}`));
      expect([...batch.labels], `data_batch_${b}`).to.deep.equal(ns.map(label));
      expect(Buffer.from(batch.images).equals(Buffer.from(expectedImages(ns))), `data_batch_${b}`).to.equal(true);
    }
    const test = readPythonBatch(py('test_batch'));
    expect([...test.labels]).to.deep.equal(TEST_EXAMPLES.map(label));
    expect(Buffer.from(test.images).equals(Buffer.from(expectedImages(TEST_EXAMPLES)))).to.equal(true);
  });

  it('reads binary records (label byte + CHW) as HWC, equal to the Python distribution', () => {
    const dir = tempDir('cifar10');
    const file = path.join(dir, 'b.bin');
    fs.writeFileSync(file, binaryBatch([100, 101, 102, 103]));
    const bin = readBinaryBatch(file);
    const pyb = readPythonBatch(py('test_batch'));
    expect([...bin.labels]).to.deep.equal([...pyb.labels]);
    expect(Buffer.from(bin.images).equals(Buffer.from(pyb.images))).to.equal(true);
  });

  it('names the file when a binary batch is empty, truncated or has a bad label', async () => {
    const dir = tempDir('cifar10');
    const empty = path.join(dir, 'empty.bin');
    fs.writeFileSync(empty, '');
    await expectLthRejection(() => readBinaryBatch(empty), 'CORRUPT_DATASET', /empty\.bin .*empty/);
    const short = path.join(dir, 'short.bin');
    fs.writeFileSync(short, binaryBatch([1, 2]).subarray(0, 3073 + 100));
    await expectLthRejection(() => readBinaryBatch(short), 'CORRUPT_DATASET', /short\.bin .*3173 bytes are not a whole number of 3073-byte records/);
    const bad = path.join(dir, 'bad.bin');
    const buf = binaryBatch([1, 2]);
    buf[3073] = 10;
    fs.writeFileSync(bad, buf);
    await expectLthRejection(() => readBinaryBatch(bad), 'CORRUPT_DATASET', /bad\.bin .*label 10 of example 1/);
    await expectLthRejection(() => readBinaryBatch(path.join(dir, 'none.bin')), 'DATASET_MISSING', /none\.bin is missing/);
  });

  it('names the file when a pickle is empty, truncated, not a dict or lacks data', async () => {
    const dir = tempDir('cifar10');
    const whole = fs.readFileSync(py('data_batch_4'));
    const cut = path.join(dir, 'data_batch_cut');
    fs.writeFileSync(cut, whole.subarray(0, whole.length - 200));
    await expectLthRejection(() => readPythonBatch(cut), 'CORRUPT_DATASET', /data_batch_cut .*unreadable pickle \(truncated/);
    const empty = path.join(dir, 'data_batch_empty');
    fs.writeFileSync(empty, '');
    await expectLthRejection(() => readPythonBatch(empty), 'CORRUPT_DATASET', /data_batch_empty .*empty/);
    const list = path.join(dir, 'data_batch_list');
    fs.writeFileSync(list, Buffer.from([0x80, 2, 0x5d, 0x2e]));
    await expectLthRejection(() => readPythonBatch(list), 'CORRUPT_DATASET', /data_batch_list .*does not hold a dict/);
    const nodata = path.join(dir, 'data_batch_nodata');
    fs.writeFileSync(nodata, Buffer.from([0x80, 2, 0x7d, 0x2e]));
    await expectLthRejection(() => readPythonBatch(nodata), 'CORRUPT_DATASET', /data_batch_nodata .*no 'data'/);
    const garbage = path.join(dir, 'data_batch_garbage');
    fs.writeFileSync(garbage, binaryBatch([1]));
    await expectLthRejection(() => readPythonBatch(garbage), 'CORRUPT_DATASET', /data_batch_garbage .*unsupported opcode 0x00 at offset 0/);
  });
});
