import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tar from 'tar';
import { LthError, ensureDir } from '@lth/kernel';

let extractCounter = 0;

/**
 * Extracts the folder `folder` of the gzipped tar `archive` into `intoDir`, atomically: into
 * a temporary folder beside it, then renamed into place, so `intoDir/folder` either does not
 * exist or holds the whole folder. Entries outside `folder/` are skipped; absolute paths and
 * `..` are refused by `tar`. A broken archive is a `CORRUPT_DATASET` error naming it.
 */
export async function extractFolder(archive: string, folder: string, intoDir: string): Promise<void> {
  ensureDir(intoDir);
  const tmp = path.join(intoDir, `.${folder}.${process.pid}.${extractCounter++}.extracting`);
  const target = path.join(intoDir, folder);
  try {
    fs.mkdirSync(tmp);
    try {
      await tar.x({ file: archive, cwd: tmp, strict: true, filter: (p) => p === folder || p.startsWith(`${folder}/`) || p.startsWith(`./${folder}/`) });
    } catch (e) {
      throw new LthError('CORRUPT_DATASET', `${archive} is not a valid .tar.gz archive (${(e as Error).message}). Delete it so it is downloaded again, or replace it with a good copy.`);
    }
    const extracted = path.join(tmp, folder);
    if (!fs.existsSync(extracted)) {
      throw new LthError('CORRUPT_DATASET', `${archive} has no folder ${folder}/: it is not the expected CIFAR-10 archive. Delete it, or replace it with a good copy.`);
    }
    try {
      fs.renameSync(extracted, target);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (!(code === 'EEXIST' || code === 'ENOTEMPTY') || !fs.existsSync(target)) throw e;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
