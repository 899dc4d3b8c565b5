import { LthError, model, type DefaultHparams, type Model, type ModelBuildOptions, type ModelFamily } from '@lth/kernel';
import { BasicBlock, Bottleneck, ImageNetResNet, type TorchvisionBlockType } from './imagenet-resnet';

const NAME = /^imagenet_resnet_(\d+)(?:_(\d+))?$/;

/** The blocks and blocks per stage of each ImageNet ResNet depth (torchvision's). */
export const IMAGENET_RESNET_DEPTHS: Readonly<Record<number, { block: TorchvisionBlockType; layers: readonly [number, number, number, number] }>> = {
  18: { block: BasicBlock, layers: [2, 2, 2, 2] },
  34: { block: BasicBlock, layers: [3, 4, 6, 3] },
  50: { block: Bottleneck, layers: [3, 4, 6, 3] },
  101: { block: Bottleneck, layers: [3, 4, 23, 3] },
  152: { block: Bottleneck, layers: [3, 8, 36, 3] },
  200: { block: Bottleneck, layers: [3, 24, 36, 3] },
};

/** What a valid `imagenet_resnet_D[_W]` name describes. */
export interface ImageNetResNetSpec {
  /** D: 18, 34, 50, 101, 152 or 200. */
  readonly depth: number;
  /** W: the planes of the first stage (default 64). */
  readonly width: number;
}

/**
 * Reads `imagenet_resnet_D[_W]`: D one of 18, 34, 50, 101, 152, 200 and the optional width W a
 * positive integer (OpenLTH does not check W, and fails later on `_0` or `_x`). Null for any
 * other name.
 */
export function parseImageNetResNetName(name: string): ImageNetResNetSpec | null {
  const m = NAME.exec(name);
  if (!m) return null;
  const depth = Number(m[1]);
  const width = m[2] === undefined ? 64 : Number(m[2]);
  if (!(depth in IMAGENET_RESNET_DEPTHS) || !Number.isSafeInteger(width) || width <= 0) return null;
  return { depth, width };
}

/**
 * The `imagenet_resnet_D[_W]` family (spec §7.4): torchvision's ResNet-D (BasicBlock for 18 and
 * 34, Bottleneck for 50 and deeper) with W planes in the first stage (default 64), wrapped as
 * OpenLTH wraps it. Every name takes ResNet-50's default hyperparameters.
 */
@model({ name: 'imagenet_resnet', pattern: 'imagenet_resnet_D[_W]', description: 'torchvision\'s ResNet for ImageNet: depth D in 18, 34, 50, 101, 152, 200, W planes in the first stage (default 64).' })
export class ImageNetResNetFamily implements ModelFamily {
  isValidModelName(name: string): boolean {
    return parseImageNetResNetName(name) !== null;
  }

  whyInvalid(name: string): string | null {
    if (!name.startsWith('imagenet_resnet') || this.isValidModelName(name)) return null;
    const m = NAME.exec(name);
    if (!m) return 'an ImageNet ResNet is named imagenet_resnet_D or imagenet_resnet_D_W with the depth D and a positive integer width W, e.g. imagenet_resnet_50 or imagenet_resnet_18_32';
    if (!(Number(m[1]) in IMAGENET_RESNET_DEPTHS)) return `an ImageNet ResNet's depth D must be one of 18, 34, 50, 101, 152, 200 (got ${m[1]})`;
    return `the width W must be a positive integer (got ${m[2]})`;
  }

  defaultHparams(name: string): DefaultHparams {
    return {
      dataset: { dataset_name: 'imagenet', batch_size: 1024 },
      model: { model_name: name, model_init: 'kaiming_normal', batchnorm_init: 'uniform' },
      training: { optimizer_name: 'sgd', momentum: 0.9, milestone_steps: '30ep,60ep,80ep', lr: 0.4, gamma: 0.1, weight_decay: 1e-4, training_steps: '90ep', warmup_steps: '5ep' },
      pruning: { pruning_strategy: 'sparse_global', pruning_fraction: 0.2 },
    };
  }

  create(name: string, options: ModelBuildOptions): Model {
    const spec = parseImageNetResNetName(name);
    if (!spec) throw new LthError('UNKNOWN_MODEL', `Unknown model '${name}': ${this.whyInvalid(name) ?? 'not an ImageNet ResNet'}.`);
    const { block, layers } = IMAGENET_RESNET_DEPTHS[spec.depth];
    return new ImageNetResNet(name, block, layers, spec.width, options.inputShape, options.outputs, options.rng);
  }
}
