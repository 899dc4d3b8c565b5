import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { runAndKill, Scratch } from './lth-binary';

const FASHION = '/usr/share/datasets/fashion-mnist';
const TRUNK = ['--default_hparams=mnist_lenet_20_10', '--dataset_name=fashion_mnist', '--subsample_fraction=0.01', '--batch_size=32', '--training_steps=6ep', '--data_order_seed=1', '--rewinding_steps=5it'];
const BRANCH = ['lottery_branch', 'instability', ...TRUNK, '--levels=1', '--points=7', '--evaluate_only_at_end'];


/** The branch's results at level 1: instability.json and each copy's logger and end weights. */
function results(root: string): Record<string, string> {
  const [lottery] = fs.readdirSync(root).filter((d) => d.startsWith('lottery_'));
  const level = path.join(root, lottery, 'replicate_1', 'level_1');
  const [branch] = fs.readdirSync(level).filter((d) => d.startsWith('lottery_branch_instability_'));
  const dir = path.join(level, branch);
  const out: Record<string, string> = {};
  for (const f of ['instability.json', 'instability.csv', 'seed_1/logger', 'seed_2/logger', 'seed_1/model_ep6_it0.safetensors', 'seed_2/model_ep6_it0.safetensors']) {
    out[f] = fs.readFileSync(path.join(dir, f)).toString('base64');
  }
  return out;
}

describe('lth lottery_branch instability killed with SIGKILL and started again (end to end)', function () {
  this.timeout(300_000);
  const reference = new Scratch('instability-ref');
  const killed = new Scratch('instability-kill');

  before(async () => {
    expect(fs.existsSync(path.join(FASHION, 'train-images-idx3-ubyte.gz')), `Fashion-MNIST is not installed in ${FASHION}: apt-get install dataset-fashion-mnist`).to.equal(true);
    const trunk = await reference.lth(['lottery', ...TRUNK, '--levels=1', '--evaluate_only_at_end', '--quiet']);
    expect(trunk.code, trunk.stderr).to.equal(0);
    fs.cpSync(reference.root, killed.root, { recursive: true });
  });
  after(() => {
    reference.remove();
    killed.remove();
  });

  it('finishes with the copies and the path of an uninterrupted run, without training a finished copy again', async () => {
    const full = await reference.lth(BRANCH);
    expect(full.code, full.stderr).to.equal(0);
    expect(full.stdout).to.match(/Linear path between the copies \(level 1, data order seeds 1 and 2, 7 points\)/);
    const want = results(reference.root);

    // Kill points: inside the first copy's training, the second's, and the path's evaluation.
    const points: Array<[RegExp, number]> = [
      [/Copy 1 of 2/, Math.floor(Math.random() * 300)],
      [/Copy 2 of 2/, Math.floor(Math.random() * 300)],
      [/Evaluating 7 networks/, 300 + Math.floor(Math.random() * 1000)],
    ];
    let kills = 0;
    for (const [when, delay] of points) {
      const r = await runAndKill(killed, BRANCH, when, delay);
      if (r.killed) kills++;
    }
    expect(kills, 'at least two runs were really killed').to.be.at.least(2);
    const last = await killed.lth(BRANCH);
    expect(last.code, last.stderr).to.equal(0);
    expect(last.stdout, 'the first copy finished before the last run and was not trained again').to.match(/Already complete: .*seed_1 holds the final model and logger/);
    const leftovers = fs.readdirSync(killed.root, { recursive: true }).map(String).filter((f) => f.endsWith('.tmp') && !path.basename(f).startsWith('.'));
    expect(leftovers).to.deep.equal([]);
    expect(results(killed.root)).to.deep.equal(want);
  });
});
