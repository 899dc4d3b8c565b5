import * as fs from 'node:fs';
import * as path from 'node:path';
import { LthError, isLthError } from '@lth/kernel';
import { downloadFile } from '@lth/data';
import { extractFolder } from './archive';
import { concatBatches, readBinaryBatch, readPythonBatch, type Cifar10Batch } from './cifar10-batch';

/** One of the two ways CIFAR-10 is distributed: its folder, batch files, reader and archive. */
export interface Cifar10Layout {
  /** Folder under `<datasetRoot>/cifar10/`. */
  readonly folder: string;
  readonly trainFiles: readonly string[];
  readonly testFiles: readonly string[];
  /** The archive (in `<datasetRoot>/cifar10/`) that holds `folder`. */
  readonly archive: string;
  read(file: string): Cifar10Batch;
}

/** torchvision's download (OpenLTH's dataset folder), tried first. */
export const PYTHON_LAYOUT: Cifar10Layout = {
  folder: 'cifar-10-batches-py',
  trainFiles: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}`),
  testFiles: ['test_batch'],
  archive: 'cifar-10-python.tar.gz',
  read: readPythonBatch,
};

/** The binary distribution (`cifar-10-binary.tar.gz`). */
export const BINARY_LAYOUT: Cifar10Layout = {
  folder: 'cifar-10-batches-bin',
  trainFiles: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`),
  testFiles: ['test_batch.bin'],
  archive: 'cifar-10-binary.tar.gz',
  read: readBinaryBatch,
};

export const CIFAR10_LAYOUTS: readonly Cifar10Layout[] = [PYTHON_LAYOUT, BINARY_LAYOUT];

/** Where a missing CIFAR-10 is downloaded from: the archive's URL and its checksum. */
export interface Cifar10Download {
  readonly url: string;
  readonly md5: string;
}

/** The binary archive, downloaded when CIFAR-10 is missing (no pickles to unpickle). */
export const CIFAR10_BINARY_DOWNLOAD: Cifar10Download = {
  url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
  md5: 'c32a1d4ab5d03f1284b67883e8d87530',
};

/** The Python archive, as torchvision (and so OpenLTH) downloads it; read when found on disk. */
export const CIFAR10_PYTHON_DOWNLOAD: Cifar10Download = {
  url: 'https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz',
  md5: 'c58f30108f718f92721af3b95e74349a',
};

/** The archives a download may fetch; the first is the default. */
export const CIFAR10_DOWNLOADS: readonly Cifar10Download[] = [CIFAR10_BINARY_DOWNLOAD, CIFAR10_PYTHON_DOWNLOAD];

const archiveName = (url: string): string => path.posix.basename(new URL(url).pathname);

/**
 * The download to use: the binary archive, or a copy named by `LTH_CIFAR10_MIRROR`: a base URL
 * (`https://mirror.example/cifar` → `.../cifar/cifar-10-binary.tar.gz`), or the URL of either
 * archive (`.../cifar-10-python.tar.gz`), checked against that archive's md5.
 */
export function cifar10Download(env: NodeJS.ProcessEnv = process.env, downloads: readonly Cifar10Download[] = CIFAR10_DOWNLOADS): Cifar10Download {
  const mirror = env.LTH_CIFAR10_MIRROR?.trim();
  if (!mirror) return downloads[0];
  const named = downloads.find((d) => mirror.endsWith(`/${archiveName(d.url)}`));
  if (named) return { url: mirror, md5: named.md5 };
  return { url: `${mirror.replace(/\/+$/, '')}/${archiveName(downloads[0].url)}`, md5: downloads[0].md5 };
}

function filesOf(layout: Cifar10Layout, split: 'train' | 'test'): readonly string[] {
  return split === 'train' ? layout.trainFiles : layout.testFiles;
}

function missingFiles(dir: string, layout: Cifar10Layout, split: 'train' | 'test'): string[] {
  return filesOf(layout, split).filter((f) => !fs.existsSync(path.join(dir, layout.folder, f)));
}

function missingMessage(dir: string, why: string): string {
  return (
    `CIFAR-10 is not in ${dir} and ${why}. Put there either cifar-10-batches-py/ (data_batch_1 ... data_batch_5, test_batch, ` +
    `as torchvision downloads it), cifar-10-batches-bin/ (data_batch_1.bin ... data_batch_5.bin, test_batch.bin), ` +
    `or one of the archives cifar-10-python.tar.gz or cifar-10-binary.tar.gz; or set LTH_CIFAR10_MIRROR to a reachable copy.`
  );
}

/**
 * Makes sure one split's files are in `dir` (`<datasetRoot>/cifar10`) and says which layout
 * holds them. In order: a complete extracted folder (Python distribution first, so an existing
 * OpenLTH/torchvision folder is used as it is); an incomplete folder is an error naming the
 * missing files; an archive (either) is extracted; otherwise `download` (the binary archive by
 * default) is downloaded, checked and extracted, and a failed download is one `DATASET_MISSING`
 * error saying what to put where.
 */
export async function ensureCifar10Files(dir: string, split: 'train' | 'test', download: Cifar10Download, log: (line: string) => void): Promise<Cifar10Layout> {
  const complete = CIFAR10_LAYOUTS.find((l) => missingFiles(dir, l, split).length === 0);
  if (complete) return complete;
  const partial = CIFAR10_LAYOUTS.find((l) => fs.existsSync(path.join(dir, l.folder)));
  if (partial) {
    const missing = missingFiles(dir, partial, split).map((f) => path.join(dir, partial.folder, f));
    throw new LthError('DATASET_MISSING', `CIFAR-10 in ${path.join(dir, partial.folder)} is incomplete: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing. Restore the files, or delete the folder so it is extracted or downloaded again.`);
  }
  let layout = CIFAR10_LAYOUTS.find((l) => fs.existsSync(path.join(dir, l.archive)));
  if (!layout) {
    layout = CIFAR10_LAYOUTS.find((l) => l.archive === archiveName(download.url)) ?? BINARY_LAYOUT;
    const dest = path.join(dir, layout.archive);
    log(`Downloading CIFAR-10 from ${download.url} to ${dest}`);
    try {
      await downloadFile(download.url, dest, { md5: download.md5 });
    } catch (e) {
      if (!isLthError(e)) throw e;
      throw new LthError('DATASET_MISSING', missingMessage(dir, `downloading it failed (${e.message})`));
    }
  }
  log(`Extracting ${path.join(dir, layout.archive)}`);
  await extractFolder(path.join(dir, layout.archive), layout.folder, dir);
  const missing = missingFiles(dir, layout, split);
  if (missing.length) {
    throw new LthError('CORRUPT_DATASET', `${path.join(dir, layout.archive)} lacks ${missing.join(', ')}. Delete ${path.join(dir, layout.folder)} and the archive so they are downloaded again.`);
  }
  return layout;
}

/** Reads one split's batches from `layout`'s folder in `dir`, in file order. */
export function readCifar10Split(dir: string, layout: Cifar10Layout, split: 'train' | 'test'): Cifar10Batch {
  return concatBatches(filesOf(layout, split).map((f) => layout.read(path.join(dir, layout.folder, f))));
}
