import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Rng } from '@lth/kernel';
import { LOGGER_FILE } from '../src';
import { runKillFixture } from './fixtures/kill-child';
import { removeDir, tempDir } from '@lth/testing';

const CHILD = path.join(__dirname, 'fixtures', 'kill-child.js');

interface ChildRun {
  /** The iteration the child's loop started at (0, or a resumed checkpoint's). */
  startedAt: number | null;
  signal: NodeJS.Signals | null;
  code: number | null;
  stdout: string;
}

/**
 * Runs the fixture in a child process. With `kill`, once the child reports where its loop
 * starts, `kill(start)` picks an iteration and a delay: the child is SIGKILLed that long after
 * it reports reaching that iteration, a random moment within a step (evaluating, saving, training).
 */
function runChild(dir: string, kill: ((start: number) => { at: number; delayMs: number }) | null): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const run: ChildRun = { startedAt: null, signal: null, code: null, stdout: '' };
    let stderr = '';
    let killing = false;
    let target: { at: number; delayMs: number } | null = null;
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      run.stdout += d;
      const m = /^training (\d+)$/m.exec(run.stdout);
      if (m && run.startedAt === null) {
        run.startedAt = Number(m[1]);
        if (kill) target = kill(run.startedAt);
      }
      if (target && !killing && new RegExp(`^step ${target.at}$`, 'm').test(run.stdout)) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), target.delayMs);
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
  beforeEach(() => (root = tempDir('kill')));
  afterEach(() => removeDir(root));

  it('killed at random moments and restarted, ends with the logger and weights of an uninterrupted run', async () => {
    const reference = path.join(root, 'reference');
    const { endStep } = await runKillFixture(reference);
    const ipe = endStep.iterationsPerEpoch;

    const dir = path.join(root, 'killed');
    const rng = new Rng('kill-test');
    const runs: ChildRun[] = [];
    const targets: number[] = [];
    for (let k = 0; k < 3; k++) {
      const run = await runChild(dir, (start) => {
        const at = start + 2 + rng.int(Math.max(1, Math.floor((endStep.iteration - start) / 2)));
        targets.push(at);
        return { at, delayMs: rng.int(25) };
      });
      expect(run.signal, `run ${k} was killed`).to.equal('SIGKILL');
      runs.push(run);
    }
    const last = await runChild(dir, null);
    expect(last.stdout).to.match(/done/);
    const starts = [...runs, last].map((r) => r.startedAt!);
    expect(starts[0]).to.equal(0);
    starts.forEach((s, i) => {
      expect(s % ipe, `run ${i} starts at an epoch boundary`).to.equal(0);
      if (i > 0) expect(s, `run ${i} resumes at or after the checkpoint before the previous kill (${targets[i - 1]})`).to.be.at.least(Math.floor((targets[i - 1] - 1) / ipe) * ipe);
    });
    expect(starts.some((s) => s > 0), `some run resumed mid-training: ${starts}`).to.equal(true);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), 'temporary files of killed writes are cleaned up').to.deep.equal([]);
    for (const f of [LOGGER_FILE, 'model_ep6_it0.safetensors', 'model_ep0_it0.safetensors', 'checkpoint.safetensors']) {
      expect(fs.readFileSync(path.join(dir, f)).equals(fs.readFileSync(path.join(reference, f))), f).to.equal(true);
    }
  });
});
