import * as fs from 'node:fs';
import * as path from 'node:path';
import { dataset, isLthError, LthError, type DatasetContext, type DatasetFamily, type DatasetInfo, type ImageSource } from '@lth/kernel';
import { downloadFile, InMemoryImageSource, readMaybeGzipped } from '@lth/data';
import { idxImagesBound, idxLabelsBound, parseIdxImages, parseIdxLabels } from './idx';
import { MNIST_FILES, MNIST_NORMALIZATION, MNIST_SHAPE, MNIST_VARIANTS, type MnistMirror, type MnistName, type MnistVariant } from './variants';

/** Test seams and overrides of `MnistFamily`; the registered instance uses none. */
export interface MnistFamilyOptions {
  /** Replaces a dataset's mirror (base URL and md5 table). */
  readonly mirrors?: Partial<Record<MnistName, MnistMirror>>;
  /** Replaces a dataset's read-only system folders (by default Debian's for fashion_mnist). */
  readonly systemDirs?: Partial<Record<MnistName, readonly string[]>>;
  /** Expected split sizes (default 60000 and 10000). */
  readonly sizes?: { readonly train: number; readonly test: number };
  /** Environment read for the mirror variables (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

function removeIfEmpty(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch {
    /* not empty, or already gone */
  }
}

interface DecodedSplit {
  readonly stamp: string;
  readonly data: Promise<{ pixels: Uint8Array; labels: Int32Array }>;
}

/**
 * The `mnist` and `fashion_mnist` datasets (OpenLTH spec §6.2): 60000 training and 10000 test
 * images of 28x28x1, 10 classes, normalised with OpenLTH's MNIST mean and std (for both, so
 * that runs compare with OpenLTH's on the same files), and never augmented (OpenLTH ignores
 * augmentation for MNIST).
 *
 * Files are the four IDX files, gzipped or not, found in `<datasetRoot>/<name>/`, in
 * torchvision's `<datasetRoot>/mnist/MNIST/raw/` (`fashion_mnist/FashionMNIST/raw/`) so an
 * existing OpenLTH folder works, and for fashion_mnist in Debian's
 * `/usr/share/datasets/fashion-mnist/` (package `dataset-fashion-mnist`). A split whose files
 * are missing is downloaded into `<datasetRoot>/<name>/` from torchvision's mirrors (override
 * the base URL with `LTH_MNIST_MIRROR` / `LTH_FASHION_MNIST_MIRROR`), verified by md5 and
 * written atomically; when that fails, one `DATASET_MISSING` error says which files to put
 * where. Truncated or corrupt files are `CORRUPT_DATASET` errors naming the file.
 * Decoded splits are kept in memory while their files are unchanged.
 */
@dataset({ names: ['mnist', 'fashion_mnist'], description: 'MNIST and Fashion-MNIST: 28x28 grey images of 10 classes (IDX files, downloaded when missing).' })
export class MnistFamily implements DatasetFamily {
  private readonly decoded = new Map<string, DecodedSplit>();

  constructor(private readonly options: MnistFamilyOptions = {}) {}

  info(name: string): DatasetInfo {
    this.variant(name);
    const sizes = this.options.sizes ?? MNIST_SHAPE;
    return { numTrainExamples: sizes.train, numTestExamples: sizes.test, numClasses: MNIST_SHAPE.numClasses, imageShape: [MNIST_SHAPE.rows, MNIST_SHAPE.cols, 1] };
  }

  async load(name: string, split: 'train' | 'test', ctx: DatasetContext): Promise<ImageSource> {
    const v = this.variant(name);
    const files = MNIST_FILES[split];
    let imagesFile = this.locate(v, ctx.datasetRoot, files.images);
    let labelsFile = this.locate(v, ctx.datasetRoot, files.labels);
    if (!imagesFile || !labelsFile) {
      const missing: string[] = [];
      if (!imagesFile) missing.push(files.images);
      if (!labelsFile) missing.push(files.labels);
      await this.download(v, ctx, missing);
      imagesFile = this.locate(v, ctx.datasetRoot, files.images);
      labelsFile = this.locate(v, ctx.datasetRoot, files.labels);
      if (!imagesFile || !labelsFile) throw this.missingError(v, ctx.datasetRoot, 'the download left no file');
    }
    const { pixels, labels } = await this.decode(v, split, imagesFile, labelsFile);
    return new InMemoryImageSource({
      images: pixels,
      labels: Int32Array.from(labels),
      imageShape: [MNIST_SHAPE.rows, MNIST_SHAPE.cols, 1],
      numClasses: MNIST_SHAPE.numClasses,
      mean: MNIST_NORMALIZATION.mean,
      std: MNIST_NORMALIZATION.std,
    });
  }

  /** Folders searched for `variant`'s files, in order. */
  searchDirs(variant: MnistVariant, datasetRoot: string): string[] {
    const own = path.join(datasetRoot, variant.folder);
    return [own, path.join(own, variant.torchvisionFolder, 'raw'), ...this.systemDirs(variant)];
  }

  private variant(name: string): MnistVariant {
    const v = (MNIST_VARIANTS as Record<string, MnistVariant | undefined>)[name];
    if (!v) throw new LthError('UNKNOWN_DATASET', `The MNIST plugin has no dataset '${name}'. Known: ${Object.keys(MNIST_VARIANTS).join(', ')}.`);
    return v;
  }

  private systemDirs(v: MnistVariant): readonly string[] {
    return this.options.systemDirs?.[v.name] ?? v.systemDirs;
  }

  private mirror(v: MnistVariant): MnistMirror {
    const custom = this.options.mirrors?.[v.name];
    if (custom) return custom;
    const env = (this.options.env ?? process.env)[v.mirrorEnv];
    return env ? { baseUrl: env, md5: v.mirror.md5 } : v.mirror;
  }

  private locate(v: MnistVariant, root: string, base: string): string | null {
    for (const dir of this.searchDirs(v, root)) {
      for (const name of [base, `${base}.gz`]) {
        const file = path.join(dir, name);
        if (fs.statSync(file, { throwIfNoEntry: false })?.isFile()) return file;
      }
    }
    return null;
  }

  private async download(v: MnistVariant, ctx: DatasetContext, missing: readonly string[]): Promise<void> {
    const mirror = this.mirror(v);
    const dir = path.join(ctx.datasetRoot, v.folder);
    const base = mirror.baseUrl.endsWith('/') ? mirror.baseUrl : `${mirror.baseUrl}/`;
    const created = [dir, ctx.datasetRoot].filter((d) => !fs.existsSync(d));
    try {
      for (const file of missing.map((m) => `${m}.gz`)) {
        const url = new URL(file, base).href;
        ctx.log(`Downloading ${v.title}: ${url} -> ${dir}`);
        await downloadFile(url, path.join(dir, file), { md5: mirror.md5[file] });
      }
    } catch (e) {
      for (const d of created) removeIfEmpty(d);
      if (isLthError(e) && e.code === 'CHECKSUM_MISMATCH') throw e;
      throw this.missingError(v, ctx.datasetRoot, (e as Error).message);
    }
  }

  private missingError(v: MnistVariant, root: string, reason: string): LthError {
    const missing = [...Object.values(MNIST_FILES.train), ...Object.values(MNIST_FILES.test)].filter((f) => !this.locate(v, root, f));
    const dir = path.join(root, v.folder);
    const raw = path.join(dir, v.torchvisionFolder, 'raw');
    const system = v.installHint ? ` Or install the system package: ${v.installHint} (it puts them in ${v.systemDirs.join(', ')}).` : '';
    return new LthError(
      'DATASET_MISSING',
      `${v.title} is missing ${missing.map((f) => `${f}.gz`).join(', ')}, and downloading failed (${reason.replace(/\s*\n\s*/g, ' ')}). ` +
        `Put these files (gzipped, or unzipped without .gz) in ${dir}${path.sep} (torchvision's ${raw}${path.sep} works too), ` +
        `or set ${v.mirrorEnv} to a mirror that serves them.${system}`,
    );
  }

  private advice(v: MnistVariant, file: string): string {
    const inSystemDir = this.systemDirs(v).some((d) => path.dirname(file) === path.resolve(d));
    if (inSystemDir && v.installHint) return `Reinstall the package that provides it (${v.installHint.replace('install', 'install --reinstall')}).`;
    return 'Delete it and run again to download it afresh, or replace it with an intact copy.';
  }

  private decode(v: MnistVariant, split: 'train' | 'test', imagesFile: string, labelsFile: string): Promise<{ pixels: Uint8Array; labels: Int32Array }> {
    const stampOf = (f: string) => {
      const s = fs.statSync(f);
      return `${f}|${s.size}|${s.mtimeMs}`;
    };
    const key = `${v.name}:${split}`;
    const stamp = `${stampOf(imagesFile)}|${stampOf(labelsFile)}`;
    const hit = this.decoded.get(key);
    if (hit && hit.stamp === stamp) return hit.data;
    const count = (this.options.sizes ?? MNIST_SHAPE)[split];
    const data = (async () => {
      const [imageBytes, labelBytes] = await Promise.all([
        readMaybeGzipped(imagesFile, this.advice(v, imagesFile), idxImagesBound(count, MNIST_SHAPE.rows, MNIST_SHAPE.cols)),
        readMaybeGzipped(labelsFile, this.advice(v, labelsFile), idxLabelsBound(count)),
      ]);
      const images = parseIdxImages(imageBytes, imagesFile, { count, rows: MNIST_SHAPE.rows, cols: MNIST_SHAPE.cols }, this.advice(v, imagesFile));
      const labels = parseIdxLabels(labelBytes, labelsFile, { count, numClasses: MNIST_SHAPE.numClasses }, this.advice(v, labelsFile));
      return { pixels: images.pixels, labels };
    })();
    this.decoded.set(key, { stamp, data });
    data.catch(() => {
      if (this.decoded.get(key)?.data === data) this.decoded.delete(key);
    });
    return data;
  }
}
