import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { lines, REPO, Scratch, type LthRun } from './lth-binary';

const GOLDEN = JSON.parse(fs.readFileSync(path.join(REPO, 'packages', 'kernel', 'test', 'golden-hashes.json'), 'utf8')) as Record<string, { hash: string }>;

/** The lines of the section titled `title` in help text, up to the next title. */
function section(text: string, title: string): string[] {
  const all = text.split('\n');
  const at = all.indexOf(`${title}:`);
  expect(at, `section ${title}`).to.be.greaterThan(0);
  const end = all.findIndex((l, i) => i > at && /^\S.*:$/.test(l));
  return all.slice(at + 1, end < 0 ? undefined : end);
}

/** Asserts a run failed with exactly one `Error: ...` line on stderr, matching `pattern`. */
function expectOneLineError(run: LthRun, pattern: RegExp): void {
  expect(run.code, `exit status; stderr: ${run.stderr}`).to.not.equal(0);
  const errs = lines(run.stderr);
  expect(errs, run.stderr).to.have.length(1);
  expect(errs[0]).to.match(/^Error: /);
  expect(errs[0]).to.match(pattern);
  expect(run.stderr).not.to.match(/^\s+at /m);
}

describe('lth binary (end to end)', function () {
  this.timeout(120000);
  let s: Scratch;
  before(() => {
    s = new Scratch('cli');
  });
  after(() => s.remove());

  it('lists the commands with one-line descriptions when run alone', async () => {
    const r = await s.lth([]);
    expect(r.code).to.equal(0);
    const out = lines(r.stdout);
    expect(out.slice(0, 4)).to.deep.equal(['='.repeat(82), 'lth: A Framework for Research on Lottery Tickets and Beyond', '-'.repeat(82), 'Choose a command to run:']);
    expect(out).to.include('    * lth train [...] => Train a model.');
    expect(out).to.include('    * lth plugins => List the loaded plugins and what each contributes.');
    expect(r.stderr).to.equal('');
  });

  it('prints its version', async () => {
    const r = await s.lth(['--version']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/^lth 0\.1\.0 \(@lth\/kernel 0\.1\.0, node v\d+/);
  });

  it('prints the menu and exits 1 for an unknown command, suggesting the closest', async () => {
    const r = await s.lth(['trian']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('Choose a command to run:');
    expect(lines(r.stderr).pop()).to.equal("Error: Unknown command 'trian'. Did you mean lth train? [UNKNOWN_COMMAND]");
  });

  it('routes lth help <command> through oclif to the same help, selectors applied; an unknown command in help is one line', async () => {
    const [viaHelp, viaFlag, menu, unknown] = await Promise.all([
      s.lth(['help', 'lottery', '--pretrain', '--default_hparams=mnist_lenet_300_100']),
      s.lth(['lottery', '--pretrain', '--default_hparams=mnist_lenet_300_100', '--help']),
      s.lth(['help']),
      s.lth(['help', 'trian']),
    ]);
    expect(viaHelp.code, viaHelp.stderr).to.equal(0);
    expect(viaHelp.stdout).to.equal(viaFlag.stdout);
    expect(viaHelp.stdout).to.contain('Training Hyperparameters for Pretraining:');
    expect(lines(menu.stdout)).to.include('Choose a command to run:');
    expectOneLineError(unknown, /Unknown command 'trian'/);
  });

  it('runs the workflow commands the init hook added, the positional before or after a switch', async () => {
    const a = await s.lth(['lottery_branch', '--quiet', 'randomly_prune', '--default_hparams=mnist_lenet_300_100', '--levels', '0', '--seed', '1', '--display_output_location']);
    const b = await s.lth(['lottery_branch', 'randomly_prune', '--quiet', '--default_hparams=mnist_lenet_300_100', '--levels=0', '--seed=1', '--display_output_location']);
    expect(a.code, a.stderr).to.equal(0);
    expect(a.stdout).to.equal(b.stdout);
    expect(a.stdout).to.match(/lottery_branch_randomly_prune_[0-9a-f]{32}\n$/);
  });

  it('lists the loaded plugins with versions, origins and contributions by kind', async () => {
    const r = await s.lth(['plugins']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/^\d+ plugins loaded; no configuration file \(built-in defaults\)\./);
    expect(r.stdout).to.match(/^@lth\/plugin-platform-local 0\.1\.0 {2}\[built-in\] {2}\S+index\.js\n.*\n {4}platforms: local$/m);
    expect(r.stdout).to.match(/^@lth\/training 0\.1\.0 {2}\[built-in\][^\n]*\n(?: {4}.*\n)*? {4}workflows: train$/m);
    expect(r.stdout).to.match(/model families: mnist_lenet \(mnist_lenet_N\[_M\.\.\.\]\)/);
    expect(r.stdout).to.match(/^@lth\/nn 0\.1\.0 {2}\[built-in\][^\n]*\n(?: {4}.*\n)*? {4}initializers: kaiming_normal, kaiming_uniform, orthogonal, binary$/m);
    expect(r.stdout).to.match(/^@lth\/plugin-dataset-imagenet 0\.1\.0 {2}\[built-in\][^\n]*\n(?: {4}.*\n)*? {4}platform setting imagenetRoot \(or \$LTH_IMAGENET_ROOT\): The ImageNet folder/m);
    expect(r.stdout).to.match(/^@lth\/plugin-branch-instability 0\.1\.0 {2}\[built-in\][^\n]*\n(?: {4}.*\n)*? {4}branches: instability\n {4}report extensions: instability$/m);
  });

  it('renders train --help from the groups, with --default_hparams filling in the defaults', async () => {
    const r = await s.lth(['train', '--help', '--default_hparams=mnist_lenet_300_100']);
    expect(r.code).to.equal(0);
    const titles = r.stdout.split('\n').filter((l) => /^[A-Z][\w /-]*:$/.test(l));
    expect(titles).to.deep.equal(['High-Level Arguments:', 'Platform Hyperparameters:', 'Dataset Hyperparameters:', 'Model Hyperparameters:', 'Training Hyperparameters:']);
    const dataset = section(r.stdout, 'Dataset Hyperparameters').join('\n');
    expect(dataset).to.match(/^ {2}--batch_size <int> +\(default: 128\) /m);
    expect(dataset).to.match(/^ {2}--dataset_name <str> +\(default: mnist\) /m);
    expect(section(r.stdout, 'Training Hyperparameters').join('\n')).to.match(/--lr <float> +\(default: 0\.1\) /);
    expect(section(r.stdout, 'Platform Hyperparameters').join('\n')).to.match(/--num_workers <int> +\(optional: int\) /);
    const bare = await s.lth(['train', '-h']);
    expect(section(bare.stdout, 'Dataset Hyperparameters').join('\n')).to.match(/--batch_size <int> +\(required: int\) /);
  });

  it('prints the output location of the lenet defaults under the golden hash, without running', async () => {
    const r = await s.lth(['train', '--display_output_location', '--default_hparams=mnist_lenet_300_100']);
    expect(r.code, r.stderr).to.equal(0);
    expect(GOLDEN['train lenet defaults'].hash).to.equal('train_574e51abc295d8da78175b320504f2ba');
    expect(r.stdout).to.equal(`${path.join(s.root, GOLDEN['train lenet defaults'].hash, 'replicate_1', 'main')}\n`);
    const r2 = await s.lth(['train', '--default_hparams', 'mnist_lenet_300_100', '--replicate', '3', '--display_output_location']);
    expect(r2.stdout).to.equal(`${path.join(s.root, 'train_574e51abc295d8da78175b320504f2ba', 'replicate_3', 'main')}\n`);
    expect(fs.existsSync(s.root)).to.equal(false);
  });

  it('prints the output location of the cifar_resnet_20 defaults under the golden hash', async () => {
    const r = await s.lth(['train', '--display_output_location', '--default_hparams=cifar_resnet_20']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal(`${path.join(s.root, 'train_71bc92a970b64a76d7ab7681764b0021', 'replicate_1', 'main')}\n`);
  });

  it('lists every missing required flag by name in one line', async () => {
    const r = await s.lth(['train']);
    expectOneLineError(r, /^Error: Missing required flags: --dataset_name, --batch_size, --model_name, --model_init, --batchnorm_init, --optimizer_name, --lr, --training_steps \(or pass --default_hparams=<model>\)\. \[MISSING_FLAGS\]$/);
  });

  it('suggests the closest flag for an unknown one', async () => {
    const r = await s.lth(['train', '--default_hparams=mnist_lenet_300_100', '--batchsize=64']);
    expectOneLineError(r, /^Error: Unknown flag --batchsize\. Did you mean --batch_size\? \[UNKNOWN_FLAG\]$/);
  });

  it('rejects malformed and out-of-range values, one line each', async () => {
    const base = ['train', '--default_hparams=mnist_lenet_300_100', '--display_output_location'];
    const cases: Array<[string[], RegExp]> = [
      [['--training_steps=10epx'], /--training_steps=10epx is invalid: not a step/],
      [['--training_steps', '-1it'], /--training_steps=-1it is invalid: .*negative/],
      [['--batch_size=0'], /--batch_size=0 is invalid: must be greater than zero/],
      [['--lr=0'], /--lr=0\.0 is invalid: must be greater than zero/],
      [['--subsample_fraction=1.5'], /--subsample_fraction=1\.5 is invalid: must be a fraction in \(0, 1\]/],
      [['--batch_size=lots'], /--batch_size expects an integer, got 'lots'/],
      [['--quiet=yes'], /--quiet is a switch and takes no value/],
      [['--backend=gpu'], /--backend='gpu' is not one of: auto, tensorflow-gpu, tensorflow, native, wasm, cpu/],
      [['--platform=cloud'], /Unknown platform 'cloud'\. Known: local/],
    ];
    const runs = await Promise.all(cases.map(([extra]) => s.lth([...base, ...extra])));
    runs.forEach((r, i) => expectOneLineError(r, cases[i][1]));
  });

  it('rejects unknown model, dataset and optimizer names, one line each', async () => {
    const full = ['--dataset_name=mnist', '--batch_size=128', '--model_name=mnist_lenet_10', '--model_init=kaiming_normal', '--batchnorm_init=uniform', '--optimizer_name=sgd', '--lr=0.1', '--training_steps=1it'];
    const swap = (flag: string, value: string) => ['train', ...full.map((f) => (f.startsWith(`--${flag}=`) ? `--${flag}=${value}` : f))];
    const runs = await Promise.all([
      s.lth(['train', '--default_hparams=mnist_resnet_1']),
      s.lth(swap('model_name', 'mnist_perceptron')),
      s.lth(swap('dataset_name', 'mnist2')),
      s.lth(swap('optimizer_name', 'adagrad')),
    ]);
    expectOneLineError(runs[0], /Unknown model 'mnist_resnet_1'/);
    expectOneLineError(runs[1], /mnist_perceptron/);
    expectOneLineError(runs[2], /mnist2/);
    expectOneLineError(runs[3], /adagrad/);
    expect(fs.existsSync(s.root) ? fs.readdirSync(s.root) : []).to.deep.equal([]);
  });
});
