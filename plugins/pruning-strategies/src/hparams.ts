import { float, fraction, group, int, positive, PruningHparams, str } from '@lth/kernel';

/* eslint-disable @typescript-eslint/naming-convention -- field names are flags */

const FRACTION_HELP =
  'The fraction of the remaining weights to prune at each level: float in (0, 1]. As sparse_global, the remaining weights include the ignored layers, so --pruning_fraction=0.8 with --levels=1 keeps exactly 20% of all prunable weights.';
const IGNORE_HELP = 'A comma-separated list of tensors that should not be pruned. Example: fc.weight';
const SEED_HELP = 'The seed of the draw (default: the replicate).';

/**
 * The two fields every strategy of this package shares with `sparse_global`, under the same
 * names and defaults, so that `--default_hparams` fills them in and `--pruning_fraction=0.2`
 * stays out of the hash.
 */
export abstract class FractionPruningHparams extends PruningHparams {
  @float({ default: 0.2, help: FRACTION_HELP, validate: fraction })
  pruning_fraction!: number;

  @str({ default: null, help: IGNORE_HELP })
  pruning_layers_to_ignore!: string | null;

  /** The ignored tensor names, trimmed, without empty entries. */
  ignoredLayers(): string[] {
    return splitNames(this.pruning_layers_to_ignore);
  }
}

/** Names of a comma-separated list, trimmed, without empty entries. */
export function splitNames(list: string | null | undefined): string[] {
  if (!list) return [];
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** `sparse_layerwise`: magnitude pruning of the same fraction of every layer. */
@group({ name: 'Hyperparameters for Sparse Layerwise Pruning', description: 'Magnitude pruning of the same fraction of each layer.' })
export class SparseLayerwisePruningHparams extends FractionPruningHparams {}

export const RANDOM_SCOPES = ['global', 'layerwise'] as const;

/** `random`: pruning weights chosen uniformly at random. */
@group({ name: 'Hyperparameters for Random Pruning', description: 'Prune weights chosen at random, over all layers together or the same fraction of each layer.' })
export class RandomPruningHparams extends FractionPruningHparams {
  @str({ default: 'global', choices: RANDOM_SCOPES, help: 'global: the pruned weights are drawn over all layers together; layerwise: each layer loses the same fraction.' })
  pruning_scope!: string;

  @int({ default: null, help: SEED_HELP })
  pruning_seed!: number | null;
}

/** `snip`: Lee et al. 2019, connection sensitivity |g ⊙ w| at initialisation. */
@group({ name: 'Hyperparameters for SNIP Pruning', description: 'SNIP (Lee et al., 2019): prune the weights of least connection sensitivity |dL/dw * w| on a batch of training data, at initialisation.' })
export class SnipPruningHparams extends FractionPruningHparams {
  @int({ default: null, help: 'The number of training examples the gradient is taken on (default: --batch_size).', validate: positive })
  pruning_examples!: number | null;

  @int({ default: null, help: 'The seed that chooses the examples (default: the replicate).' })
  pruning_seed!: number | null;
}

/** `grasp`: Wang et al. 2020, gradient signal preservation, -w ⊙ Hg at initialisation. */
@group({ name: 'Hyperparameters for GraSP Pruning', description: 'GraSP (Wang et al., 2020): prune the weights of highest score -w * Hg (H the Hessian, g the gradient of the loss at temperature T) on training data, at initialisation.' })
export class GraspPruningHparams extends FractionPruningHparams {
  @int({ default: null, help: 'The number of training examples g and Hg are taken on (default: --batch_size).', validate: positive })
  pruning_examples!: number | null;

  @int({ default: null, help: 'The seed that chooses the examples (default: the replicate).' })
  pruning_seed!: number | null;

  @float({ default: 200, help: 'The temperature T the logits are divided by (the paper\'s code: 200).', validate: positive })
  pruning_temperature!: number;
}

/** `synflow`: Tanaka et al. 2020, iterative synaptic flow, data-free. */
@group({ name: 'Hyperparameters for SynFlow Pruning', description: 'SynFlow (Tanaka et al., 2020): iterative, data-free pruning by synaptic saliency |w * dR/dw|, R the summed output of the network with absolute weights on an all-ones input.' })
export class SynflowPruningHparams extends FractionPruningHparams {
  @int({ default: 100, help: 'The number of scoring iterations; the kept count follows an exponential schedule over them.', validate: positive })
  pruning_iterations!: number;
}
