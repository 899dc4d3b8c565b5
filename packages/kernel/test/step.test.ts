import { expect } from 'chai';
import { Step } from '../src';

describe('Step', () => {
  it('parses the three forms', () => {
    expect(Step.fromStr('160ep', 10).iteration).to.equal(1600);
    expect(Step.fromStr('500it', 10).iteration).to.equal(500);
    const s = Step.fromStr('2ep15it', 10);
    expect([s.iteration, s.ep, s.it]).to.deep.equal([35, 3, 5]);
  });
  for (const bad of ['10epx', '-1it', '05ep', ' 5ep', '20it50ep', '', 'ep', '1.5ep', '-5ep']) {
    it(`rejects '${bad}'`, () => expect(() => Step.fromStr(bad, 10)).to.throw(/step/i));
  }
  it('rejects a step of more iterations than a double counts exactly', () => {
    expect(() => Step.fromStr('9007199254740991ep', 469)).to.throw(/beyond what lth can count exactly/);
    expect(Step.fromStr('9007199254740991it', 469).iteration).to.equal(9007199254740991);
  });
  it('knows the zero strings', () => {
    expect(['0ep', '0it', '0ep0it', '00it', '0ep0it0'].map(Step.strIsZero)).to.deep.equal([true, true, true, false, false]);
  });
  it('compares only steps of the same epoch length', () => {
    expect(Step.fromIteration(3, 5).lt(Step.fromIteration(4, 5))).to.equal(true);
    expect(() => Step.fromIteration(3, 5).lt(Step.fromIteration(4, 6))).to.throw();
  });
  it('names model files by epoch and iteration', () => expect(Step.fromIteration(23, 10).fileTag).to.equal('ep2_it3'));
});
