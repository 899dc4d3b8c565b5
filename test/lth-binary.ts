import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository root. */
export const REPO = path.resolve(__dirname, '..', '..');
/** The `lth` binary as a user runs it. */
export const LTH_BIN = path.join(REPO, 'packages', 'cli', 'bin', 'run.js');
/** Fixture plugins. */
export const FIXTURES = path.join(REPO, 'test', 'fixtures');

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
