import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { LTH_BIN, lines, md5Tree, Scratch } from './lth-binary';

const FASHION = '/usr/share/datasets/fashion-mnist';
/** LeNet 20-10 (64 KB of weights, a 128 KB checkpoint with momentum) for one epoch of 600 images. */
const TRAIN = ['train', '--default_hparams=mnist_lenet_20_10', '--dataset_name=fashion_mnist', '--subsample_fraction=0.01', '--training_steps=1ep', '--data_order_seed=2', '--momentum=0.9', '--quiet'];


function expectOneLine(r: { code: number; stderr: string }, pattern: RegExp): void {
  expect(r.code, r.stderr).to.be.greaterThan(0);
  expect(lines(r.stderr), r.stderr).to.have.length(1);
  expect(lines(r.stderr)[0]).to.match(pattern);
  expect(r.stderr).to.not.match(/unexpected error|\n\s+at /);
}

/**
 * The disk fills up during the last checkpoint write of `lth train` (a 256 KB tmpfs): one
 * NO_SPACE line naming the file, no temporary file and no lock left, the previous checkpoint
 * intact; with space again the same command finishes with the bytes of an uninterrupted run.
 * Mounting needs root (CI runs as root); elsewhere the test fails and says so.
 */
describe('disk full (a real tmpfs)', function () {
  this.timeout(300_000);
  const s = new Scratch('disk-full');
  const mount = path.join(s.dir, 'small');
  let mounted = false;

  before(function () {
    expect(fs.existsSync(path.join(FASHION, 'train-images-idx3-ubyte.gz')), `Fashion-MNIST is not installed in ${FASHION}: apt-get install dataset-fashion-mnist`).to.equal(true);
    expect(process.getuid?.(), 'the disk-full test mounts a tmpfs, which needs root: run it as root (CI does), e.g. sudo npx mocha --no-config test/dist/disk-full.test.js').to.equal(0);
    fs.mkdirSync(mount);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mount]);
    mounted = true;
  });
  after(() => {
    if (mounted) execFileSync('umount', [mount]);
    s.remove();
  });

  it('fails with one NO_SPACE line, leaves no temporary file or lock, and resumes to the same bytes once there is space', async () => {
    const reference = await s.lth(TRAIN);
    expect(reference.code, reference.stderr).to.equal(0);
    const want = md5Tree(s.root);

    const full = await s.lth(TRAIN, s.dir, { LTH_ROOT: mount });
    expectOneLine(full, new RegExp(`^Error: Cannot write ${mount}/train_[0-9a-f]{32}/replicate_1/main/checkpoint\\.safetensors: no space is left on the device \\(ENOSPC\\)\\. Free some space .* \\[NO_SPACE\\]$`));
    const left = Object.keys(md5Tree(mount));
    expect(left.filter((f) => f.endsWith('.tmp') || f.includes('.lth.lock')), 'no temporary file, no lock').to.deep.equal([]);
    expect(left.some((f) => f.endsWith('main/checkpoint.safetensors')), 'the previous checkpoint is kept').to.equal(true);
    expect(left.some((f) => f.endsWith('model_ep1_it0.safetensors')), 'no end model without its checkpoint').to.equal(false);

    execFileSync('mount', ['-o', 'remount,size=16m', mount]);
    const again = await s.lth(TRAIN, s.dir, { LTH_ROOT: mount });
    expect(again.code, again.stderr).to.equal(0);
    expect(md5Tree(mount)).to.deep.equal(want);
  });
});

/** Other I/O faults a user meets, through the real binary: one line, a code, exit != 0. */
describe('I/O errors of the lth binary', function () {
  this.timeout(120_000);
  const s = new Scratch('io-errors');
  after(() => s.remove());
  const small = ['train', '--default_hparams=mnist_lenet_20_10', '--dataset_name=fashion_mnist', '--subsample_fraction=0.01', '--training_steps=1it', '--quiet'];

  it('stdout on /dev/full', () => {
    const fd = fs.openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [LTH_BIN, 'train', '--help'], { cwd: s.dir, env: s.env(), stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
      expectOneLine({ code: r.status ?? 1, stderr: r.stderr }, /^Error: Cannot write to standard output: no space is left on the device \(ENOSPC\)\. Redirect the output .* \[NO_SPACE\]$/);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('a results root too long for the file system, or through a symbolic link loop', async () => {
    const long = await s.lth(small, s.dir, { LTH_ROOT: path.join(s.dir, 'x'.repeat(300)) });
    expectOneLine(long, /^Error: Cannot create the directory .*: the path is too long for the file system \(ENAMETOOLONG\)\. Choose a shorter results root .* \[PATH_TOO_LONG\]$/);
    fs.symlinkSync(path.join(s.dir, 'loop'), path.join(s.dir, 'loop'));
    const loop = await s.lth(small, s.dir, { LTH_ROOT: path.join(s.dir, 'loop', 'results') });
    expectOneLine(loop, /^Error: Cannot create the directory .*loop\/results\/train_.*: the path goes through a loop of symbolic links \(ELOOP\)\. .* \[SYMLINK_LOOP\]$/);
  });

  it('a deleted current directory', async () => {
    const gone = path.join(s.dir, 'gone');
    fs.mkdirSync(gone);
    const r = spawnSync('sh', ['-c', `cd "${gone}" && rmdir "${gone}" && exec "${process.execPath}" "${LTH_BIN}" "$@"`, 'sh', ...small], { env: s.env(), encoding: 'utf8' });
    expect(r.status).to.be.greaterThan(0);
    expect(r.stderr).to.match(/Error: The current directory no longer exists .* \[NO_CWD\]\n$/);
    expect(r.stderr).to.not.match(/\n\s+at /);
  });
});
