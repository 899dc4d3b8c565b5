import { definePlugin } from '@lth/kernel';

export { SparseGlobalPruningHparams } from './hparams';
export { SparseGlobalStrategy } from './sparse-global';

/** The `sparse_global` pruning strategy (OpenLTH's only one). */
export const plugin = definePlugin({
  name: '@lth/plugin-pruning-sparse-global',
  version: '0.1.0',
  kernel: '^0.1.0',
  description: "Pruning strategy 'sparse_global': global magnitude pruning of a fraction of the remaining weights (OpenLTH).",
});
