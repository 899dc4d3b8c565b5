import { LthError, model, type DefaultHparams, type Model, type ModelBuildOptions, type ModelFamily } from '@lth/kernel';
import { LeNet } from './lenet';

const NAME = /^mnist_lenet((?:_\d+)+)$/;

/** The hidden-layer widths named by `mnist_lenet_N[_M...]`, or null when the name is not one. */
export function lenetWidths(name: string): number[] | null {
  const m = NAME.exec(name);
  if (!m) return null;
  const widths = m[1].slice(1).split('_').map(Number);
  return widths.every((w) => Number.isSafeInteger(w) && w > 0) ? widths : null;
}

/**
 * The `mnist_lenet_N[_M...]` family (spec §7.4): `mnist_lenet_` followed by one or more
 * `_`-separated positive integers, the widths of the hidden layers (`mnist_lenet_300_100`).
 * Unlike OpenLTH's prefix check, `mnist_lenetX_300` is not a LeNet (quirk 43).
 */
@model({ name: 'mnist_lenet', pattern: 'mnist_lenet_N[_M...]', description: "Fully-connected LeNet: hidden layers of N, M, ... units with ReLU, then the output layer 'fc'." })
export class LeNetFamily implements ModelFamily {
  isValidModelName(name: string): boolean {
    return lenetWidths(name) !== null;
  }

  defaultHparams(name: string): DefaultHparams {
    return {
      dataset: { dataset_name: 'mnist', batch_size: 128 },
      model: { model_name: name, model_init: 'kaiming_normal', batchnorm_init: 'uniform' },
      training: { optimizer_name: 'sgd', lr: 0.1, training_steps: '40ep' },
      pruning: { pruning_strategy: 'sparse_global', pruning_fraction: 0.2, pruning_layers_to_ignore: 'fc.weight' },
    };
  }

  create(name: string, options: ModelBuildOptions): Model {
    const widths = lenetWidths(name);
    if (!widths) throw new LthError('UNKNOWN_MODEL', `'${name}' is not a LeNet: write mnist_lenet_ followed by hidden-layer widths, e.g. mnist_lenet_300_100.`);
    return new LeNet(name, widths, options.inputShape, options.outputs, options.rng);
  }
}
