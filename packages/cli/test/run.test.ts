import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'chai';
import { LthError } from '@lth/kernel';
import { ConsoleOutput } from '../src/output';
import { reportError } from '../src/report-error';
import { runWorkflow } from '../src/run-workflow';
import { fakeRuns } from './fixtures/fake-workflow';
import { fakeSession } from './fixtures/session';

class Capture {
  text = '';
  isTTY = false;
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

const SESSION = fakeSession({ platform: { name: 'cli_fake_platform', root: '/results' } });

describe('cli runWorkflow', () => {
  it('prints the output locations one per line for --display_output_location, without setting up or running', async () => {
    const out = new Capture();
    const n = fakeRuns.length;
    await runWorkflow('cli_fake', ['--display_output_location', '--default_hparams=tiny', '--levels=1'], SESSION, out);
    expect(out.text).to.equal(`/results/fake_${"Hparams(batch_size=128, dataset_name='mnist')".length}\n/results/second\n`);
    expect(fakeRuns.length).to.equal(n);
  });

  it('sets up the platform, then runs the workflow with the built job', async () => {
    const out = new Capture();
    await runWorkflow('cli_fake', ['--default_hparams=tiny', '--levels=2', '--fake_ranks=4', 'v1', '--inner_name=k'], SESSION, out);
    expect(out.text).to.equal("fake setup\nran with Hparams(batch_size=128, dataset_name='mnist')\n");
    const job = fakeRuns[fakeRuns.length - 1];
    expect(job.platform.numWorkers).to.equal(4);
    expect(job.platform.root).to.equal('/results');
    expect(job.positionals).to.deep.equal(['v1']);
    expect(Object.keys(job.groups)).to.deep.equal(['fake', 'dataset', 'variant']);
  });

  it('is silent with --quiet', async () => {
    const out = new Capture();
    await runWorkflow('cli_fake', ['--default_hparams=tiny', '--levels=2', '--quiet'], SESSION, out);
    expect(out.text).to.equal('');
    expect(fakeRuns[fakeRuns.length - 1].args.quiet).to.equal(true);
  });
});

describe('cli console output', () => {
  it('writes lines unless quiet, and gives no-op progress bars when not on a terminal', () => {
    const s = new Capture();
    const o = new ConsoleOutput(false, s);
    o.line('a');
    const bar = o.progress(10, 'epoch');
    bar.update(5, 'x');
    bar.stop();
    o.line('b');
    expect(s.text).to.equal('a\nb\n');
    const q = new Capture();
    new ConsoleOutput(true, q).line('hidden');
    expect(q.text).to.equal('');
  });

  it('draws a progress bar on a terminal and keeps lines above it', async () => {
    const s = Object.assign(new Capture(), { isTTY: true, columns: 80, cursorTo() {}, clearLine() {}, moveCursor() {}, clearScreenDown() {}, on() {}, removeListener() {} });
    const o = new ConsoleOutput(false, s);
    const bar = o.progress(4, 'train');
    bar.update(2, 'loss 0.5');
    await new Promise((r) => setTimeout(r, 250));
    o.line('between');
    await new Promise((r) => setTimeout(r, 250));
    bar.stop();
    expect(s.text).to.contain('between\n');
    expect(s.text).to.contain('train [');
    expect(s.text).to.contain('2/4 loss 0.5');
  });

  it('redraws the bar from update() while the event loop is busy, as during a training epoch', () => {
    const s = Object.assign(new Capture(), { isTTY: true, columns: 80, cursorTo() {}, clearLine() {}, moveCursor() {}, clearScreenDown() {}, on() {}, removeListener() {} });
    const bar = new ConsoleOutput(false, s).progress(100, 'ep 0');
    for (let i = 1; i <= 100; i++) {
      const until = Date.now() + 4;
      while (Date.now() < until);
      bar.update(i, `loss ${i}`);
    }
    const drawn = [...s.text.matchAll(/ep 0 \[[^\]]*\] (\d+)\/100 loss/g)].map((m) => Number(m[1]));
    bar.stop();
    expect(drawn.filter((n) => n > 1 && n < 100)).to.not.be.empty;
  });
});

describe('cli error reporting', () => {
  const report = (e: unknown) => {
    const lines: string[] = [];
    const code = reportError(e, (l) => lines.push(l));
    return { code, lines };
  };

  it('prints an LthError as one line with its code, exiting with its status', () => {
    expect(report(new LthError('BAD_STEP', 'Malformed step.'))).to.deep.equal({ code: 2, lines: ['Error: Malformed step. [BAD_STEP]'] });
    expect(report(new LthError('UNKNOWN_COMMAND', 'Nope.\nReally.'))).to.deep.equal({ code: 1, lines: ['Error: Nope. Really. [UNKNOWN_COMMAND]'] });
  });

  it("prints an LthError's details (a menu) as they are before its line, and alone when the message is empty", () => {
    const menu = '====\nChoose one:\n    * a => A.\n====\n';
    expect(report(new LthError('UNKNOWN_BRANCH', "Unknown thing 'b'. Did you mean a?", menu))).to.deep.equal({
      code: 1,
      lines: ['====\nChoose one:\n    * a => A.\n====', "Error: Unknown thing 'b'. Did you mean a? [UNKNOWN_BRANCH]"],
    });
    expect(report(new LthError('MISSING_BRANCH', '', menu))).to.deep.equal({ code: 1, lines: ['====\nChoose one:\n    * a => A.\n===='] });
    expect(report(new LthError('BAD_ARGS', ''))).to.deep.equal({ code: 2, lines: ['Error:  [BAD_ARGS]'] });
  });

  it('prints an oclif parse error as one line', () => {
    const e = Object.assign(new Error('Unexpected argument: b\nSee more help with --help'), { oclif: { exit: 2 } });
    expect(report(e)).to.deep.equal({ code: 2, lines: ['Error: Unexpected argument: b Run lth <command> --help for its usage.'] });
  });

  it('prints an unexpected error with a hint, and its stack only with LTH_DEBUG', () => {
    const saved = process.env.LTH_DEBUG;
    try {
      delete process.env.LTH_DEBUG;
      const r = report(new TypeError('x is not a function'));
      expect(r.code).to.equal(1);
      expect(r.lines[0]).to.equal('Error: x is not a function');
      expect(r.lines.join('\n')).not.to.contain('    at ');
      process.env.LTH_DEBUG = '1';
      expect(report(new TypeError('boom')).lines.join('\n')).to.contain('    at ');
    } finally {
      if (saved === undefined) delete process.env.LTH_DEBUG;
      else process.env.LTH_DEBUG = saved;
    }
  });
});

describe('cli session', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lth-cli-session-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('skips a built-in that cannot be resolved at all, and loads the configured plugins after the built-ins', async () => {
    const { openSession } = await import('../src/session');
    const fixture = path.join(__dirname, 'fixtures', 'fake-workflow.js');
    fs.writeFileSync(path.join(dir, 'lth.config.js'), `module.exports = { plugins: [${JSON.stringify(fixture)}] };`);
    const s = openSession(dir, { builtins: ['@lth/plugin-not-written-yet', '@lth/nn', '@lth/plugin-platform-local'] });
    expect(s.plugins.map((p) => p.manifest.name)).to.deep.equal(['@lth/nn', '@lth/plugin-platform-local', 'cli-fake-plugin']);
    expect([...s.builtins]).to.deep.equal(['@lth/nn', '@lth/plugin-platform-local']);
    expect(s.missingBuiltins).to.deep.equal(['@lth/plugin-not-written-yet']);
    expect(s.config.file).to.equal(path.join(dir, 'lth.config.js'));
  });

  it('fails with one error naming a built-in that resolves but throws while loading', async () => {
    const { openSession } = await import('../src/session');
    const broken = path.join(dir, 'broken.js');
    fs.writeFileSync(broken, "throw new Error('kaboom');");
    fs.writeFileSync(path.join(dir, 'lth.config.js'), 'module.exports = { builtins: true };');
    expect(() => openSession(dir, { builtins: [broken] })).to.throw(LthError, `Plugin ${broken} failed while loading: kaboom`);
  });
});
