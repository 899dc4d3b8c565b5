import { LthError, model, type DefaultHparams, type Model, type ModelBuildOptions, type ModelFamily } from '@lth/kernel';
import { CifarVgg, type VggPlanEntry } from './cifar-vgg';

const NAME = /^cifar_vgg_(\d+)$/;

/** The plan of each VGG depth (4 max pools; the usual fifth is the final average pool). */
export const CIFAR_VGG_PLANS: Readonly<Record<number, readonly VggPlanEntry[]>> = {
  11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512],
  13: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512],
  16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512],
  19: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512],
};

/** The plan named by `cifar_vgg_D` (D one of 11, 13, 16, 19), or null when the name is not one. */
export function cifarVggPlan(name: string): readonly VggPlanEntry[] | null {
  const m = NAME.exec(name);
  if (!m) return null;
  return CIFAR_VGG_PLANS[Number(m[1])] ?? null;
}

/**
 * The `cifar_vgg_D` family (spec §7.4): OpenLTH's VGG-11, -13, -16 and -19 for CIFAR-10, with
 * batch norm. Every name takes VGG-16's defaults: ResNet-20's training, and `fc.weight` left out
 * of pruning.
 */
@model({ name: 'cifar_vgg', pattern: 'cifar_vgg_D', description: 'VGG for CIFAR-10 with batch norm, of depth D in 11, 13, 16, 19.' })
export class CifarVggFamily implements ModelFamily {
  isValidModelName(name: string): boolean {
    return cifarVggPlan(name) !== null;
  }

  whyInvalid(name: string): string | null {
    if (!name.startsWith('cifar_vgg') || this.isValidModelName(name)) return null;
    const m = NAME.exec(name);
    return `a CIFAR VGG is cifar_vgg_11, cifar_vgg_13, cifar_vgg_16 or cifar_vgg_19${m ? ` (there is no depth ${m[1]})` : ''}`;
  }

  defaultHparams(name: string): DefaultHparams {
    return {
      dataset: { dataset_name: 'cifar10', batch_size: 128 },
      model: { model_name: name, model_init: 'kaiming_normal', batchnorm_init: 'uniform' },
      training: { optimizer_name: 'sgd', momentum: 0.9, milestone_steps: '80ep,120ep', lr: 0.1, gamma: 0.1, weight_decay: 1e-4, training_steps: '160ep' },
      pruning: { pruning_strategy: 'sparse_global', pruning_fraction: 0.2, pruning_layers_to_ignore: 'fc.weight' },
    };
  }

  create(name: string, options: ModelBuildOptions): Model {
    const plan = cifarVggPlan(name);
    if (!plan) throw new LthError('UNKNOWN_MODEL', `Unknown model '${name}': ${this.whyInvalid(name) ?? 'not a CIFAR VGG'}.`);
    return new CifarVgg(name, plan, options.inputShape, options.outputs, options.rng);
  }
}
