import { expect } from 'chai';
import { LthError, TrainingHparams } from '../src';

const base = { optimizer_name: 'sgd', lr: '0.1', training_steps: '1ep' };

describe('hyperparameter values', () => {
  for (const field of ['lr', 'momentum', 'weight_decay', 'gamma', 'nesterov_momentum']) {
    for (const bad of ['inf', '-inf', 'Infinity', 'nan', 'NaN', '1e400', '-1e400']) {
      it(`rejects --${field}=${bad} as not a finite number`, () => {
        expect(() => TrainingHparams.create({ ...base, [field]: bad })).to.throw(LthError, new RegExp(`^--${field} expects a finite number, got '${bad}'`));
      });
    }
  }
  it('says a decimal that overflows is too large for a 64-bit float', () => {
    expect(() => TrainingHparams.create({ ...base, lr: '1e400' })).to.throw(/too large for a 64-bit float/);
  });
  it('still reads every finite form', () => {
    for (const [text, value] of [['0.1', 0.1], ['1e-3', 1e-3], ['.5', 0.5], ['+2', 2], ['1.7976931348623157e308', 1.7976931348623157e308]] as const) {
      expect(TrainingHparams.create({ ...base, lr: text }).lr).to.equal(value);
    }
  });
});
