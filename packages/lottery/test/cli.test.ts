import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listFiles, removeDir, tempDir } from '@lth/testing';

const BIN = path.resolve(__dirname, '../../../cli/bin/run.js');
const FASHION = '/usr/share/datasets/fashion-mnist';

/**
 * `lth lottery` as a user runs it, on Debian's real Fashion-MNIST (subsampled to 600 training
 * images so that a level takes seconds).
 */
describe('lth lottery (the CLI, on Fashion-MNIST)', function () {
  this.timeout(240000);
  let root: string;

  const lth = (args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, 'lottery', ...args], {
      encoding: 'utf8',
      env: { ...process.env, LTH_ROOT: path.join(root, 'results'), LTH_DATASET_ROOT: path.join(root, 'datasets'), LTH_BACKEND: 'cpu' },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const small = ['--default_hparams=mnist_lenet_20_10', '--dataset_name=fashion_mnist', '--subsample_fraction=0.01', '--training_steps=2ep', '--data_order_seed=1'];

  before(() => {
    expect(fs.existsSync(path.join(FASHION, 'train-images-idx3-ubyte.gz')), `Fashion-MNIST is not installed in ${FASHION}: apt-get install dataset-fashion-mnist`).to.equal(true);
    root = tempDir('cli');
  });
  after(() => removeDir(root));

  it('prints the level-0 location; rewinding and pretraining for the same steps name the same experiment', () => {
    const plain = lth(['--default_hparams=mnist_lenet_300_100', '--levels=2', '--display_output_location']);
    expect(plain.code, plain.stderr).to.equal(0);
    expect(plain.stdout.trim()).to.equal(path.join(root, 'results', 'lottery_184ace1d6901ace6854b0a595cbd6b27', 'replicate_1', 'level_0', 'main'));
    const zero = lth(['--default_hparams=mnist_lenet_300_100', '--levels=2', '--rewinding_steps=0ep', '--display_output_location']);
    expect(zero.stdout).to.equal(plain.stdout);
    const rewind = lth(['--default_hparams=mnist_lenet_300_100', '--levels=2', '--rewinding_steps=500it', '--display_output_location', '--replicate=3']);
    const pretrain = lth(['--default_hparams=mnist_lenet_300_100', '--levels=2', '--pretrain', '--pretrain_training_steps=500it', '--display_output_location', '--replicate=3']);
    expect(rewind.code, rewind.stderr).to.equal(0);
    expect(rewind.stdout).to.match(/lottery_[0-9a-f]{32}\/replicate_3\/level_0\/main\n$/);
    expect(pretrain.stdout).to.equal(rewind.stdout);
    expect(rewind.stdout).to.not.equal(plain.stdout);
    expect(fs.existsSync(path.join(root, 'results'))).to.equal(false);
  });

  it('rejects bad input with one error line and writes nothing (the library tests cover every case)', () => {
    const bad: Array<[string[], RegExp]> = [
      [['--levels=-1'], /--levels=-1 is invalid/],
      [['--levels=1', '--pruning_fraction=0'], /--pruning_fraction=0\.0 is invalid/],
      [['--levels=1', '--pruning_layers_to_ignore=fc.weights'], /'fc\.weights', which is not a prunable weight/],
      [['--levels=1', '--rewinding_steps=1ep', '--pretrain'], /Cannot set both --rewinding_steps and --pretrain/],
    ];
    for (const [args, message] of bad) {
      const r = lth([...small, ...args]);
      expect(r.code, args.join(' ')).to.not.equal(0);
      expect(r.stderr).to.match(message);
      expect(r.stderr.trim().split('\n').filter((l) => /error/i.test(l))).to.have.length(1);
    }
    expect(fs.existsSync(path.join(root, 'results'))).to.equal(false);
  });

  it('runs two levels, prints the closing table, and prints it again without training when rerun', () => {
    const first = lth([...small, '--levels=1', '--evaluate_only_at_end']);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.contain('Lottery Ticket Experiment (Replicate 1)');
    expect(first.stdout).to.contain('Pruning Level 1');
    const table = (s: string) => s.slice(s.indexOf('Lottery Ticket Summary'));
    expect(table(first.stdout)).to.match(/\n\s*0\s+15980 \(100\.00%\)\s+\d+\.\d\d%\s+\d+\.\d\d% @ \d+\n\s*1\s+12783 \(79\.99%\)/);
    const [hash] = fs.readdirSync(path.join(root, 'results'));
    const rep = path.join(root, 'results', hash, 'replicate_1');
    const files = listFiles(rep);
    for (const f of ['level_0/main/hparams.log', 'level_0/main/desc.json', 'level_1/main/mask.safetensors', 'level_1/main/sparsity_report.json', 'level_1/main/model_ep2_it0.safetensors']) {
      expect(files).to.include(f);
    }
    const again = lth([...small, '--levels=1', '--evaluate_only_at_end']);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.contain('Level 1 is already trained');
    expect(again.stdout).to.not.match(/^test\t/m);
    const noWallTime = (t: string) => t.replace(/^Wall time: .*\n/m, '');
    expect(noWallTime(table(again.stdout))).to.equal(noWallTime(table(first.stdout)));
    expect(first.stdout).to.match(/\nWall time: (\d+m)?\d+\.\ds\nResults: .*replicate_1 \(lth report .* tabulates and plots every replicate\)\n$/);
    const quiet = lth([...small, '--levels=1', '--evaluate_only_at_end', '--quiet']);
    expect(quiet.stdout).to.equal(`Results: ${rep} (lth report ${path.dirname(rep)} tabulates and plots every replicate)\n`);
  });
});
