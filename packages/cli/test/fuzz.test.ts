import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import { main } from '../src/main';
import { useSession } from '../src/context';
import { planInvocation } from '../src/invocation';

/**
 * Property-based test of the command line: any one bad flag value, unknown flag, stray
 * argument or missing value given to `train`, `lottery` or `lottery_branch <branch>`, on top of
 * an otherwise valid command, is one error line `Error: ... [CODE]` on stderr, a non-zero exit
 * status, nothing written under the results root (which holds a real one-level lottery trunk,
 * so branch arguments are checked past the trunk lookup), and an answer within a time bound. Most runs call
 * the binary's `main` in-process (the same code, no process start-up); a few run the binary.
 * `LTH_FUZZ_RUNS` and `LTH_FUZZ_SEED` change the number of in-process runs and the seed.
 */

const BIN = path.join(__dirname, '..', '..', 'bin', 'run.js');
/** A LeNet on the real Fashion-MNIST, trained for 2 iterations: the trunk the branches run off is made in `before`. */
const LENET = ['--default_hparams=mnist_lenet_300_100', '--dataset_name=fashion_mnist', '--training_steps=2it'];

/** The commands fuzzed: a valid command line of each, before the bad part is added. */
const BASES: ReadonlyArray<readonly string[]> = [
  ['train', ...LENET],
  ['lottery', ...LENET, '--levels=1'],
  ['lottery_branch', 'randomly_prune', ...LENET, '--levels=0', '--seed=1'],
  ['lottery_branch', 'randomly_reinitialize', ...LENET, '--levels=0'],
  ['lottery_branch', 'retrain', ...LENET, '--levels=0'],
  ['lottery_branch', 'instability', ...LENET, '--levels=0'],
  ['lottery_branch', 'prune_at_init', ...LENET, '--levels=0', '--strategy=random', '--density=0.5'],
];

/** Flags whose values name things (datasets, models, layers ...): a `zz` prefix names nothing. */
const NAME_FLAGS = /(^|_)(seeds|dataset_name|model_name|model_init|batchnorm_init|optimizer_name|pruning_strategy|default_hparams|platform|backend|on_corrupt_image|unsupervised_labels|strategy|start_at|others_frozen_exceptions|pruning_layers_to_ignore|layers_to_ignore)$/;
/** Flags whose values are steps or level lists: an `x` prefix is never one. */
const STEP_FLAGS = /(^|_)(training_steps|warmup_steps|rewinding_steps|milestone_steps|levels)$/;

/** Values out of the range of flags that have one. */
const OUT_OF_RANGE: Record<string, readonly string[]> = {
  batch_size: ['0', '-3'],
  replicate: ['0', '-1'],
  num_workers: ['-1', '257'],
  num_threads: ['0', '1025', '99999'],
  subsample_fraction: ['0', '1.5', '-0.1'],
  random_labels_fraction: ['0', '2'],
  blur_factor: ['0', '-2', '29', '100000'],
  lr: ['0', '-0.1'],
  momentum: ['-1'],
  nesterov_momentum: ['-0.5'],
  gamma: ['0', '-1'],
  weight_decay: ['-1e-4'],
  pruning_fraction: ['0', '1.01'],
  levels: ['-1', '1001', '9007199254740993'],
  density: ['0', '1.5'],
  points: ['1', '10001'],
};

interface Spec {
  readonly name: string;
  readonly kind: string;
}

/** Every flag of a command line's plan (`lth <command> --help` lists the same). */
function flagsOf(base: readonly string[]): Spec[] {
  return planInvocation(base[0], base.slice(1), useSession()).specs.map((s) => ({ name: s.name, kind: s.kind }));
}

const text = fc.string({ maxLength: 12 }).filter((s) => !s.includes('\n'));

/** Values of a flag that are never valid. */
function badValues(spec: Spec): fc.Arbitrary<string> {
  const base = spec.name.replace(/^(retrain_[dt]|pretrain)_/, '');
  const ranged = OUT_OF_RANGE[base] ?? [];
  const choices: Array<fc.Arbitrary<string>> = ranged.length ? [fc.constantFrom(...ranged)] : [];
  switch (spec.kind) {
    case 'bool':
      return text;
    case 'int':
      return fc.oneof(...choices, text.filter((s) => !/^\s*[+-]?\d+\s*$/.test(s)), fc.constantFrom('1.5', '1e3', '0x10', '9007199254740993', 'inf', '99999999999999999999'));
    case 'float':
      return fc.oneof(...choices, text.filter((s) => !/^\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)\s*$/.test(s)), fc.constantFrom('inf', '-inf', 'nan', 'NaN', '1e400', '-1e999', 'Infinity', '0x1p3'));
    default:
      if (STEP_FLAGS.test(spec.name)) return fc.oneof(...choices, text.map((s) => `x${s}`), fc.constantFrom('-1ep', '1.5ep', '05ep', '9007199254740993ep', '1ep,', ''));
      if (NAME_FLAGS.test(spec.name)) return text.map((s) => `zz${s.replace(/,/g, '')}`);
      return text.map((s) => `zz${s}`);
  }
}

/** One bad command line: a valid base with one bad part. */
const badLines: fc.Arbitrary<string[]> = fc.constantFrom(...BASES).chain((base) => {
  const specs = flagsOf(base);
  const set = (name: string, value: string) => [...base.filter((a) => !a.startsWith(`--${name}=`)), `--${name}=${value}`];
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...specs).chain((s) => badValues(s).map((v) => set(s.name, v))) },
    { weight: 1, arbitrary: fc.stringMatching(/^[a-z_]{1,20}$/).filter((n) => !specs.some((s) => s.name === n)).map((n) => [...base, `--${n}zz=1`]) },
    { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9_.]{1,12}$/).map((p) => [...base, `stray_${p}`]) },
    { weight: 1, arbitrary: fc.constantFrom(...specs.filter((s) => s.kind !== 'bool')).map((s) => [...base.filter((a) => !a.startsWith(`--${s.name}=`)), `--${s.name}`]) },
    { weight: 1, arbitrary: fc.constantFrom('-x', '-lr', '-q').map((f) => [...base, f]) },
  );
});

/** Every file and folder under `dir`, with its size and modification time. */
function snapshot(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    const st = fs.statSync(p);
    return [`${p} ${st.size} ${st.mtimeMs}`, ...(e.isDirectory() ? snapshot(p) : [])];
  });
}

const ERROR_LINE = /^Error: \S.* \[[A-Z][A-Z0-9_]*\]$/;

describe('CLI fuzz: any bad flag is one clear error, a non-zero exit, nothing on disk', function () {
  this.timeout(180000);
  let root: string;
  let trunk: string[];
  const saved: Record<string, string | undefined> = {};

  before(async () => {
    useSession(); // the session main's init hook opens: config and plugins, as the binary has them
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lth-fuzz-'));
    for (const k of ['LTH_ROOT', 'LTH_DEBUG', 'LTH_NATIVE_THREADS']) saved[k] = process.env[k];
    process.env.LTH_ROOT = path.join(root, 'results');
    delete process.env.LTH_DEBUG;
    delete process.env.LTH_NATIVE_THREADS;
    const out = { write: () => true };
    const code = await main(['lottery', ...LENET, '--levels=0', '--quiet', '--evaluate_only_at_end'], { stdout: out, stderr: (l) => expect.fail(l) });
    expect(code).to.equal(0);
    trunk = snapshot(process.env.LTH_ROOT!);
    expect(trunk.some((f) => f.includes('mask.safetensors'))).to.equal(true);
  });
  after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('in-process (the binary\'s main), 250 command lines over every flag of train, lottery and the five branches', async () => {
    await fc.assert(
      fc.asyncProperty(badLines, async (argv) => {
        const errors: string[] = [];
        const stdout = { text: '', write(s: string) { this.text += s; return true; } };
        const t0 = Date.now();
        const code = await main(argv, { stdout, stderr: (l) => errors.push(...l.split('\n')) });
        const ms = Date.now() - t0;
        const where = `lth ${argv.join(' ')}`;
        expect(code, where).to.not.equal(0);
        expect(errors, where).to.have.length(1);
        expect(errors[0], where).to.match(ERROR_LINE);
        expect(snapshot(process.env.LTH_ROOT!), where).to.deep.equal(trunk);
        expect(ms, where).to.be.below(15000);
      }),
      { numRuns: Number(process.env.LTH_FUZZ_RUNS) || 250, seed: Number(process.env.LTH_FUZZ_SEED) || 20261203, endOnFailure: true },
    );
  });

  it('the binary itself, on a sample of the same command lines', () => {
    const samples = fc.sample(badLines, { numRuns: 3, seed: 7 });
    samples.push(['train', ...LENET, '--lr=inf'], ['lottery_branch', 'randomly_prune', ...LENET, '--seed=1', '--levels=9007199254740993']);
    trunk = snapshot(process.env.LTH_ROOT!);
    for (const argv of samples) {
      const t0 = Date.now();
      const r = spawnSync(process.execPath, [BIN, ...argv], { encoding: 'utf8', env: { ...process.env }, timeout: 60000 });
      const where = `lth ${argv.join(' ')}`;
      expect(r.status, where).to.be.a('number').and.not.equal(0);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines, where).to.have.length(1);
      expect(lines[0], where).to.match(ERROR_LINE);
      expect(snapshot(process.env.LTH_ROOT!), where).to.deep.equal(trunk);
      expect(Date.now() - t0, where).to.be.below(30000);
    }
  });
});
