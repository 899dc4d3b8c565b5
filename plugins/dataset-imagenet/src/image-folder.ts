import * as fs from 'node:fs';
import * as path from 'node:path';
import { LthError } from '@lth/kernel';

/** The examples of one split: class folders (sorted) and, per example, its file and label. */
export interface ImageFolderListing {
  readonly dir: string;
  /** Class folder names, sorted; a label is an index into it. */
  readonly classes: readonly string[];
  /** File names (within their class folder), grouped by class, sorted within each. */
  readonly names: readonly string[];
  readonly labels: Int32Array;
}

/** Files ImageNet examples are read from (OpenLTH takes `*.JPEG`; `*.jpg` is accepted too). */
export const IMAGE_FILE = /\.(jpe?g)$/i;

const LAYOUT_HINT = 'ImageNet must be laid out as torchvision\'s ImageFolder: <imagenetRoot>/train/<class>/*.JPEG and <imagenetRoot>/val/<class>/*.JPEG (set platform.imagenetRoot in lth.config.ts)';

function readDir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new LthError('DATASET_MISSING', `${dir} does not exist. ${LAYOUT_HINT}.`);
    throw new LthError('DATASET_UNREADABLE', `Cannot read ${dir} (${code ?? String(e)}).`);
  }
}

function isDirectory(dir: string, e: fs.Dirent): boolean {
  if (e.isDirectory()) return true;
  if (!e.isSymbolicLink()) return false;
  try {
    return fs.statSync(path.join(dir, e.name)).isDirectory();
  } catch {
    return false;
  }
}

/** Code-point order, as Python's `sorted` orders names. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The sorted class folders of `dir` (hidden folders ignored). */
export function listClasses(dir: string): string[] {
  const entries = readDir(dir);
  const classes = entries.filter((e) => !e.name.startsWith('.') && isDirectory(dir, e)).map((e) => e.name).sort(byCodePoint);
  if (classes.length === 0) {
    const loose = entries.filter((e) => IMAGE_FILE.test(e.name)).length;
    const why = loose ? `it holds ${loose} image files but no class folders (sort them into one folder per class, e.g. with the usual valprep script)` : 'it has no class folders';
    throw new LthError('DATASET_MISSING', `${dir} is not an ImageNet split: ${why}. ${LAYOUT_HINT}.`);
  }
  return classes;
}

/**
 * Lists a split (`<imagenetRoot>/train` or `/val`) deterministically (OpenLTH's order depended
 * on thread completion, quirk 41, fixed): classes are the sorted sub-folders, or `classes` when
 * given (the training split's, so validation labels match them even if validation lacks a
 * class); files are each class folder's `*.JPEG`/`*.jpg`, sorted by name. A missing folder,
 * a split without classes, a class folder without images, or a validation class that training
 * lacks is one `DATASET_MISSING` error naming them.
 */
export function listImageFolder(dir: string, classes?: readonly string[]): ImageFolderListing {
  const present = listClasses(dir);
  const all = classes ?? present;
  if (classes) {
    const known = new Set(classes);
    const extra = present.filter((c) => !known.has(c));
    if (extra.length) throw new LthError('DATASET_MISSING', `${dir} has class folders the training split lacks: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ` and ${extra.length - 5} more` : ''}. Both splits must use the same class folder names.`);
  }
  const names: string[] = [];
  const labels: number[] = [];
  const empty: string[] = [];
  const presentSet = new Set(present);
  all.forEach((cls, label) => {
    if (!presentSet.has(cls)) return;
    const files = readDir(path.join(dir, cls))
      .filter((e) => IMAGE_FILE.test(e.name) && !isDirectory(path.join(dir, cls), e))
      .map((e) => e.name)
      .sort(byCodePoint);
    if (files.length === 0) empty.push(cls);
    for (const f of files) {
      names.push(f);
      labels.push(label);
    }
  });
  if (empty.length) {
    throw new LthError('DATASET_MISSING', `${empty.length} class folder${empty.length > 1 ? 's' : ''} under ${dir} hold${empty.length > 1 ? '' : 's'} no .JPEG/.jpg files: ${empty.slice(0, 5).join(', ')}${empty.length > 5 ? ` and ${empty.length - 5} more` : ''}. ${LAYOUT_HINT}.`);
  }
  return { dir, classes: all, names, labels: Int32Array.from(labels) };
}

/** Path of example `i` of `listing`. */
export function examplePath(listing: ImageFolderListing, i: number): string {
  return path.join(listing.dir, listing.classes[listing.labels[i]], listing.names[i]);
}
