import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listFiles, removeDir, tempDir, useCpuBackend } from '@lth/testing';
import { resumeTestDesc, toyRunner } from './helpers';

const CHILD = path.join(__dirname, 'child', 'run-lottery.js');

interface ChildRun {
  readonly lines: string[];
  readonly killed: boolean;
  readonly code: number | null;
  readonly stderr: string;
}

/**
 * Runs the child; when `killAt(level, line)` returns true for an output line (with the level
 * whose banner came last), kills it with SIGKILL at once.
 */
function runChild(root: string, levels: number, killAt: ((level: number, line: string) => boolean) | null): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, root, String(levels)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let killed = false;
    let level = -1;
    let partial = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      partial += chunk.toString('utf8');
      const parts = partial.split('\n');
      partial = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        const m = /^Pruning Level (\d+)$/.exec(line);
        if (m) level = Number(m[1]);
        if (!killed && killAt?.(level, line)) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ lines, killed, code, stderr }));
  });
}

const evalLines = (lines: string[], level: number) => {
  const out: string[] = [];
  let cur = -1;
  for (const l of lines) {
    const m = /^Pruning Level (\d+)$/.exec(l);
    if (m) cur = Number(m[1]);
    else if (cur === level && l.startsWith('test\t')) out.push(l);
  }
  return out;
};

describe('lottery kill and resume (child processes)', function () {
  this.timeout(300000);
  let ref: string;
  let dir: string;

  before(async () => {
    await useCpuBackend();
    ref = tempDir('ref');
    dir = tempDir('killed');
  });
  after(() => {
    removeDir(ref);
    removeDir(dir);
  });

  it('finishes the same experiment after kills, without training a finished level twice', async () => {
    const levels = 3;
    await toyRunner(ref, resumeTestDesc(), levels).runner.run();

    // 1st run: killed in the middle of level 1 (after its epoch-2 evaluation; epoch 1's checkpoint exists).
    const first = await runChild(dir, levels, (level, line) => level === 1 && line.startsWith('test\tep 002'));
    expect(first.killed, first.stderr).to.equal(true);
    const [hash] = fs.readdirSync(dir);
    const rep = path.join(dir, hash, 'replicate_1');
    const level0End = path.join(rep, 'level_0/main/model_ep3_it0.safetensors');
    const level0Time = fs.statSync(level0End).mtimeMs;
    expect(fs.existsSync(path.join(rep, 'level_1/main/model_ep3_it0.safetensors'))).to.equal(false);

    // 2nd run: resumes level 1 from its checkpoint; killed as soon as level 2 begins.
    const second = await runChild(dir, levels, (level) => level === 2);
    expect(second.killed, second.stderr).to.equal(true);
    expect(second.lines).to.include('Level 0 is already trained: ' + path.join(rep, 'level_0/main'));
    const resumed = evalLines(second.lines, 1);
    expect(resumed.some((l) => l.startsWith('test\tep 000')), resumed.join('\n')).to.equal(false);
    expect(resumed.some((l) => l.startsWith('test\tep 003'))).to.equal(true);
    expect(fs.statSync(level0End).mtimeMs).to.equal(level0Time);
    const level1Time = fs.statSync(path.join(rep, 'level_1/main/model_ep3_it0.safetensors')).mtimeMs;

    // 3rd run: completes.
    const third = await runChild(dir, levels, null);
    expect(third.code, third.stderr).to.equal(0);
    expect(third.lines).to.include('Level 0 is already trained: ' + path.join(rep, 'level_0/main'));
    expect(third.lines).to.include('Level 1 is already trained: ' + path.join(rep, 'level_1/main'));
    expect(evalLines(third.lines, 0)).to.deep.equal([]);
    expect(evalLines(third.lines, 1)).to.deep.equal([]);
    expect(fs.statSync(level0End).mtimeMs).to.equal(level0Time);
    expect(fs.statSync(path.join(rep, 'level_1/main/model_ep3_it0.safetensors')).mtimeMs).to.equal(level1Time);
    expect(third.lines.some((l) => l.startsWith('Lottery Ticket Summary'))).to.equal(true);

    // Same files, and the same masks, weights and metrics as the uninterrupted run.
    const refRep = path.join(ref, hash, 'replicate_1');
    // A SIGKILL during an atomic write can leave its temporary file (`.name.<pid>.<n>.tmp`) beside
    // the intact old or new file; those are not results.
    const results = (f: string) => !f.endsWith('lottery_run.json') && !/(^|\/)\.[^/]*\.tmp$/.test(f);
    const files = listFiles(rep).filter(results);
    const refFiles = listFiles(refRep).filter(results);
    expect(files.filter((f) => !refFiles.includes(f)).concat(refFiles.filter((f) => !files.includes(f)))).to.deep.equal([]);
    for (const f of files) {
      if (!/(mask|model_ep\d+_it\d+)\.safetensors$|logger$|sparsity_report\.json$/.test(f)) continue;
      const a = fs.readFileSync(path.join(rep, f));
      const b = fs.readFileSync(path.join(refRep, f));
      if (f.endsWith('logger')) {
        // Same metrics; only the evaluation times differ, and the logger holds none.
        expect(a.toString(), f).to.equal(b.toString());
      } else {
        expect(a.equals(b), f).to.equal(true);
      }
    }
  });
});
