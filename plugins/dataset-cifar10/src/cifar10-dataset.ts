import * as path from 'node:path';
import { LthError, dataset, type DatasetContext, type DatasetFamily, type DatasetInfo, type ImageSource } from '@lth/kernel';
import { InMemoryImageSource } from '@lth/data';
import { CIFAR10_CLASSES, CIFAR10_SHAPE } from './cifar10-batch';
import { cifar10Download, ensureCifar10Files, readCifar10Split, type Cifar10Download } from './cifar10-files';
import { flipAndCrop } from './flip-crop';

/** OpenLTH normalises CIFAR-10 with ImageNet's statistics (quirk 39, kept). */
export const CIFAR10_MEAN = [0.485, 0.456, 0.406] as const;
export const CIFAR10_STD = [0.229, 0.224, 0.225] as const;

/** Zero padding of `RandomCrop(32, padding=4)`. */
export const CIFAR10_CROP_PADDING = 4;

const INFO: DatasetInfo = { numTrainExamples: 50000, numTestExamples: 10000, numClasses: CIFAR10_CLASSES, imageShape: CIFAR10_SHAPE };

/**
 * The `cifar10` dataset as OpenLTH uses it (spec §6.2): 50000 training and 10000 test images
 * of 32 × 32 × 3 in 10 classes, from `<datasetRoot>/cifar10/`, normalised with ImageNet's mean
 * and std (quirk 39, kept). Training augmentation (when on): `RandomHorizontalFlip` then
 * `RandomCrop(32, padding=4)`, seeded by the loader's generator.
 *
 * Files: torchvision's `cifar-10-batches-py/` (an OpenLTH dataset folder works as it is) or
 * the binary `cifar-10-batches-bin/`, else their archives, else the binary archive is
 * downloaded (from `download`, which honours `LTH_CIFAR10_MIRROR`). Missing, truncated or
 * corrupt files are one `LthError` naming the file. Labels and images are held in memory
 * (about 150 MB for the training set).
 */
@dataset({ names: ['cifar10'], description: 'CIFAR-10: 50000/10000 32x32 colour images in 10 classes, flip-and-crop augmentation' })
export class Cifar10Dataset implements DatasetFamily {
  /** Where a missing CIFAR-10 is downloaded from (tests point it at a local server). */
  download: Cifar10Download = cifar10Download();

  info(name: string): DatasetInfo {
    if (name !== 'cifar10') throw new LthError('UNKNOWN_DATASET', `The CIFAR-10 family has no dataset '${name}'.`);
    return INFO;
  }

  async load(name: string, split: 'train' | 'test', ctx: DatasetContext, augment: boolean): Promise<ImageSource> {
    this.info(name);
    const dir = path.join(ctx.datasetRoot, 'cifar10');
    const layout = await ensureCifar10Files(dir, split, this.download, (line) => ctx.log(line));
    const { images, labels } = readCifar10Split(dir, layout, split);
    ctx.log(`cifar10 ${split}: ${labels.length} examples from ${path.join(dir, layout.folder)}`);
    return new InMemoryImageSource({
      images,
      labels,
      imageShape: CIFAR10_SHAPE,
      numClasses: CIFAR10_CLASSES,
      mean: CIFAR10_MEAN,
      std: CIFAR10_STD,
      augmentation: augment ? flipAndCrop(CIFAR10_CROP_PADDING) : null,
    });
  }
}
