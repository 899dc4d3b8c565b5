import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { lines, Scratch, type LthRun } from './lth-binary';
import { ensureCluster, stopCluster } from './slurm-cluster';

const TRUNK = ['--default_hparams=mnist_lenet_300_100', '--dataset_name=fashion_mnist', '--training_steps=20it', '--data_order_seed=1'];
const BRANCH = ['lottery_branch', 'randomly_prune', ...TRUNK, '--levels=0-2', '--seed=1', '--replicate=1-2'];

/** Every file under `dir` (relative paths), leaving out `.slurm` and those `skip` names. */
function files(dir: string, skip: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name === '.slurm' || skip.has(e.name)) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** Asserts the files under `a` and `b` are the same, byte for byte. */
function expectSameTree(a: string, b: string, skip?: ReadonlySet<string>): number {
  const names = files(a, skip);
  expect(names).to.deep.equal(files(b, skip));
  for (const n of names) expect(fs.readFileSync(path.join(a, n)).equals(fs.readFileSync(path.join(b, n))), n).to.equal(true);
  return names.length;
}

/** The fastest backend that loads, one thread (the same results on both platforms and much faster than Scratch's CPU backend). */
const FAST = { LTH_BACKEND: 'auto', LTH_NATIVE_THREADS: '1' };

function lth(s: Scratch, args: readonly string[]): Promise<LthRun> {
  return s.lth(args, s.dir, FAST);
}

function ok(r: LthRun): LthRun {
  expect(r.code, r.stderr + r.stdout).to.equal(0);
  return r;
}

/** `lth status` rows (job, state, node, exit, results) until no job is pending or running. */
async function settle(s: Scratch, seconds = 240): Promise<string[][]> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const rows = lines(ok(await lth(s, ['status'])).stdout).slice(1, -1).map((l) => l.split(/\s+/));
    if (!rows.some((r) => r[1] === 'pending' || r[1] === 'running')) return rows;
    if (Date.now() > deadline) throw new Error(`Slurm jobs still pending or running after ${seconds}s: ${JSON.stringify(rows)}`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/**
 * The Slurm platform on a real single-node cluster (`.ci/slurm-cluster.sh`): a 3-level lottery
 * on the real Fashion-MNIST with 2 replicates and a branch, submitted with `--platform=slurm`,
 * gives byte for byte the local platform's files; a cancelled job is resubmitted and loses
 * nothing. Both platforms run the same backend with one thread and a seeded data order.
 */
describe('Slurm platform on a real cluster (end to end)', function () {
  this.timeout(600_000);
  const local = new Scratch('slurm-local');
  const slurm = new Scratch('slurm');
  let started = false;

  before(function () {
    started = ensureCluster().started;
  });

  after(async () => {
    await lth(slurm, ['cancel']);
    local.remove();
    slurm.remove();
    if (started) stopCluster();
  });

  it('runs a 2-replicate, 3-level lottery and a branch as chained job arrays, identical to local, and reruns nothing', async () => {
    const where = ok(await lth(slurm, ['lottery', ...TRUNK, '--levels=2', '--replicate=1-2', '--platform=slurm', '--display_output_location']));
    expect(lines(where.stdout)).to.have.length(2);
    const sub = ok(await lth(slurm, ['lottery', ...TRUNK, '--levels=2', '--replicate=1-2', '--platform=slurm', '--cpus=1']));
    expect(sub.stdout).to.contain('6 Slurm jobs: 6 submitted, 0 already done, 0 already queued or running.');
    expect(sub.stdout).to.match(/Job arrays: \d+ \d+ \d+\./);
    const branch = ok(await lth(slurm, [...BRANCH, '--platform=slurm', '--cpus=1']));
    expect(branch.stdout).to.contain('6 Slurm jobs: 6 submitted');
    ok(await lth(local, ['lottery', ...TRUNK, '--levels=2', '--replicate=1-2', '--quiet']));
    ok(await lth(local, [...BRANCH, '--quiet']));
    const rows = await settle(slurm);
    expect(rows.map((r) => r[1])).to.deep.equal(Array(12).fill('done'));
    expect(rows.filter((r) => r[4].includes('lottery_branch_randomly_prune_')).length).to.equal(6);
    expect(expectSameTree(local.root, slurm.root)).to.be.greaterThan(80);
    const again = ok(await lth(slurm, ['lottery', ...TRUNK, '--levels=2', '--replicate=1-2', '--platform=slurm']));
    expect(again.stdout).to.contain('6 Slurm jobs: 0 submitted, 6 already done, 0 already queued or running.');
  });

  it('cancels a level mid-training with lth cancel (its successor never runs); the same command then submits both again, the level resumes, and the files are those of an uninterrupted run', async () => {
    const k = new Scratch('slurm-kill');
    try {
      const args = ['lottery', ...TRUNK.filter((a) => !a.startsWith('--training_steps')), '--training_steps=4ep', '--levels=1', '--platform=slurm', '--cpus=1'];
      ok(await lth(k, args));
      const deadline = Date.now() + 240_000;
      let log = '';
      const logFile = () => fs.readdirSync(path.join(k.root, '.slurm')).filter((d) => d.startsWith('lottery_')).map((d) => path.join(k.root, '.slurm', d, 'replicate_1', 'level_0', 'log'))[0];
      while (!/test\tep 001\tit 000/.test(log)) {
        if (Date.now() > deadline) throw new Error(`level 0 never finished its first epoch: ${log}`);
        await new Promise((r) => setTimeout(r, 500));
        log = fs.existsSync(path.join(k.root, '.slurm')) && logFile() && fs.existsSync(logFile()) ? fs.readFileSync(logFile(), 'utf8') : '';
      }
      expect(ok(await lth(k, ['cancel'])).stdout).to.match(/^Cancelled 2 jobs: \d+_0 \d+_0$/m);
      const rows = await settle(k, 60);
      expect(rows.map((r) => r[1])).to.deep.equal(['cancelled', 'cancelled']);
      expect(rows[1][2]).to.equal('-');
      const rerun = ok(await lth(k, args));
      expect(rerun.stdout).to.contain('2 Slurm jobs: 2 submitted, 0 already done');
      expect((await settle(k)).map((r) => r[1])).to.deep.equal(['done', 'done']);
      const ref = new Scratch('slurm-kill-ref');
      try {
        ok(await lth(ref, args.filter((a) => !a.startsWith('--platform') && !a.startsWith('--cpus')).concat('--quiet')));
        expectSameTree(ref.root, k.root);
      } finally {
        ref.remove();
      }
    } finally {
      await lth(k, ['cancel']);
      k.remove();
    }
  });
});
