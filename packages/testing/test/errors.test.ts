import { expect } from 'chai';
import { LthError, type ErrorCode } from '@lth/kernel';
import { expectLthError, expectLthRejection } from '../src';

/** The message of the assertion `f` fails with (and fails the test when `f` passes). */
function failure(f: () => void): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the helper passed');
}

async function asyncFailure(f: () => Promise<void>): Promise<string> {
  try {
    await f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the helper passed');
}

const throwing = (code: ErrorCode, message: string) => () => {
  throw new LthError(code, message);
};

describe('expectLthError', () => {
  it('passes on an LthError of the code whose one-line message matches', () => {
    expectLthError(throwing('BAD_STEP', 'Step 3x is not a step.'), 'BAD_STEP', /3x/);
    expectLthError(throwing('BAD_STEP', 'Step 3x is not a step.'), 'BAD_STEP');
  });

  it('fails when nothing is thrown, or only a rejected promise is returned', () => {
    expect(failure(() => expectLthError(() => 1, 'BAD_STEP', /3x/))).to.equal('expected an LthError BAD_STEP matching /3x/');
    const rejected = () => Promise.reject(new LthError('BAD_STEP', 'x')).catch(() => undefined);
    expect(failure(() => expectLthError(rejected, 'BAD_STEP'))).to.equal('expected an LthError BAD_STEP');
  });

  it('fails on another code, a message that does not match or has two lines', () => {
    expect(failure(() => expectLthError(throwing('BAD_HPARAM', 'x'), 'BAD_STEP'))).to.match(/expected 'BAD_HPARAM' to equal 'BAD_STEP'/);
    expect(failure(() => expectLthError(throwing('BAD_STEP', 'x'), 'BAD_STEP', /y/))).to.match(/expected 'x' to match \/y\//);
    expect(failure(() => expectLthError(throwing('BAD_STEP', 'x\ny'), 'BAD_STEP'))).to.match(/to not include '\\n'/);
  });

  it('fails on other errors, even one named LthError with a code', () => {
    expect(failure(() => expectLthError(() => JSON.parse('{'), 'BAD_STEP'))).to.match(/^expected LthError BAD_STEP, got SyntaxError/);
    const impostor = Object.assign(new Error('x'), { name: 'LthError', code: 'BAD_STEP' });
    expect(failure(() => expectLthError(() => {
      throw impostor;
    }, 'BAD_STEP'))).to.match(/to be an instance of LthError/);
  });
});

describe('expectLthRejection', () => {
  it('passes on a rejected promise, a function that rejects, and one that throws at once', async () => {
    await expectLthRejection(Promise.reject(new LthError('BAD_STEP', 'x')), 'BAD_STEP', /x/);
    await expectLthRejection(async () => throwing('BAD_STEP', 'x')(), 'BAD_STEP');
    await expectLthRejection(throwing('BAD_STEP', 'x'), 'BAD_STEP');
  });

  it('fails when the promise resolves, and checks the error as expectLthError does', async () => {
    expect(await asyncFailure(() => expectLthRejection(Promise.resolve(1), 'BAD_STEP'))).to.equal('expected an LthError BAD_STEP');
    expect(await asyncFailure(() => expectLthRejection(async () => throwing('BAD_HPARAM', 'x')(), 'BAD_STEP'))).to.match(/expected 'BAD_HPARAM' to equal 'BAD_STEP'/);
    expect(await asyncFailure(() => expectLthRejection(async () => throwing('BAD_STEP', 'a\nb')(), 'BAD_STEP'))).to.match(/to not include '\\n'/);
  });
});
