import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Rng } from '@lth/kernel';
import { LOGGER_FILE } from '../src';
import { runKillFixture } from './fixtures/kill-child';
import { cleanup, tmpDir } from './helpers';

const CHILD = path.join(__dirname, 'fixtures', 'kill-child.js');

interface ChildRun {
  /** The iteration the child's loop started at (0, or a resumed checkpoint's). */
  startedAt: number | null;
  signal: NodeJS.Signals | null;
  code: number | null;
  stdout: string;
}

/** Runs the fixture in a child process; with `killAfterMs`, SIGKILLs it that long after its loop starts. */
function runChild(dir: string, killAfterMs: number | null): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const run: ChildRun = { startedAt: null, signal: null, code: null, stdout: '' };
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      run.stdout += d;
      const m = /^training (\d+)$/m.exec(run.stdout);
      if (m && run.startedAt === null) {
        run.startedAt = Number(m[1]);
        if (killAfterMs !== null) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      run.code = code;
      run.signal = signal;
      if (code !== null && code !== 0) reject(new Error(`child failed (${code}): ${stderr}`));
      else resolve(run);
    });
  });
}

describe('training survives SIGKILL', function () {
  this.timeout(120_000);
  let root: string;
  beforeEach(() => (root = tmpDir('lth-kill-')));
  afterEach(() => cleanup(root));

  it('killed at random moments and restarted, ends with the logger and weights of an uninterrupted run', async () => {
    const reference = path.join(root, 'reference');
    const t0 = performance.now();
    await runKillFixture(reference);
    const duration = performance.now() - t0;

    const dir = path.join(root, 'killed');
    const rng = new Rng('kill-test');
    const runs: ChildRun[] = [];
    for (let k = 0; k < 3; k++) runs.push(await runChild(dir, duration * (0.15 + 0.6 * rng.uniform())));
    const last = await runChild(dir, null);
    expect(last.stdout).to.match(/done/);

    expect(runs[0].signal, 'the first run was killed').to.equal('SIGKILL');
    const restarts = [...runs.slice(1), last];
    expect(restarts.some((r) => (r.startedAt ?? 0) > 0), `some restart resumed: ${restarts.map((r) => r.startedAt)}`).to.equal(true);
    for (const f of [LOGGER_FILE, 'model_ep6_it0.safetensors', 'model_ep0_it0.safetensors', 'checkpoint.safetensors']) {
      expect(fs.readFileSync(path.join(dir, f)).equals(fs.readFileSync(path.join(reference, f))), f).to.equal(true);
    }
  });
});
