import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { FIXTURES, md5Tree, Scratch, type LthRun } from './lth-binary';

/** The example plugin's tiny dataset (256 8x8 images) and MLP: each run is mostly start-up. */
const COMMON = ['--default_hparams=example_mlp_8', '--training_steps=1ep', '--data_order_seed=3', '--quiet', '--evaluate_only_at_end'];
const LOTTERY = ['lottery', ...COMMON, '--levels=2'];
const BRANCH = ['lottery_branch', 'randomly_prune', ...COMMON, '--levels=2', '--seed=5'];


/**
 * Kills `lth lottery` (2 levels) and `lth lottery_branch` just before the K-th atomic rename,
 * for every K (`LTH_KILL_BEFORE_RENAME`, a SIGKILL from inside `writeFileAtomic`), runs the
 * same command again, and compares every file with an uninterrupted run's, byte for byte.
 */
describe('killed before every atomic rename, then run again (end to end)', function () {
  this.timeout(900_000);
  const s = new Scratch('kill-rename');
  const run = (args: readonly string[]): Promise<LthRun> => s.lth(args);
  let trunk: Record<string, string>;
  let withBranch: Record<string, string>;
  const trunkCopy = path.join(s.dir, 'trunk-copy');

  before(async () => {
    fs.writeFileSync(path.join(s.dir, 'lth.config.js'), `module.exports = { plugins: [${JSON.stringify(path.join(FIXTURES, 'plugin-example'))}] };\n`);
    const a = await run(LOTTERY);
    expect(a.code, a.stderr).to.equal(0);
    trunk = md5Tree(s.root);
    fs.cpSync(s.root, trunkCopy, { recursive: true });
    const b = await run(BRANCH);
    expect(b.code, b.stderr).to.equal(0);
    withBranch = md5Tree(s.root);
    expect(Object.keys(withBranch).length).to.be.greaterThan(Object.keys(trunk).length);
  });
  after(() => s.remove());

  /**
   * Kills at K = 1, 2, ... (four at a time, each in its own results root) until a run
   * finishes before its K-th rename; returns how many renames the command makes.
   */
  async function everyK(args: readonly string[], reset: (root: string) => void, want: Record<string, string>): Promise<number> {
    const one = async (k: number): Promise<boolean> => {
      const root = path.join(s.dir, `k${k}`);
      reset(root);
      const env = { LTH_ROOT: root };
      const killed = await s.lth(args, s.dir, { ...env, LTH_KILL_BEFORE_RENAME: String(k) });
      if (killed.code === 0) return false;
      expect(killed.code, `K=${k}: killed by SIGKILL, not failed: ${killed.stderr}`).to.equal(1);
      expect(killed.stderr, `K=${k}`).to.equal('');
      const again = await s.lth(args, s.dir, env);
      expect(again.code, `K=${k}: ${again.stderr}`).to.equal(0);
      expect(md5Tree(root), `K=${k}: every file as in an uninterrupted run, no temporaries, no lock`).to.deep.equal(want);
      fs.rmSync(root, { recursive: true, force: true });
      return true;
    };
    for (let k = 1; ; k += 4) {
      const killed = await Promise.all([k, k + 1, k + 2, k + 3].map(one));
      const done = killed.indexOf(false);
      if (done >= 0) {
        expect(killed.slice(done), 'once a run finishes, later K finish too').to.not.include(true);
        return k + done - 1;
      }
    }
  }

  it('a 2-level lottery', async () => {
    const n = await everyK(LOTTERY, (root) => fs.rmSync(root, { recursive: true, force: true }), trunk);
    expect(n, 'renames of a 2-level lottery').to.be.at.least(20);
  });

  it('a branch (at level 2)', async () => {
    const reset = (root: string) => {
      fs.rmSync(root, { recursive: true, force: true });
      fs.cpSync(trunkCopy, root, { recursive: true });
    };
    const n = await everyK(BRANCH, reset, withBranch);
    expect(n, 'renames of a branch').to.be.at.least(8);
  });
});
