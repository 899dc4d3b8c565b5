import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const made: string[] = [];

/**
 * A fresh, empty scratch folder `lth-<tag>-XXXXXX` in the system's temporary folder. Remove it
 * with {@link removeDir}, or with every other one made so far by {@link removeTempDirs}.
 */
export function tempDir(tag: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lth-${tag}-`));
  made.push(dir);
  return dir;
}

/** Removes `dir` and everything in it (nothing when it is already gone). */
export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Removes every folder {@link tempDir} has made that is still there. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) removeDir(dir);
}

/** Every file under `dir` (dot-files and temporaries included), as sorted relative paths; `[]` when `dir` does not exist. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}
