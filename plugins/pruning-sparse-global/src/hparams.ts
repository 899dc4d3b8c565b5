import { float, fraction, group, PruningHparams, str } from '@lth/kernel';

/* eslint-disable @typescript-eslint/naming-convention -- field names are OpenLTH's flags */

/**
 * The hyperparameters of `sparse_global` pruning (OpenLTH's `sparse_global.PruningHparams`).
 *
 * `pruning_fraction` defaults to 0.2 and is therefore absent from every default hash, as in
 * OpenLTH (quirk 4). Both fields carry help text (OpenLTH stored the second under a misnamed
 * key, quirk 7), and the group's title is the same in `--help` and in `hparams.log` (OpenLTH
 * showed two different titles, quirk 6).
 */
@group({
  name: 'Hyperparameters for Sparse Global Pruning',
  description: 'Hyperparameters that modify the way pruning occurs.',
})
export class SparseGlobalPruningHparams extends PruningHparams {
  @float({
    default: 0.2,
    help: 'The fraction of additional weights to prune from the network at each level: float in (0, 1]. It is a fraction of all weights the mask still keeps, ignored layers included (as OpenLTH).',
    validate: fraction,
  })
  pruning_fraction!: number;

  @str({
    default: null,
    help: 'A comma-separated list of additional tensors that should not be pruned. Example: fc.weight',
    list: true,
  })
  pruning_layers_to_ignore!: string | null;

  /** The ignored tensor names, trimmed, without empty entries. */
  ignoredLayers(): string[] {
    if (!this.pruning_layers_to_ignore) return [];
    return this.pruning_layers_to_ignore
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  }
}
