import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { loadSafetensors } from '@lth/kernel';
import { lines, readmeGuideFiles, REPO, Scratch } from './lth-binary';

const FASHION = '/usr/share/datasets/fashion-mnist';
const PACKAGE = 'lth-plugin-sign-preserving-reinit';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/**
 * The guide's third-party branch, as a user makes it: its package written from the guide's
 * code blocks outside the workspace, compiled with TypeScript against lth's packages, installed
 * with `npm install <path>` into a scratch project that lists it in `lth.config.ts`, and run off
 * a small trunk on Fashion-MNIST with the real `lth` binary.
 */
describe('a third-party branch package (the README guide "Writing a branch", end to end)', function () {
  this.timeout(300000);
  let s: Scratch;
  let pkg: string;
  let project: string;
  const trunk = ['--default_hparams=mnist_lenet_20_10', '--dataset_name=fashion_mnist', '--subsample_fraction=0.01', '--training_steps=2ep', '--data_order_seed=1'];

  before(async () => {
    expect(fs.existsSync(path.join(FASHION, 'train-images-idx3-ubyte.gz')), `Fashion-MNIST is not installed in ${FASHION}: apt-get install dataset-fashion-mnist`).to.equal(true);
    s = new Scratch('branch-plugin');
    pkg = path.join(s.dir, PACKAGE);
    const files = readmeGuideFiles('### Writing a branch');
    expect(Object.keys(files).sort()).to.deep.equal(['package.json', 'src/index.ts', 'tsconfig.json']);
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(pkg, name)), { recursive: true });
      fs.writeFileSync(path.join(pkg, name), text);
    }
    // The development dependencies the guide installs, as links to this checkout's packages.
    for (const dep of ['@lth/kernel', '@lth/lottery', '@lth/training', '@tensorflow/tfjs-core']) {
      fs.mkdirSync(path.dirname(path.join(pkg, 'node_modules', dep)), { recursive: true });
      fs.symlinkSync(fs.realpathSync(path.join(REPO, 'node_modules', dep)), path.join(pkg, 'node_modules', dep));
    }
    execFileSync(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', pkg], { stdio: 'pipe' });
    project = path.join(s.dir, 'project');
    fs.mkdirSync(project);
    const npm = (args: string[]) => execFileSync('npm', args, { cwd: project, env: s.env(), stdio: 'pipe' });
    npm(['init', '-y']);
    npm(['install', pkg, '--install-links', '--offline', '--no-audit', '--no-fund']);
    fs.writeFileSync(path.join(project, 'lth.config.ts'), `import type { LthConfig } from '@lth/kernel';\n\nexport default {\n  plugins: ['${PACKAGE}'],\n} satisfies LthConfig;\n`);
    const r = await s.lth(['lottery', ...trunk, '--levels=1', '--evaluate_only_at_end', '--quiet'], project);
    expect(r.code, r.stderr).to.equal(0);
  });
  after(() => (process.env.KEEP_SCRATCH ? undefined : s.remove()));

  it('is built outside the workspace and installed as a copy of its build', () => {
    expect(path.relative(REPO, pkg).startsWith('..')).to.equal(true);
    const installed = path.join(project, 'node_modules', PACKAGE);
    expect(fs.lstatSync(installed).isSymbolicLink()).to.equal(false);
    expect(fs.existsSync(path.join(installed, 'dist', 'index.js'))).to.equal(true);
    expect(fs.existsSync(path.join(installed, 'src'))).to.equal(false);
  });

  it('shows in lth lottery_branch, lth plugins and the branch help', async () => {
    const menu = await s.lth(['lottery_branch'], project);
    expect(menu.code).to.equal(1);
    expect(lines(menu.stderr).slice(3, -1)).to.deep.equal([
      'Choose a branch to run:',
      '    * lth lottery_branch randomly_prune [...] => Randomly prune the model.',
      '    * lth lottery_branch randomly_reinitialize [...] => Randomly reinitialize the model.',
      '    * lth lottery_branch retrain [...] => Retrain the model with different hyperparameters.',
      '    * lth lottery_branch instability [...] => Linear mode connectivity: train two copies with different data orders and measure the error barrier between them.',
      "    * lth lottery_branch prune_at_init [...] => Prune the level's starting network with SNIP, GraSP, SynFlow or at random to a density, then train it.",
      "    * lth lottery_branch sign_preserving_reinit [...] => Reinitialize at random, keeping the signs of the lottery ticket's weights.",
    ]);
    const plugins = await s.lth(['plugins'], project);
    expect(plugins.stdout).to.match(new RegExp(`${PACKAGE} 1\\.0\\.0  \\[from lth\\.config\\.ts\\][^\\n]*\\n[^\\n]*\\n    branches: sign_preserving_reinit`));
    const help = await s.lth(['lottery_branch', 'sign_preserving_reinit', '--help', ...trunk], project);
    expect(help.code, help.stderr).to.equal(0);
    const args = help.stdout.slice(help.stdout.indexOf('Branch Arguments:'));
    expect(args).to.match(/--seed <int> +\(optional: int\) The seed of the new initialisation\./);
    expect(args).to.match(/--start_at_step_zero +\(optional\) Train from step 0 instead of the rewind step\./);
  });

  it('runs off the trunk: its own directory, hparams.log and mask; the lottery signs on new weights; a column in the table', async () => {
    const args = ['lottery_branch', ...trunk, '--levels=0-1', '--seed=3', 'sign_preserving_reinit', '--evaluate_only_at_end'];
    const where = await s.lth([...args, '--display_output_location'], project);
    expect(where.code, where.stderr).to.equal(0);
    const dirs = lines(where.stdout);
    expect(dirs.map((d) => path.basename(d))).to.deep.equal([0, 1].map(() => `lottery_branch_sign_preserving_reinit_${md5('Hparams(seed=3)')}`));
    expect(dirs.map((d) => path.basename(path.dirname(d)))).to.deep.equal(['level_0', 'level_1']);
    const r = await s.lth(args, project);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('Branch sign_preserving_reinit (Replicate 1, Level 1)');
    expect(r.stdout).to.contain('Signs of the rewind weights on a new initialisation (seed 3).');
    expect(r.stdout).to.match(/Level\s+Weights remaining\s+Trunk \(final test acc\)\s+sign_preserving_reinit\(seed=3\)\n\s+0\s+15980 \(100\.00%\)\s+\d+\.\d\d%\s+\d+\.\d\d%\n\s+1\s+12783 \(79\.99%\)\s+\d+\.\d\d%\s+\d+\.\d\d%\n/);
    const dir = dirs[1];
    for (const f of ['hparams.log', 'desc.json', 'mask.safetensors', 'sparsity_report.json', 'logger', 'model_ep0_it0.safetensors', 'model_ep2_it0.safetensors']) {
      expect(fs.existsSync(path.join(dir, f)), f).to.equal(true);
    }
    expect(fs.readFileSync(path.join(dir, 'hparams.log'), 'utf8')).to.match(/\nBranch Arguments\n    \* seed => 3$/);
    const mine = loadSafetensors(path.join(dir, 'model_ep0_it0.safetensors')).tensors.get('fc_layers.0.weight')!.data as Float32Array;
    const ticket = loadSafetensors(path.join(path.dirname(dir), 'main', 'model_ep0_it0.safetensors')).tensors.get('fc_layers.0.weight')!.data as Float32Array;
    const mask = loadSafetensors(path.join(dir, 'mask.safetensors')).tensors.get('fc_layers.0.weight')!.data as Int32Array;
    let kept = 0;
    let same = 0;
    for (let i = 0; i < mask.length; i++) {
      if (mask[i] === 0) {
        expect(mine[i]).to.equal(0);
        continue;
      }
      kept++;
      expect(Math.sign(mine[i]), `weight ${i}`).to.equal(Math.sign(ticket[i]));
      if (mine[i] === ticket[i]) same++;
    }
    expect(kept).to.be.greaterThan(5000);
    expect(same).to.equal(0);
  });
});
