import { definePlugin } from '@lth/kernel';

export * from './hparams';
export * from './select';
export * from './scores';
export * from './strategies';
export { AT_INIT_STRATEGIES, PruneAtInitBranch } from './prune-at-init';

/** The pruning strategies beyond OpenLTH's `sparse_global`, and the `prune_at_init` branch. */
export const plugin = definePlugin({
  name: '@lth/plugin-pruning-strategies',
  version: '0.1.0',
  kernel: '^0.1.0',
  dependencies: { '@lth/lottery': '^0.1.0' },
  description: "Pruning strategies 'sparse_layerwise', 'random', 'snip', 'grasp', 'synflow', and branch 'prune_at_init': pruning at initialisation to a density.",
});
