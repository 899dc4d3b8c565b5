import { definePlugin } from '@lth/kernel';

export { RandomlyReinitializeBranch, reinitializationSeed } from './randomly-reinitialize';

/** The `randomly_reinitialize` branch. */
export const plugin = definePlugin({
  name: '@lth/plugin-branch-randomly-reinitialize',
  version: '0.1.0',
  kernel: '^0.1.0',
  dependencies: { '@lth/lottery': '^0.1.0' },
  description: "Branch 'randomly_reinitialize': retrain a trunk level's sparse network from a new, seeded random initialisation.",
});
