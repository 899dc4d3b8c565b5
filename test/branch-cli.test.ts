import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { lines, Scratch, type LthRun } from './lth-binary';

const FASHION = '/usr/share/datasets/fashion-mnist';
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** Every file under `dir` with its modification time. */
function snapshot(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), fs.statSync(p).mtimeMs);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

function expectOneError(r: LthRun, pattern: RegExp): void {
  expect(r.code, r.stdout + r.stderr).to.not.equal(0);
  const errs = lines(r.stderr);
  expect(errs, r.stderr).to.have.length(1);
  expect(errs[0]).to.match(pattern);
}

/**
 * `lth lottery_branch` as a user runs it, with the built-in branches, off a small LeNet trunk on
 * Debian's Fashion-MNIST (600 training images, 2 epochs, levels 0-2).
 */
describe('lth lottery_branch (end to end, built-in branches)', function () {
  this.timeout(300000);
  let s: Scratch;
  let replicate: string;
  const trunk = ['--default_hparams=mnist_lenet_20_10', '--dataset_name=fashion_mnist', '--subsample_fraction=0.01', '--training_steps=2ep', '--data_order_seed=1'];
  const branchRun = (...args: string[]) => s.lth(['lottery_branch', ...trunk, '--evaluate_only_at_end', ...args]);

  before(async () => {
    expect(fs.existsSync(path.join(FASHION, 'train-images-idx3-ubyte.gz')), `Fashion-MNIST is not installed in ${FASHION}: apt-get install dataset-fashion-mnist`).to.equal(true);
    s = new Scratch('branch-cli');
    const r = await s.lth(['lottery', ...trunk, '--levels=2', '--evaluate_only_at_end', '--quiet']);
    expect(r.code, r.stderr).to.equal(0);
    const where = await s.lth(['lottery', ...trunk, '--levels=2', '--display_output_location']);
    replicate = path.dirname(path.dirname(where.stdout.trim()));
  });
  after(() => s.remove());

  it('alone, prints the branch menu with their descriptions (stderr, exit 1); an unknown branch, the menu and one error with the likely name', async () => {
    const menu = [
      '='.repeat(82),
      'lth: A Framework for Research on Lottery Tickets and Beyond',
      '-'.repeat(82),
      'Choose a branch to run:',
      '    * lth lottery_branch randomly_prune [...] => Randomly prune the model.',
      '    * lth lottery_branch randomly_reinitialize [...] => Randomly reinitialize the model.',
      '    * lth lottery_branch retrain [...] => Retrain the model with different hyperparameters.',
      '    * lth lottery_branch instability [...] => Linear mode connectivity: train two copies with different data orders and measure the error barrier between them.',
      "    * lth lottery_branch prune_at_init [...] => Prune the level's starting network with SNIP, GraSP, SynFlow or at random to a density, then train it.",
      '='.repeat(82),
    ];
    const alone = await s.lth(['lottery_branch']);
    expect(alone.code).to.equal(1);
    expect(alone.stdout).to.equal('');
    expect(lines(alone.stderr)).to.deep.equal(menu);
    const unknown = await s.lth(['lottery_branch', 'randomly_prun', ...trunk, '--levels=1']);
    expect(unknown.code).to.equal(1);
    expect(unknown.stdout).to.equal('');
    expect(lines(unknown.stderr)).to.deep.equal([...menu, "Error: Unknown branch 'randomly_prun'. Did you mean randomly_prune? [UNKNOWN_BRANCH]"]);
    const far = await s.lth(['lottery_branch', 'shuffle', ...trunk, '--levels=1']);
    expect(far.code).to.equal(1);
    expect(lines(far.stderr).slice(-1)).to.deep.equal(["Error: Unknown branch 'shuffle'. Known branches: randomly_prune, randomly_reinitialize, retrain, instability, prune_at_init. [UNKNOWN_BRANCH]"]);
  });

  it('prints one real path per requested level, named by the OpenLTH hash of the branch arguments, the name before or after the flags', async () => {
    const before = await s.lth(['lottery_branch', 'randomly_prune', ...trunk, '--levels=0-1,2', '--seed=7', '--display_output_location']);
    expect(before.code, before.stderr).to.equal(0);
    expect(lines(before.stdout)).to.deep.equal([0, 1, 2].map((l) => path.join(replicate, `level_${l}`, 'lottery_branch_randomly_prune_722d7815348773060cd630fcaa73e625')));
    const after = await s.lth(['lottery_branch', ...trunk, '--seed=7', '--levels', '2,0-1', 'randomly_prune', '--display_output_location']);
    expect(after.stdout).to.equal(before.stdout);
    // A switch of the branch right before its name.
    const reinit = await s.lth(['lottery_branch', ...trunk, '--levels=1', '--start_at_step_zero', 'randomly_reinitialize', '--display_output_location']);
    expect(reinit.code, reinit.stderr).to.equal(0);
    expect(reinit.stdout).to.equal(path.join(replicate, 'level_1', `lottery_branch_randomly_reinitialize_${md5('Hparams(start_at_step_zero=True)')}`) + '\n');
    // All five flags OpenLTH required, on a trunk whose other dataset and training fields are at their defaults: OpenLTH's name.
    const retrain = await s.lth(['lottery_branch', 'retrain', '--default_hparams=mnist_lenet_300_100', '--levels=1', '--retrain_d_dataset_name=cifar10', '--retrain_d_batch_size=128', '--retrain_t_optimizer_name=sgd', '--retrain_t_lr=0.1', '--retrain_t_training_steps=160ep', '--display_output_location']);
    expect(retrain.code, retrain.stderr).to.equal(0);
    expect(path.basename(retrain.stdout.trim())).to.equal('lottery_branch_retrain_5ed62c6301b530366d7250e6935a4e8b');
  });

  it('--help shows the branch arguments and --levels as a list', async () => {
    const r = await s.lth(['lottery_branch', 'randomly_prune', '--help', ...trunk]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('Usage: lth lottery_branch <branch> [trunk] [flags]');
    expect(r.stdout).to.match(/--levels <str> +\(required: str\) The trunk levels to run the branch at/);
    expect(r.stdout).to.not.contain('--pretrain_training_steps');
    const args = r.stdout.slice(r.stdout.indexOf('Branch Arguments:'));
    expect(args).to.match(/--seed <int> +\(required: int\)/);
    expect(args).to.match(/--strategy <str> +\(default: layerwise\)/);
    expect(args).to.match(/--start_at <str> +\(default: rewind\)/);
    expect(args).to.match(/--layers_to_ignore <str> +\(optional: str\)/);
  });

  it('runs randomly_reinitialize and randomly_prune, and prints their final accuracies beside the trunk\'s', async () => {
    const reinit = await branchRun('randomly_reinitialize', '--levels=0-2');
    expect(reinit.code, reinit.stderr).to.equal(0);
    const prune = await branchRun('randomly_prune', '--levels=1-2', '--seed=7', '--strategy=even');
    expect(prune.code, prune.stderr).to.equal(0);
    expect(prune.stdout).to.contain('Branch randomly_prune (Replicate 1, Level 2)');
    const table = prune.stdout.slice(prune.stdout.indexOf('Lottery Ticket Summary with Branches (Replicate 1)'));
    const header = lines(table)[2];
    expect(header).to.match(/^Level\s+Weights remaining\s+Trunk \(final test acc\)\s+randomly_reinitialize\s+randomly_prune\(seed=7, strategy='even'\)$/);
    expect(lines(table)[3]).to.match(/^\s+0\s+15980 \(100\.00%\)\s+\d+\.\d\d%\s+\d+\.\d\d%\s+-$/);
    expect(lines(table)[4]).to.match(/^\s+1\s+12783 \(79\.99%\)(\s+\d+\.\d\d%){3}$/);
    expect(lines(table)[5]).to.match(/^\s+2\s+10225 \(63\.99%\)(\s+\d+\.\d\d%){3}$/);
    for (const l of [1, 2]) {
      const dir = path.join(replicate, `level_${l}`, `lottery_branch_randomly_prune_${md5("Hparams(seed=7, strategy='even')")}`);
      for (const f of ['hparams.log', 'desc.json', 'mask.safetensors', 'sparsity_report.json', 'logger', 'model_ep0_it0.safetensors', 'model_ep2_it0.safetensors']) {
        expect(fs.existsSync(path.join(dir, f)), `${dir}/${f}`).to.equal(true);
      }
      const report = JSON.parse(fs.readFileSync(path.join(dir, 'sparsity_report.json'), 'utf8'));
      const densities = Object.values(report.layers as Record<string, { total: number; unpruned: number }>).map((x) => x.unpruned / x.total);
      for (const d of densities) expect(Math.abs(d - densities[0])).to.be.lessThan(0.01);
    }
  });

  it('retrain takes the trunk\'s groups by default, a --retrain_* flag replacing one field, and saves its mask', async () => {
    const r = await branchRun('retrain', '--levels=1', '--retrain_t_lr=0.05');
    expect(r.code, r.stderr).to.equal(0);
    const dir = path.join(replicate, 'level_1', `lottery_branch_retrain_${md5("Hparams(retrain_d=Hparams(batch_size=128, dataset_name='fashion_mnist', subsample_fraction=0.01), retrain_t=Hparams(data_order_seed=1, lr=0.05, optimizer_name='sgd', training_steps='2ep'))")}`);
    expect(fs.existsSync(path.join(dir, 'mask.safetensors'))).to.equal(true);
    expect(fs.readFileSync(path.join(dir, 'mask.safetensors')).equals(fs.readFileSync(path.join(replicate, 'level_1', 'main', 'mask.safetensors')))).to.equal(true);
    expect(fs.readFileSync(path.join(dir, 'hparams.log'), 'utf8')).to.contain("    * retrain_t => Hparams(data_order_seed=1, lr=0.05, optimizer_name='sgd', training_steps='2ep')");
  });

  it('bad input is one clear error each, and nothing on disk changes', async () => {
    const before = snapshot(s.root);
    const cases: Array<[string[], RegExp]> = [
      [['randomly_prune', '--levels=1-3', '--seed=1'], /^Error: The trunk has not reached level 3: it has levels 0-2 \(.*replicate_1\)\..* \[LEVEL_NOT_REACHED\]$/],
      [['randomly_prune', '--levels=1', '--seed=abc'], /^Error: --seed expects an integer, got 'abc'\. \[BAD_HPARAM\]$/],
      [['randomly_prune', '--levels=1', '--seed=1', '--strategy=random'], /^Error: --strategy='random' is not one of: layerwise, global, even, identity\. \[BAD_HPARAM\]$/],
      [['randomly_prune', '--levels=1', '--seed=1', '--layers_to_ignore=fc.weights'], /--layers_to_ignore names 'fc\.weights', which is not a prunable weight.*\[BAD_HPARAM\]$/],
      [['randomly_prune', '--levels=1'], /^Error: Missing required flag: --seed\. \[MISSING_FLAGS\]$/],
      [['randomly_reinitialize', '--levels=0-x'], /^Error: --levels=0-x is invalid: '0-x' is not a level or a range of levels.*\[BAD_HPARAM\]$/],
      [['randomly_reinitialize', '--levels=1', '--start_at_step_zero=yes'], /--start_at_step_zero is a switch and takes no value.*\[BAD_FLAG\]$/],
      [['retrain', '--levels=1', '--retrain_t_lr=fast'], /^Error: --retrain_t_lr expects a finite number, got 'fast'\. \[BAD_HPARAM\]$/],
      [['retrain', '--levels=1', '--retrain_d_dataset_name=cifar10'], /cifar10 has 10 classes of 32x32x3 images, but the trunk's network takes 28x28x1 images.*\[BAD_HPARAM\]$/],
      [['randomly_reinitialize', '--levels=1', '--lr=0.05'], /^Error: There is no lottery experiment at .*run lth lottery with the same flags.*\[NO_TRUNK\]$/],
    ];
    for (const [args, pattern] of cases) expectOneError(await branchRun(...args), pattern);
    expect(snapshot(s.root)).to.deep.equal(before);
  });

  it('takes the trunk by directory (--trunk=<dir> or a path) as by its flags, from any results root', async () => {
    const lottery = path.dirname(replicate);
    const byFlags = await branchRun('randomly_prune', '--levels=1-2', '--seed=3', '--display_output_location');
    const byTrunk = await s.lth(['lottery_branch', 'randomly_prune', `--trunk=${lottery}`, '--levels=1-2', '--seed=3', '--display_output_location']);
    expect(byTrunk.stdout).to.equal(byFlags.stdout);
    const withFlags = await s.lth(['lottery_branch', 'randomly_prune', lottery, ...trunk, '--levels=1-2', '--seed=3', '--display_output_location']);
    expect(withFlags.stdout).to.equal(byFlags.stdout);
    const run = await s.lth(['lottery_branch', 'randomly_prune', replicate, '--levels=1', '--seed=3', '--evaluate_only_at_end', '--quiet'], s.dir, { LTH_ROOT: path.join(s.dir, 'elsewhere') });
    expect(run.code, run.stderr).to.equal(0);
    const dir = lines(byFlags.stdout)[0];
    expect(fs.readFileSync(path.join(dir, 'logger'), 'utf8')).to.match(/^test_loss,0,/);
    expect(fs.existsSync(path.join(s.dir, 'elsewhere'))).to.equal(false);
    const again = await branchRun('randomly_prune', '--levels=1', '--seed=3');
    expect(again.stdout).to.contain('Already complete');
    const before = snapshot(s.root);
    expectOneError(await s.lth(['lottery_branch', 'randomly_prune', lottery, '--lr=0.5', '--levels=1', '--seed=3']), /^Error: The training flags disagree with the trunk at .*--lr=0\.5 \(the trunk has 0\.1\).*\[TRUNK_MISMATCH\]$/);
    expectOneError(await s.lth(['lottery_branch', 'randomly_prune', s.dir, '--levels=1', '--seed=3']), /is not a lottery experiment directory.*\[NOT_A_TRUNK\]$/);
    expectOneError(await s.lth(['lottery_branch', 'randomly_prune', '--trunk=' + lottery, replicate, '--levels=1', '--seed=3']), /Two trunks.*\[BAD_ARGS\]$/);
    expect(snapshot(s.root)).to.deep.equal(before);
  });
});
