import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository root. */
export const REPO = path.resolve(__dirname, '..', '..');
/** The `lth` binary as a user runs it. */
export const LTH_BIN = path.join(REPO, 'packages', 'cli', 'bin', 'run.js');
/** Fixture plugins. */
export const FIXTURES = path.join(REPO, 'test', 'fixtures');

/**
 * The files of a README guide's example package: every code block introduced by "`<file>`:" in
 * the section titled `heading` (up to the next `## ` or `### ` heading), by file name.
 */
export function readmeGuideFiles(heading: string): Record<string, string> {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const start = readme.indexOf(heading);
  if (start < 0) throw new Error(`README.md has no section ${heading}`);
  const next = readme.slice(start + heading.length).search(/\n#{2,3} /);
  const text = readme.slice(start, next < 0 ? undefined : start + heading.length + next);
  const files: Record<string, string> = {};
  for (const m of text.matchAll(/^`([^`\n]+)`:\n\n```\w*\n([\s\S]*?)\n```$/gm)) files[m[1]] = m[2] + '\n';
  return files;
}

/** What one run of the binary did. */
export interface LthRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A scratch directory with its own HOME, results root and dataset root, outside the repository. */
export class Scratch {
  readonly dir: string;

  constructor(label: string) {
    this.dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `lth-${label}-`)));
    fs.mkdirSync(this.home, { recursive: true });
  }

  get home(): string {
    return path.join(this.dir, 'home');
  }

  get root(): string {
    return path.join(this.dir, 'results');
  }

  /** Environment of a run: scratch HOME and roots, the CPU backend, no debug output. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: this.home, LTH_ROOT: this.root, LTH_DATASET_ROOT: path.join(this.dir, 'datasets'), LTH_BACKEND: 'cpu', ...extra };
    delete env.LTH_DEBUG;
    delete env.LTH_IMAGENET_ROOT;
    return env;
  }

  /** Runs `lth ...args` in `cwd` (default: the scratch directory). */
  lth(args: readonly string[], cwd = this.dir, extra: Record<string, string> = {}): Promise<LthRun> {
    return new Promise((resolve) => {
      execFile(process.execPath, [LTH_BIN, ...args], { cwd, env: this.env(extra), maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The lines of a text, without the empty last one. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
}

/** Starts `lth <args>` in `s`, and SIGKILLs it `delayMs` after its output first matches `when` (or lets it exit). */
export function runAndKill(s: Scratch, args: readonly string[], when: RegExp, delayMs: number): Promise<{ killed: boolean; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [LTH_BIN, ...args], { cwd: s.dir, env: s.env() });
    let stdout = '';
    let armed = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!armed && when.test(stdout)) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.on('exit', (_code, signal) => resolve({ killed: signal === 'SIGKILL', stdout }));
  });
}

/** Every file under `dir` (dot-files, lock directories and temporaries included) with the md5 of its bytes; `{}` when `dir` does not exist. */
export function md5Tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = createHash('md5').update(fs.readFileSync(p)).digest('hex');
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}
