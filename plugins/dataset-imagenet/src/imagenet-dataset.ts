import * as fs from 'node:fs';
import * as path from 'node:path';
import { LthError, dataset, type DatasetContext, type DatasetFamily, type DatasetInfo, type ImageSource } from '@lth/kernel';
import { IMAGENET_SIZE } from './decode';
import { listClasses, listImageFolder } from './image-folder';
import { ImagenetImageSource } from './imagenet-source';

const INFO: DatasetInfo = { numTrainExamples: 1281167, numTestExamples: 50000, numClasses: 1000, imageShape: [IMAGENET_SIZE, IMAGENET_SIZE, 3] };

/** `ctx.onCorruptImage`, else the environment's `LTH_ON_CORRUPT_IMAGE`, else `fail`. */
export function corruptImagePolicy(ctx: DatasetContext, env: NodeJS.ProcessEnv = process.env): 'fail' | 'skip' {
  const value = ctx.onCorruptImage ?? env.LTH_ON_CORRUPT_IMAGE ?? 'fail';
  if (value !== 'fail' && value !== 'skip') throw new LthError('BAD_CONFIG', `onCorruptImage must be 'fail' or 'skip' (got '${value}').`);
  return value;
}

/* The platform setting this plugin declares (platformKeys below), typed in lth.config.ts. */
declare module '@lth/kernel' {
  interface PlatformConfig {
    /** ImageNet root (`train/`, `val/`); unset by default; `LTH_IMAGENET_ROOT` overrides it. */
    imagenetRoot?: string;
  }
}

/**
 * The `imagenet` dataset as OpenLTH uses it (spec §6.2): `<imagenetRoot>/train` and `/val`,
 * one folder per class, sorted, 224 × 224 × 3 with ImageNet's mean and std. `info` gives
 * ImageNet's nominal sizes (1281167 / 50000, 1000 classes); a loaded split has what the folder
 * holds. Training augmentation: `RandomResizedCrop(224, scale=(0.1, 1), ratio=(0.8, 1.25))`
 * then `RandomHorizontalFlip`; otherwise `Resize(256)` then `CenterCrop(224)`. Images are
 * decoded per batch, in `ctx.numWorkers` worker threads (0: on the main thread). Example order
 * is deterministic (quirk 41, fixed). Validation labels follow the training split's classes.
 */
@dataset({
  names: ['imagenet'],
  description: 'ImageNet (ILSVRC 2012) from platform.imagenetRoot: train/ and val/ JPEG folders, 224x224',
  platformKeys: { imagenetRoot: { help: 'The ImageNet folder: train/ and val/, one sub-folder of JPEGs per class.', env: 'LTH_IMAGENET_ROOT' } },
})
export class ImagenetDataset implements DatasetFamily {
  info(name: string): DatasetInfo {
    if (name !== 'imagenet') throw new LthError('UNKNOWN_DATASET', `The ImageNet family has no dataset '${name}'.`);
    return INFO;
  }

  async load(name: string, split: 'train' | 'test', ctx: DatasetContext, augment: boolean): Promise<ImageSource> {
    this.info(name);
    const root = ctx.setting('imagenetRoot');
    if (!root) throw new LthError('IMAGENET_ROOT_UNSET', 'ImageNet needs its folder: set platform.imagenetRoot in lth.config.ts to the folder holding train/ and val/ (one sub-folder of JPEGs per class).');
    const onCorruptImage = corruptImagePolicy(ctx);
    const trainDir = path.join(root, 'train');
    const dir = split === 'train' ? trainDir : path.join(root, 'val');
    const classes = split === 'test' && fs.existsSync(trainDir) ? listClasses(trainDir) : undefined;
    const listing = listImageFolder(dir, classes);
    ctx.log(`imagenet ${split}: ${listing.labels.length} images in ${listing.classes.length} classes from ${dir}`);
    return new ImagenetImageSource(listing, { augment, numWorkers: ctx.numWorkers, onCorruptImage, log: (l) => ctx.log(l) });
  }
}
