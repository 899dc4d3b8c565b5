import { LthError, model, type DefaultHparams, type Model, type ModelBuildOptions, type ModelFamily } from '@lth/kernel';
import { CifarResNet, type CifarResNetStage } from './cifar-resnet';

const NAME = /^cifar_resnet_(\d+)(?:_(\d+))?$/;

/** What a valid `cifar_resnet_D[_W]` name describes. */
export interface CifarResNetSpec {
  /** D: the number of weighted layers, 6B + 2 (B blocks per stage). */
  readonly depth: number;
  /** W: the filters of the first stage (default 16); the stages have W, 2W and 4W. */
  readonly width: number;
  /** The three stages, of (D − 2) / 6 blocks each. */
  readonly plan: readonly CifarResNetStage[];
}

/**
 * Reads `cifar_resnet_D[_W]` as OpenLTH does: 3 or 4 `_`-separated parts, D and W positive
 * integers, D > 2 and D − 2 divisible by 6. Returns null for any other name.
 */
export function parseCifarResNetName(name: string): CifarResNetSpec | null {
  const m = NAME.exec(name);
  if (!m) return null;
  const depth = Number(m[1]);
  const width = m[2] === undefined ? 16 : Number(m[2]);
  if (!Number.isSafeInteger(depth) || !Number.isSafeInteger(width) || depth <= 2 || width <= 0 || (depth - 2) % 6 !== 0) return null;
  const blocks = (depth - 2) / 6;
  return { depth, width, plan: [{ filters: width, blocks }, { filters: 2 * width, blocks }, { filters: 4 * width, blocks }] };
}

/**
 * The `cifar_resnet_D[_W]` family (spec §7.4): OpenLTH's CIFAR ResNet with D = 6B + 2 layers
 * (B blocks per stage) and width W (default 16): `cifar_resnet_20`, `cifar_resnet_56`,
 * `cifar_resnet_14_128`. Every name takes ResNet-20's default hyperparameters.
 */
@model({ name: 'cifar_resnet', pattern: 'cifar_resnet_D[_W]', description: 'ResNet for CIFAR-10: depth D = 6B+2 (B blocks per stage: 8, 14, 20, 26, 32, 44, 56, 110, ...), W filters in the first stage (default 16).' })
export class CifarResNetFamily implements ModelFamily {
  isValidModelName(name: string): boolean {
    return parseCifarResNetName(name) !== null;
  }

  whyInvalid(name: string): string | null {
    if (!name.startsWith('cifar_resnet') || this.isValidModelName(name)) return null;
    const m = NAME.exec(name);
    if (!m) return 'a CIFAR ResNet is named cifar_resnet_D or cifar_resnet_D_W with positive integers D (depth in layers) and W (width), e.g. cifar_resnet_20 or cifar_resnet_20_64';
    if (m[2] !== undefined && !(Number(m[2]) > 0)) return `the width W must be a positive integer (got ${m[2]})`;
    return `a CIFAR ResNet's depth D must be 6B+2 for B blocks per stage (8, 14, 20, 26, 32, 44, 56, 110, ...), not ${m[1]}`;
  }

  defaultHparams(name: string): DefaultHparams {
    return {
      dataset: { dataset_name: 'cifar10', batch_size: 128 },
      model: { model_name: name, model_init: 'kaiming_normal', batchnorm_init: 'uniform' },
      training: { optimizer_name: 'sgd', momentum: 0.9, milestone_steps: '80ep,120ep', lr: 0.1, gamma: 0.1, weight_decay: 1e-4, training_steps: '160ep' },
      pruning: { pruning_strategy: 'sparse_global', pruning_fraction: 0.2 },
    };
  }

  create(name: string, options: ModelBuildOptions): Model {
    const spec = parseCifarResNetName(name);
    if (!spec) throw new LthError('UNKNOWN_MODEL', `Unknown model '${name}': ${this.whyInvalid(name) ?? 'not a CIFAR ResNet'}.`);
    return new CifarResNet(name, spec.plan, options.inputShape, options.outputs, options.rng);
  }
}
