import { definePlugin } from '@lth/kernel';

export { RandomlyPruneBranch } from './randomly-prune';
export * from './random-masks';

/** The `randomly_prune` branch. */
export const plugin = definePlugin({
  name: '@lth/plugin-branch-randomly-prune',
  version: '0.1.0',
  kernel: '^0.1.0',
  dependencies: { '@lth/lottery': '^0.1.0' },
  description: "Branch 'randomly_prune': retrain a trunk level with a random mask of the same sparsity, from the unpruned trunk weights.",
});
