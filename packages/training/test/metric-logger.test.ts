import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MetricLogger, LOGGER_FILE } from '../src';
import { removeDir, tempDir } from '@lth/testing';

describe('MetricLogger', () => {
  it('writes OpenLTH lines in insertion order, Python float values, no trailing newline', () => {
    const l = new MetricLogger();
    l.add('test_loss', 1, 2.8170794921875);
    l.add('test_accuracy', 1, 0.0974);
    l.add('test_examples', 1, 10000);
    expect(l.toString()).to.equal('test_loss,1,2.8170794921875\ntest_accuracy,1,0.0974\ntest_examples,1,10000.0');
  });

  it('overwrites a repeated (name, iteration) in place', () => {
    const l = new MetricLogger();
    l.add('a', 0, 1);
    l.add('b', 0, 2);
    l.add('a', 0, 3);
    l.add('a', 5, 1e-5);
    expect(l.toString()).to.equal('a,0,3.0\nb,0,2.0\na,5,1e-05');
  });

  it('getData returns (iteration, value) pairs sorted by iteration', () => {
    const l = new MetricLogger();
    l.add('x', 10, 0.5);
    l.add('y', 3, 9);
    l.add('x', 2, 0.25);
    expect(l.getData('x')).to.deep.equal([
      [2, 0.25],
      [10, 0.5],
    ]);
    expect(l.getData('missing')).to.deep.equal([]);
  });

  it('round-trips through createFromString, including an empty logger', () => {
    const text = 'test_loss,0,2.302\ntest_accuracy,0,0.1\ntest_examples,0,20.0\ntest_loss,390,inf';
    expect(MetricLogger.createFromString(text).toString()).to.equal(text);
    expect(MetricLogger.createFromString('').size).to.equal(0);
    expect(MetricLogger.createFromString('').toString()).to.equal('');
  });

  it('saves atomically to <dir>/logger and reads it back; a malformed file is CORRUPT_LOGGER', () => {
    const dir = tempDir('training');
    try {
      const l = new MetricLogger();
      l.add('test_accuracy', 0, 0.5);
      l.save(dir);
      expect(fs.readFileSync(path.join(dir, LOGGER_FILE), 'utf8')).to.equal('test_accuracy,0,0.5');
      expect(fs.readdirSync(dir)).to.deep.equal([LOGGER_FILE]);
      expect(MetricLogger.createFromFile(dir).getData('test_accuracy')).to.deep.equal([[0, 0.5]]);
      fs.writeFileSync(path.join(dir, LOGGER_FILE), 'test_accuracy;0;0.5');
      expect(() => MetricLogger.createFromFile(dir)).to.throw().with.property('code', 'CORRUPT_LOGGER');
    } finally {
      removeDir(dir);
    }
  });
});
