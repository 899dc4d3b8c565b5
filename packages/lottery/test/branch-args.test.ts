import { expect } from 'chai';
import * as path from 'node:path';
import { DatasetHparams, fieldsOfClass, groupOfClass, REQUIRED, TrainingHparams } from '@lth/kernel';
import { expectLthError, itMatchesGoldenHashes, openTestSession, readGoldenHashes, useTestSession } from '@lth/testing';
import {
  arg,
  Branch,
  branch,
  BranchDesc,
  branchFlagsClass,
  branchHparamsClass,
  declaredArgs,
  formatLevelList,
  parseLevelList,
  registeredBranch,
  resolveBranchArgs,
  type ArgDecorator,
  type BranchContext,
} from '../src';
import { toyDesc } from './helpers';

/**
 * Golden hashes, computed by branch-golden-hashes.py: OpenLTH's hashing rebuilt with Python's
 * dataclasses, the branch hparams generated from the signatures of OpenLTH's branch functions.
 */
const golden = readGoldenHashes(path.join(__dirname, '../../test/branch-golden-hashes.json'));

/* OpenLTH's three branch signatures (spec §10.2-10.4), declared the lth way. */

class PruneLike extends Branch {
  async run(
    _c: BranchContext,
    @arg.int('seed') _seed: number,
    @arg.str('strategy', { default: 'layerwise' }) _strategy: string,
    @arg.str('start_at', { default: 'rewind' }) _startAt: string,
    @arg.str('layers_to_ignore', { default: '' }) _ignore: string,
  ): Promise<void> {}
}

class ReinitLike extends Branch {
  async run(_c: BranchContext, @arg.bool('start_at_step_zero') _zero: boolean, @arg.int('seed', { default: null }) _seed: number | null): Promise<void> {}
}

class RetrainLike extends Branch {
  async run(
    _c: BranchContext,
    @arg.group('retrain_d', DatasetHparams, { trunk: 'dataset' }) _d: DatasetHparams,
    @arg.group('retrain_t', TrainingHparams, { trunk: 'training' }) _t: TrainingHparams,
    @arg.bool('start_at_step_zero') _zero: boolean,
  ): Promise<void> {}
}

class StrictRetrainLike extends Branch {
  async run(_c: BranchContext, @arg.group('retrain_d', DatasetHparams) _d: DatasetHparams, @arg.group('retrain_t', TrainingHparams) _t: TrainingHparams): Promise<void> {}
}

function descOf(name: string, cls: abstract new () => Branch, values: Record<string, unknown>): BranchDesc {
  const args = declaredArgs(cls);
  const trunk = toyDesc();
  return new BranchDesc(trunk, resolveBranchArgs(branchHparamsClass(name, args), args, values, trunk), name);
}

const ds = (name: string, bs: number, more: Record<string, unknown> = {}) => DatasetHparams.create({ dataset_name: name, batch_size: bs, ...more });
const tr = (opt: string, lr: number, steps: string, more: Record<string, unknown> = {}) => TrainingHparams.create({ optimizer_name: opt, lr, training_steps: steps, ...more });

const cases: Record<string, () => BranchDesc> = {
  'randomly_prune seed=7': () => descOf('randomly_prune', PruneLike, { seed: 7 }),
  'randomly_prune seed=3 layerwise (the default, written out)': () => descOf('randomly_prune', PruneLike, { seed: '3', strategy: 'layerwise' }),
  'randomly_prune seed=0 global init fc.weight': () => descOf('randomly_prune', PruneLike, { seed: 0, strategy: 'global', start_at: 'init', layers_to_ignore: 'fc.weight' }),
  'randomly_prune seed=1 even end': () => descOf('randomly_prune', PruneLike, { seed: 1, strategy: 'even', start_at: 'end' }),
  'randomly_reinitialize defaults': () => descOf('randomly_reinitialize', ReinitLike, {}),
  'randomly_reinitialize start_at_step_zero': () => descOf('randomly_reinitialize', ReinitLike, { start_at_step_zero: true }),
  'randomly_reinitialize seed=5': () => descOf('randomly_reinitialize', ReinitLike, { seed: 5 }),
  'retrain cifar10 128 sgd 0.1 160ep': () => descOf('retrain', RetrainLike, { retrain_d: ds('cifar10', 128), retrain_t: tr('sgd', 0.1, '160ep') }),
  'retrain fashion_mnist 64 subsample, adam 1e-05 2ep seed 0, start_at_step_zero': () =>
    descOf('retrain', RetrainLike, {
      retrain_d: { dataset_name: 'fashion_mnist', batch_size: '64', subsample_fraction: '0.5' },
      retrain_t: { optimizer_name: 'adam', lr: '1e-5', training_steps: '2ep', data_order_seed: '0' },
      start_at_step_zero: true,
    }),
  'retrain resnet-style schedule': () =>
    descOf('retrain', StrictRetrainLike, {
      retrain_d: ds('cifar10', 128, { do_not_augment: true }),
      retrain_t: tr('sgd', 0.1, '160ep', { momentum: 0.9, milestone_steps: '80ep,120ep', gamma: 0.1, weight_decay: 0.0001 }),
    }),
};

describe('branch arguments: hashing (golden, OpenLTH)', () => {
  itMatchesGoldenHashes(cases, golden);
  it('hashes only the branch arguments, not the trunk', () => {
    const args = declaredArgs(PruneLike);
    const cls = branchHparamsClass('randomly_prune', args);
    const a = new BranchDesc(toyDesc(), resolveBranchArgs(cls, args, { seed: 7 }, toyDesc()), 'randomly_prune');
    const other = toyDesc({ training: { lr: 0.05 }, rewindingSteps: '3it' });
    const b = new BranchDesc(other, resolveBranchArgs(cls, args, { seed: 7 }, other), 'randomly_prune');
    expect(other.hashname).to.not.equal(toyDesc().hashname);
    expect(b.hashname).to.equal(a.hashname);
    expect(b.runPath('/r', 2, 3)).to.equal(path.join('/r', other.hashname, 'replicate_2', 'level_3', golden['randomly_prune seed=7'].hash));
  });
});

describe('branch arguments: the hparams class', () => {
  it('has one field per run parameter, in parameter order, under "Branch Arguments"', () => {
    const cls = branchHparamsClass('randomly_prune', declaredArgs(PruneLike));
    expect(groupOfClass(cls)).to.deep.equal({ name: 'Branch Arguments', description: 'Arguments specific to the branch.' });
    const f = fieldsOfClass(cls);
    expect(f.map((x) => [x.name, x.kind])).to.deep.equal([['seed', 'int'], ['strategy', 'str'], ['start_at', 'str'], ['layers_to_ignore', 'str']]);
    expect(f.map((x) => x.default)).to.deep.equal([REQUIRED, 'layerwise', 'rewind', '']);
    const retrain = fieldsOfClass(branchHparamsClass('retrain', declaredArgs(RetrainLike)));
    expect(retrain.map((x) => [x.name, x.kind, x.nested?.name ?? null, x.default])).to.deep.equal([
      ['retrain_d', 'nested', 'DatasetHparams', REQUIRED],
      ['retrain_t', 'nested', 'TrainingHparams', REQUIRED],
      ['start_at_step_zero', 'bool', null, false],
    ]);
  });

  it('validates values with the flag name: types, choices, required', () => {
    class Choosy extends Branch {
      async run(_c: BranchContext, @arg.int('seed') _s: number, @arg.str('how', { default: 'a', choices: ['a', 'b'] }) _h: string, @arg.float('rate', { default: 0.5, validate: (v) => (v > 0 ? undefined : 'must be positive') }) _r: number): Promise<void> {}
    }
    const args = declaredArgs(Choosy);
    const cls = branchHparamsClass('choosy', args);
    const make = (v: Record<string, unknown>) => resolveBranchArgs(cls, args, v, toyDesc());
    expectLthError(() => make({ seed: 'seven' }), 'BAD_HPARAM', /--seed expects an integer, got 'seven'/);
    expectLthError(() => make({ seed: 1, how: 'c' }), 'BAD_HPARAM', /--how='c' is not one of: a, b/);
    expectLthError(() => make({ seed: 1, rate: '-1' }), 'BAD_HPARAM', /--rate=-1.0 is invalid: must be positive/);
    expectLthError(() => make({}), 'MISSING_HPARAM', /--seed/);
    expectLthError(() => make({ seed: 1, sed: 2 }), 'UNKNOWN_HPARAM', /sed/);
    expect(String(make({ seed: '4', rate: '1' }))).to.equal('Hparams(rate=1.0, seed=4)');
  });

  it('a group argument with a trunk default: the trunk\'s group, the given fields replaced; an instance is taken whole', () => {
    const args = declaredArgs(RetrainLike);
    const hashed = branchHparamsClass('retrain', args);
    const flags = branchFlagsClass('retrain', args, hashed);
    expect(flags).to.not.equal(hashed);
    const d = fieldsOfClass(fieldsOfClass(flags)[0].nested!);
    expect(d.map((f) => f.default)).to.deep.equal([null, null, false, null, null, null, null, null]);
    expect(d.find((f) => f.name === 'dataset_name')!.help).to.match(/Default: the trunk's value\.$/);
    expect(fieldsOfClass(fieldsOfClass(flags)[1].nested!).find((f) => f.name === 'momentum')!.default).to.equal(null);
    const trunk = toyDesc({ training: { momentum: 0.9 }, dataset: { do_not_augment: true } });
    const none = resolveBranchArgs(hashed, args, {}, trunk);
    expect(String(none)).to.equal("Hparams(retrain_d=Hparams(batch_size=30, dataset_name='lottery_toy', do_not_augment=True), retrain_t=Hparams(data_order_seed=1, lr=0.1, momentum=0.9, optimizer_name='sgd', training_steps='2ep'))");
    const some = resolveBranchArgs(hashed, args, { retrain_t: { lr: '0.01', momentum: '0.0' }, retrain_d: { batch_size: '10', do_not_augment: false } }, trunk);
    expect(String(some)).to.equal("Hparams(retrain_d=Hparams(batch_size=10, dataset_name='lottery_toy', do_not_augment=True), retrain_t=Hparams(data_order_seed=1, lr=0.01, optimizer_name='sgd', training_steps='2ep'))");
    const whole = resolveBranchArgs(hashed, args, { retrain_d: ds('cifar10', 128), retrain_t: tr('sgd', 0.1, '160ep') }, trunk);
    expect(String(whole)).to.equal(golden['retrain cifar10 128 sgd 0.1 160ep'].canonical);
    expectLthError(() => resolveBranchArgs(hashed, args, { retrain_d: { batch_size: '0' } }, trunk), 'BAD_HPARAM', /--retrain_d_batch_size=0 is invalid/);
    // Without a trunk default the group's required fields are required, as in OpenLTH.
    const strict = declaredArgs(StrictRetrainLike);
    const strictCls = branchHparamsClass('retrain', strict);
    expect(branchFlagsClass('retrain', strict, strictCls)).to.equal(strictCls);
    expectLthError(() => resolveBranchArgs(strictCls, strict, { retrain_d: { dataset_name: 'x' }, retrain_t: tr('sgd', 0.1, '1ep') }, trunk), 'MISSING_HPARAM', /--retrain_d_batch_size/);
  });

  it('rejects malformed declarations when the class is defined', () => {
    expect(() => {
      class Gap extends Branch {
        async run(_c: BranchContext, _a: number, @arg.int('b') _b: number): Promise<void> {}
      }
      declaredArgs(Gap);
    }).to.throw(/no arg decorator on run's parameter 1/);
    expect(() => {
      class OnContext extends Branch {
        async run(@arg.int('c') _c: BranchContext): Promise<void> {}
      }
      return OnContext;
    }).to.throw(/first parameter, which is the branch context/);
    expect(() => {
      class OtherMethod extends Branch {
        helper(_x: unknown, @arg.int('x') _y: number): void {}
        async run(): Promise<void> {}
      }
      return OtherMethod;
    }).to.throw(/parameter of helper; branch arguments are parameters of run/);
    expect(() => {
      class Twice extends Branch {
        async run(_c: BranchContext, @arg.int('x') _a: number, @arg.int('x') _b: number): Promise<void> {}
      }
      declaredArgs(Twice);
    }).to.throw(/declares the argument 'x' twice/);
  });

  it('rejects plain-JavaScript mistakes: an undecorated last parameter, a missing name', () => {
    class Trailing extends Branch {
      async run(_c: BranchContext, _seed: number, _extra: string): Promise<void> {}
    }
    arg.int('seed')(Trailing.prototype, 'run', 1);
    expect(() => declaredArgs(Trailing)).to.throw(/Branch Trailing has no arg decorator on run's parameter 2.*arg\.int\('name'/);
    class Nameless extends Branch {
      async run(_c: BranchContext, _seed: number): Promise<void> {}
    }
    expect(() => (arg.int as (n?: string) => ArgDecorator)()(Nameless.prototype, 'run', 1)).to.throw(/Nameless: @arg\.int\(\.\.\.\) on run's parameter 1 needs a name .* \(got nothing\)/);
    expect(() => arg.str('Bad Name')(Nameless.prototype, 'run', 1)).to.throw(/needs a name of lower-case letters/);
  });
});

describe('@branch registration', () => {
  @branch({ name: 'args_test_branch', description: 'A branch of the argument tests.' })
  class Registered extends Branch {
    async run(_c: BranchContext, @arg.float('rate', { default: 0.25, help: 'A rate.' }) _r: number): Promise<void> {}
  }
  const s = useTestSession({ plugins: [{ name: 'branch-args tests', classes: [Registered] }] });

  it('registers the branch with its args, hparams and flags classes', () => {
    const b = registeredBranch(s.registry, 'args_test_branch');
    expect(b.instance).to.be.instanceOf(Registered);
    expect(b.description).to.equal('A branch of the argument tests.');
    expect(b.meta.args.map((a) => a.name)).to.deep.equal(['rate']);
    expect(b.meta.flags).to.equal(b.meta.hparams);
    expect(fieldsOfClass(b.meta.hparams)[0].help).to.equal('A rate.');
  });

  it('refuses a second branch of the same name, a bad name, and a class that is not a Branch', () => {
    class Again extends Branch {
      async run(): Promise<void> {}
    }
    branch({ name: 'args_test_branch', description: 'x' })(Again);
    expectLthError(() => openTestSession({ plugins: [{ name: 'one', classes: [Registered] }, { name: 'two', classes: [Again] }] }), 'DUPLICATE_NAME', /branch 'args_test_branch' is registered twice: by one and by two/);
    expect(() => branch({ name: 'Bad-Name', description: 'x' })(Again)).to.throw(/lower-case letters/);
    expect(() => branch({ name: 'not_a_branch', description: 'x' })(class {} as unknown as abstract new () => Branch)).to.throw(/must extend the Branch class/);
    expect(s.registry.find('branch', 'not_a_branch')).to.equal(undefined);
  });

  it('an unknown branch is one error listing the known ones', () => {
    expectLthError(() => registeredBranch(s.registry, 'nope'), 'UNKNOWN_BRANCH', /Unknown branch 'nope'\. Known branches: .*args_test_branch/);
  });
});

describe('--levels', () => {
  it("reads OpenLTH's levels and ranges, deduplicated and sorted", () => {
    expect(parseLevelList('0-2,5,7-9')).to.deep.equal([0, 1, 2, 5, 7, 8, 9]);
    expect(parseLevelList('3,1-3, 2')).to.deep.equal([1, 2, 3]);
    expect(parseLevelList('4')).to.deep.equal([4]);
    expect(parseLevelList('6-6')).to.deep.equal([6]);
  });
  it('rejects anything else with BAD_LEVELS', () => {
    for (const bad of ['', 'a', '1-', '-1', '1,,2', '1.5', '2-x', '0-2;5']) expectLthError(() => parseLevelList(bad), 'BAD_LEVELS', /levels/);
    expectLthError(() => parseLevelList('5-2'), 'BAD_LEVELS', /runs backwards; write 2-5/);
  });
  it('writes levels back compactly', () => {
    expect(formatLevelList([9, 0, 1, 2, 5, 7, 8, 2])).to.equal('0-2, 5, 7-9');
    expect(formatLevelList([3])).to.equal('3');
  });
});
