import { expect } from 'chai';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeTempDirs, tempDir } from '@lth/testing';
import { accuracy, BRANCH, FIXTURE_FLAGS, writeFixture } from './fixture';

const LTH = path.resolve(__dirname, '..', '..', '..', '..', 'packages', 'cli', 'bin', 'run.js');

function lth(args: readonly string[], root: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, LTH_ROOT: root, LTH_BACKEND: 'cpu' };
  delete env.LTH_DEBUG;
  return new Promise((resolve) => {
    execFile(process.execPath, [LTH, ...args], { env, cwd: path.dirname(root), maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** The one error line a rejected command prints, checked for its code and a non-zero exit. */
function expectError(r: { code: number; stdout: string; stderr: string }, code: string): string {
  expect(r.code, r.stderr).to.not.equal(0);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).to.have.length(1);
  expect(lines[0]).to.match(new RegExp(`^Error: .*\\[${code}\\]$`));
  return lines[0];
}

describe('lth ls and lth report (the binary)', function () {
  this.timeout(120000);
  let root: string;
  let dir: string;
  before(() => {
    root = path.join(tempDir('report-cli'), 'results');
    dir = writeFixture(root);
  });
  after(removeTempDirs);

  it('lth ls: a row per experiment and branch, no backend set up', async () => {
    const r = await lth(['ls'], root);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.not.match(/Backend/);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).to.equal(`Results root: ${root}`);
    expect(lines[2]).to.match(new RegExp(`^${path.basename(dir)} +lottery +1-2 +3/3 +complete +${(100 * (accuracy('trunk', 3, 2) + 0.01)).toFixed(2)}% +mnist_lenet_300_100 dataset_name=fashion_mnist training_steps=2ep data_order_seed=1$`));
    expect(lines[3]).to.match(new RegExp(`^  ${BRANCH} +branch +1-2 +0-3 +complete`));
  });

  it('lth ls --json with filters', async () => {
    const all = JSON.parse((await lth(['ls', '--json', '--dataset_name=fashion_mnist', '--lr=0.1'], root)).stdout);
    expect(all.map((x: { kind: string }) => x.kind)).to.deep.equal(['lottery', 'branch']);
    expect(all[0].hparams.training_steps).to.equal('2ep');
    expect(JSON.parse((await lth(['ls', '--json', '--dataset_name=mnist'], root)).stdout)).to.deep.equal([]);
    expect(JSON.parse((await lth(['ls', '--json', '--kind=branch'], root)).stdout).map((x: { hashname: string }) => x.hashname)).to.deep.equal([BRANCH]);
    expectError(await lth(['ls', '--kind=trunk'], root), 'BAD_HPARAM');
  });

  it('lth ls on an empty root and a missing one', async () => {
    const empty = path.join(tempDir('report-cli'), 'empty');
    fs.mkdirSync(empty);
    const r = await lth(['ls'], empty);
    expect([r.code, r.stdout.trim()]).to.deep.equal([0, `No experiments under ${empty}.`]);
    const line = expectError(await lth(['ls', `--root=${path.join(empty, 'missing')}`], empty), 'NO_ROOT');
    expect(line).to.contain('does not exist');
  });

  it('lth report by directory and by the lottery flags give the same table; csv and json agree', async () => {
    const byDir = await lth(['report', path.join(dir, 'replicate_1', 'level_2')], root);
    expect(byDir.code, byDir.stderr).to.equal(0);
    const byFlags = await lth(['report', ...FIXTURE_FLAGS, '--levels=3'], root);
    expect(byFlags.stdout).to.equal(byDir.stdout);
    const row = byDir.stdout.split('\n').find((l) => /^\s+2\s.*trunk/.test(l))!;
    const a = [accuracy('trunk', 2, 1), accuracy('trunk', 2, 2)];
    const mean = (a[0] + a[1]) / 2;
    const std = Math.abs(a[0] - a[1]) / Math.SQRT2;
    const kept = Math.round(235200 * 0.64) + Math.round(30000 * 0.64) + 1000;
    expect(row).to.match(new RegExp(`${kept} \\(${((100 * kept) / 266200).toFixed(2).replace('.', '\\.')}%\\) +trunk +${(100 * mean).toFixed(2)}% ± ${(100 * std).toFixed(2)}% +${(100 * (mean + 0.01)).toFixed(2)}% ± ${(100 * std).toFixed(2)}% +2$`));
    const csv = (await lth(['report', dir, '--format=csv'], root)).stdout.trim().split('\n');
    expect(csv).to.have.length(9);
    const json = JSON.parse((await lth(['report', dir, '--format=json'], root)).stdout);
    expect(json.rows[4].final.mean).to.equal(Number(csv[5].split(',')[6]));
  });

  it('lth report: one clear line for what is not a lottery', async () => {
    expectError(await lth(['report', path.join(root, 'nowhere')], root), 'NO_EXPERIMENT');
    const train = path.join(root, 'train_0123456789abcdef0123456789abcdef');
    fs.mkdirSync(train);
    expect(expectError(await lth(['report', train], root), 'NOT_A_LOTTERY')).to.contain('train experiment');
    fs.rmSync(train, { recursive: true });
    expectError(await lth(['report', ...FIXTURE_FLAGS, '--lr=0.05'], root), 'NO_EXPERIMENT');
  });

  it('lth report --out writes report.html, the SVG figures, report.json and report.csv', async () => {
    const out = path.join(tempDir('report-cli'), 'out');
    const r = await lth(['report', dir, `--out=${out}`], root);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.trim().split('\n').pop()).to.equal(`Report: ${path.join(out, 'report.html')}`);
    expect(fs.readdirSync(out).sort()).to.deep.equal(['curves.svg', 'density.svg', 'lth.svg', 'report.csv', 'report.html', 'report.json']);
    for (const f of ['lth.svg', 'curves.svg', 'density.svg']) expect(fs.readFileSync(path.join(out, f), 'utf8')).to.match(/^<svg [^>]*class="marks"/);
  });
});
