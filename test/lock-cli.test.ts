import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { LTH_BIN, lines, Scratch } from './lth-binary';

const FASHION = '/usr/share/datasets/fashion-mnist';
const DATA = ['--default_hparams=mnist_lenet_20_10', '--dataset_name=fashion_mnist', '--subsample_fraction=0.01', '--evaluate_only_at_end'];
/** Long enough never to finish while the test runs; each holder is stopped by the test. */
const LONG = '--training_steps=5000ep';

function ownerPid(dir: string): number | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, '.lth.lock', 'owner.json'), 'utf8')).pid;
  } catch {
    return null;
  }
}

async function until(what: string, cond: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts `lth ...args` in the background and waits until it holds the lock of `dir`. */
async function holder(s: Scratch, args: readonly string[], dir: () => string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [LTH_BIN, ...args], { cwd: s.dir, env: s.env(), stdio: 'ignore' });
  let exited = false;
  child.on('exit', () => (exited = true));
  await until(`lth ${args[0]} to take the lock`, () => exited || ownerPid(dir()) === child.pid);
  expect(exited, `lth ${args.join(' ')} exited early`).to.equal(false);
  return child;
}

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  const done = new Promise((r) => child.on('exit', r));
  child.kill(signal);
  await done;
}

/**
 * Two real `lth` processes on one experiment: the second stops at once with one LOCKED line
 * naming the first, writes nothing, and takes over as soon as the first is SIGKILLed.
 */
describe('experiment lock (two real lth processes)', function () {
  this.timeout(300_000);
  let s: Scratch;
  const where = async (cmd: string, ...args: string[]) => (await s.lth([cmd, ...DATA, ...args, '--display_output_location'])).stdout.trim();

  before(() => {
    expect(fs.existsSync(path.join(FASHION, 'train-images-idx3-ubyte.gz')), `Fashion-MNIST is not installed in ${FASHION}: apt-get install dataset-fashion-mnist`).to.equal(true);
    s = new Scratch('lock-cli');
  });
  after(() => s.remove());

  it('lth train: the second run of a replicate is refused; another replicate runs; a SIGKILLed holder is taken over at once', async () => {
    const args = ['train', ...DATA, LONG];
    const rep1 = path.dirname(await where('train', LONG));
    const rep2 = path.dirname(await where('train', LONG, '--replicate=2'));
    const first = await holder(s, args, () => rep1);
    try {
      const second = await s.lth(args);
      expect(second.code, second.stderr).to.equal(3);
      expect(second.stdout, 'no banner').to.not.contain('Training a Model');
      const err = lines(second.stderr);
      expect(err, second.stderr).to.have.length(1);
      expect(err[0]).to.match(new RegExp(`^Error: ${rep1} is in use by process ${first.pid} on \\S+ \\(lth train .*--training_steps=5000ep.*\\) since \\d{4}-\\d\\d-\\d\\dT.*kill ${first.pid}.*\\[LOCKED\\]$`));

      const other = await holder(s, [...args, '--replicate=2'], () => rep2);
      await stop(other, 'SIGTERM');
      expect(fs.existsSync(path.join(rep2, '.lth.lock')), 'SIGTERM releases the lock').to.equal(false);

      await stop(first, 'SIGKILL');
      expect(ownerPid(rep1), 'a SIGKILLed holder leaves its lock').to.equal(first.pid);
      const next = await holder(s, args, () => rep1);
      await stop(next, 'SIGINT');
      expect(fs.existsSync(path.join(rep1, '.lth.lock')), 'SIGINT releases the lock').to.equal(false);
    } finally {
      first.kill('SIGKILL');
    }
  });

  it('lth lottery and lth lottery_branch: a second process on the same replicate or branch is refused', async () => {
    const trunk = await s.lth(['lottery', ...DATA, '--training_steps=1ep', '--levels=1', '--quiet']);
    expect(trunk.code, trunk.stderr).to.equal(0);

    const lottery = ['lottery', ...DATA, LONG, '--levels=1'];
    const replicate = path.dirname(path.dirname(await where('lottery', LONG, '--levels=1')));
    const first = await holder(s, lottery, () => replicate);
    try {
      const second = await s.lth(lottery);
      expect(second.code).to.equal(3);
      expect(lines(second.stderr), second.stderr).to.have.length(1);
      expect(second.stderr).to.match(new RegExp(`is in use by process ${first.pid} .*\\[LOCKED\\]`));
    } finally {
      await stop(first, 'SIGKILL');
    }

    const branch = ['lottery_branch', 'retrain', ...DATA, '--training_steps=1ep', '--levels=1', `--retrain_t_${LONG.slice(2)}`];
    const branchDir = await where('lottery_branch', 'retrain', '--training_steps=1ep', '--levels=1', `--retrain_t_${LONG.slice(2)}`);
    const b1 = await holder(s, branch, () => branchDir);
    try {
      const b2 = await s.lth(branch);
      expect(b2.code).to.equal(3);
      expect(lines(b2.stderr), b2.stderr).to.have.length(1);
      expect(b2.stderr).to.match(new RegExp(`^Error: ${branchDir} is in use by process ${b1.pid} .*\\[LOCKED\\]`));
    } finally {
      await stop(b1, 'SIGKILL');
    }
  });
});
