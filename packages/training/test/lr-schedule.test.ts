import { expect } from 'chai';
import { LrSchedule, bisectRight } from '../src';
import { trainingHparams } from './helpers';

describe('LrSchedule', () => {
  it('drops by gamma at each milestone iteration itself (bisect_right)', () => {
    const s = new LrSchedule(trainingHparams({ lr: 0.1, milestone_steps: '2ep,3ep5it', gamma: 0.1 }), 10);
    expect(s.milestones).to.deep.equal([20, 35]);
    expect(s.factor(0)).to.equal(1);
    expect(s.factor(19)).to.equal(1);
    expect(s.factor(20)).to.be.closeTo(0.1, 1e-15);
    expect(s.factor(34)).to.be.closeTo(0.1, 1e-15);
    expect(s.factor(35)).to.be.closeTo(0.01, 1e-15);
    expect(s.lr(35)).to.be.closeTo(0.001, 1e-15);
  });

  it('warms up linearly from exactly 0 at iteration 0 to the full rate', () => {
    const s = new LrSchedule(trainingHparams({ lr: 0.4, warmup_steps: '1ep' }), 8);
    expect(s.lr(0)).to.equal(0);
    expect(s.factor(2)).to.equal(0.25);
    expect(s.factor(8)).to.equal(1);
    expect(s.factor(100)).to.equal(1);
  });

  it('multiplies warmup and milestones', () => {
    const s = new LrSchedule(trainingHparams({ lr: 1, warmup_steps: '10it', milestone_steps: '4it', gamma: 0.5 }), 100);
    expect(s.factor(2)).to.be.closeTo(0.2, 1e-15);
    expect(s.factor(4)).to.be.closeTo(0.5 * 0.4, 1e-15);
  });

  it('has no schedule by default', () => {
    const s = new LrSchedule(trainingHparams({ lr: 0.3 }), 5);
    expect([0, 1, 1000].map((i) => s.lr(i))).to.deep.equal([0.3, 0.3, 0.3]);
  });

  it('needs gamma and milestones together', () => {
    expect(() => new LrSchedule(trainingHparams({ gamma: 0.1 }), 5)).to.throw(/--gamma and --milestone_steps/).with.property('code', 'BAD_HPARAM');
    expect(() => new LrSchedule(trainingHparams({ milestone_steps: '1ep' }), 5)).to.throw().with.property('code', 'BAD_HPARAM');
  });

  it('bisectRight matches Python', () => {
    expect(bisectRight([1, 2, 2, 3], 2)).to.equal(3);
    expect(bisectRight([1, 2, 2, 3], 0)).to.equal(0);
    expect(bisectRight([1, 2, 2, 3], 9)).to.equal(4);
    expect(bisectRight([], 9)).to.equal(0);
  });
});
