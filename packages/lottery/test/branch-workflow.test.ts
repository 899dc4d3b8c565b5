import { expect } from 'chai';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { DatasetHparams, Hparams, isLthError, ModelHparams, TrainingHparams, type HparamsClass, type Workflow } from '@lth/kernel';
import { openTestSession, testJob } from '@lth/testing';
import { SparseGlobalPruningHparams } from '@lth/plugin-pruning-sparse-global';
import { arg, Branch, branch, BranchLevelsArgs, LotteryArgs, LotteryBranchWorkflow, LotteryDesc, RewindingArgs, type BranchContext } from '../src';
import { RecordingOutput, testPlatform, TOY_IMAGES } from './fixtures';

@branch({ name: 'workflow_test_branch', description: 'A branch of the workflow tests.' })
class WorkflowTestBranch extends Branch {
  async run(_c: BranchContext, @arg.int('seed', { help: 'A seed.' }) _seed: number, @arg.bool('fresh') _fresh: boolean): Promise<void> {}
}

const session = openTestSession({
  plugins: ['@lth/training', '@lth/lottery', '@lth/plugin-model-lenet', '@lth/plugin-pruning-sparse-global', TOY_IMAGES, { name: 'branch workflow tests', classes: [WorkflowTestBranch] }],
});
const registry = session.registry;

function lthError(f: () => unknown): { code: string; message: string; exitCode: number; details?: string } {
  try {
    f();
  } catch (e) {
    expect(isLthError(e), String(e)).to.equal(true);
    return e as { code: string; message: string; exitCode: number; details?: string };
  }
  throw new Error('expected an LthError');
}

describe('the lottery_branch workflow', () => {
  const w = () => registry.workflow('lottery_branch').instance as Workflow & { positionals: Array<{ name: string }> };

  it('is registered by @lth/lottery with the branch name as its positional', () => {
    expect(w()).to.be.instanceOf(LotteryBranchWorkflow);
    expect(registry.workflow('lottery_branch').description).to.equal('Run a lottery branch.');
    expect(w().positionals.map((p) => p.name)).to.deep.equal(['branch', 'trunk']);
    void WorkflowTestBranch;
  });

  it("has the trunk's groups with --levels as a list, then the branch arguments", () => {
    const keys = (pretrain: boolean) => w().flagGroups({ positionals: ['workflow_test_branch'], default_hparams: 'mnist_lenet_20_10', pretrain }).map((g) => g.key);
    expect(keys(false)).to.deep.equal(['levels', 'trunk', 'rewinding', 'dataset', 'model', 'training', 'pruning', 'branch']);
    expect(keys(true)).to.deep.equal(['levels', 'trunk', 'rewinding', 'dataset', 'model', 'training', 'pruning', 'pretrain_training', 'pretrain_dataset', 'branch']);
    const groups = w().flagGroups({ positionals: ['workflow_test_branch'] });
    expect(groups[0].hparams).to.equal(BranchLevelsArgs);
    expect(groups[groups.length - 1].hparams).to.equal(registry.find('branch', 'workflow_test_branch')!.meta.hparams);
  });

  it('without a branch name: the branch menu is the whole error; an unknown one has the menu and the name it likely meant', () => {
    const missing = lthError(() => w().flagGroups({ positionals: [] }));
    expect(missing.code).to.equal('MISSING_BRANCH');
    expect(missing.exitCode).to.equal(1);
    expect(missing.message).to.equal('');
    const menu = missing.details!.split('\n');
    expect(menu.slice(0, 4)).to.deep.equal(['='.repeat(82), 'lth: A Framework for Research on Lottery Tickets and Beyond', '-'.repeat(82), 'Choose a branch to run:']);
    expect(menu).to.include('    * lth lottery_branch workflow_test_branch [...] => A branch of the workflow tests.');
    expect(menu[menu.length - 1]).to.equal('='.repeat(82));
    const unknown = lthError(() => w().flagGroups({ positionals: ['workflow_test_brunch'] }));
    expect(unknown.code).to.equal('UNKNOWN_BRANCH');
    expect(unknown.exitCode).to.equal(1);
    expect(unknown.message).to.equal("Unknown branch 'workflow_test_brunch'. Did you mean workflow_test_branch?");
    expect(unknown.details).to.equal(missing.details);
  });

  it('--levels takes ranges and rejects anything else by name', () => {
    expect(BranchLevelsArgs.create({ levels: '0-2,5' }).levels).to.equal('0-2,5');
    const bad = lthError(() => BranchLevelsArgs.create({ levels: '0-x' }));
    expect(bad.code).to.equal('BAD_HPARAM');
    expect(bad.message).to.match(/^--levels=0-x is invalid: '0-x' is not a level or a range of levels/);
  });

  it('--levels checks every level against the highest, 1000, before expanding a range (no hang, no huge list)', () => {
    expect(BranchLevelsArgs.create({ levels: '0-1000' }).levels).to.equal('0-1000');
    for (const text of ['9007199254740993', '0-10000000', '5,1001', '0-99999999999999999999999']) {
      const t0 = Date.now();
      const bad = lthError(() => BranchLevelsArgs.create({ levels: text }));
      expect(Date.now() - t0).to.be.below(100);
      expect(bad.message).to.match(/is beyond the highest level lth runs, 1000/);
    }
    expect(lthError(() => BranchLevelsArgs.create({ levels: '1,'.repeat(6000) + '1' })).message).to.match(/characters long: write ranges/);
    expect(lthError(() => LotteryArgs.create({ levels: 1001 })).message).to.equal('--levels=1001 is invalid: must be at most 1000.');
  });

  it('prints one output location per requested level, under the trunk of the flags', () => {
    const groups: Record<string, Hparams> = {
      levels: BranchLevelsArgs.create({ levels: '3,0-1' }),
      rewinding: RewindingArgs.create({}),
      dataset: DatasetHparams.create({ dataset_name: 'lottery_toy', batch_size: 30 }),
      model: ModelHparams.create({ model_name: 'mnist_lenet_20_10', model_init: 'kaiming_normal', batchnorm_init: 'uniform' }),
      training: TrainingHparams.create({ optimizer_name: 'sgd', lr: 0.1, training_steps: '2ep' }),
      pruning: SparseGlobalPruningHparams.create({ pruning_strategy: 'sparse_global' }),
      branch: Hparams.create.call(registry.find('branch', 'workflow_test_branch')!.meta.hparams as HparamsClass, { seed: 4 }),
    };
    const root = '/nowhere/results';
    const job = testJob(session, { groups, args: { replicate: 2 }, platform: testPlatform(root), positionals: ['workflow_test_branch'], out: new RecordingOutput() });
    const trunk = LotteryDesc.fromGroups(groups, registry);
    const md5 = 'lottery_branch_workflow_test_branch_' + createHash('md5').update('Hparams(seed=4)').digest('hex');
    expect(w().outputLocations(job)).to.deep.equal([0, 1, 3].map((l) => path.join(root, trunk.hashname, 'replicate_2', `level_${l}`, md5)));
  });
});
