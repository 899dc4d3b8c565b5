import { expect } from 'chai';
import { MetricLogger, pyFixed, summarizeLogger } from '../src';
import { evaluationLine } from '../src/callbacks';
import { Step } from '@lth/kernel';

describe('summaries and formatting', () => {
  it('summarizeLogger: final and best test accuracy with their iterations', () => {
    const l = MetricLogger.createFromString(
      ['test_loss,0,2.3', 'test_accuracy,0,0.1', 'test_loss,10,0.5', 'test_accuracy,10,0.9', 'test_loss,20,0.4', 'test_accuracy,20,0.9', 'test_loss,25,0.6', 'test_accuracy,25,0.85'].join('\n'),
    );
    expect(summarizeLogger(l)).to.deep.equal({ finalAccuracy: 0.85, finalLoss: 0.6, finalIteration: 25, bestAccuracy: 0.9, bestIteration: 10 });
    expect(summarizeLogger(new MetricLogger())).to.deep.equal({ finalAccuracy: null, finalLoss: null, finalIteration: null, bestAccuracy: null, bestIteration: null });
  });

  it("pyFixed rounds as Python's format does, half to even on exact ties", () => {
    expect(pyFixed(0.125, 2)).to.equal('0.12');
    expect(pyFixed(0.375, 2)).to.equal('0.38');
    expect(pyFixed(2.5, 0)).to.equal('2');
    expect(pyFixed(-0.125, 2)).to.equal('-0.12');
    expect(pyFixed(2.675, 2)).to.equal('2.67');
    expect(pyFixed(9.74, 2)).to.equal('9.74');
    expect(pyFixed(2.30251, 3)).to.equal('2.303');
  });

  it("formats the evaluation line as OpenLTH's", () => {
    expect(evaluationLine('test', Step.fromIteration(0, 469), 2.30249, 0.0974, 10000, 520)).to.equal('test\tep 000\tit 000\tloss 2.302\tacc 9.74%\tex 10000\ttime 0.52s');
    expect(evaluationLine('test', Step.fromIteration(469 * 12 + 5, 469), 0.1, 0.98765, 10000, 12345)).to.equal('test\tep 012\tit 005\tloss 0.100\tacc 98.77%\tex 10000\ttime 12.35s');
  });
});
