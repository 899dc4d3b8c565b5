import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tar from 'tar';
import { LthError, ensureDir, isLthError } from '@lth/kernel';
import { MAX_BATCH_BYTES } from './cifar10-batch';

/** The most bytes lth extracts from a CIFAR-10 archive (its folder is ~180 MB). */
const MAX_ARCHIVE_BYTES = 512 * 1024 * 1024;

let extractCounter = 0;

/**
 * Extracts the entries of `folder` from `archive` into `cwd`, aborting as soon as one entry or
 * all of them together pass what a CIFAR-10 archive holds (a tar bomb stops there).
 */
function unpackBounded(archive: string, cwd: string, folder: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let total = 0;
    let tooLarge: LthError | null = null;
    const unpack: tar.Unpack = tar.x({
      cwd,
      strict: true,
      filter: (p, entry) => {
        if (!(p === folder || p.startsWith(`${folder}/`) || p.startsWith(`./${folder}/`))) return false;
        const size = 'size' in entry ? entry.size : 0;
        total += size;
        if (size > MAX_BATCH_BYTES || total > MAX_ARCHIVE_BYTES) {
          tooLarge ??= new LthError('CORRUPT_DATASET', `${archive} holds ${p} of ${size} bytes (${total} so far), more than a CIFAR-10 archive holds; lth stopped extracting it. Delete it so it is downloaded again, or replace it with a good copy.`);
          unpack.abort(tooLarge);
          return false;
        }
        return true;
      },
    }) as tar.Unpack;
    const input = fs.createReadStream(archive);
    const fail = (e: unknown) => {
      input.destroy();
      reject(tooLarge ?? e);
    };
    input.on('error', fail);
    unpack.on('error', fail);
    unpack.on('close', () => (tooLarge ? reject(tooLarge) : resolve()));
    input.pipe(unpack as unknown as NodeJS.WritableStream);
  });
}

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
      await unpackBounded(archive, tmp, folder);
    } catch (e) {
      if (isLthError(e)) throw e;
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
