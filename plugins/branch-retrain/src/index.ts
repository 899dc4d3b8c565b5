import { definePlugin } from '@lth/kernel';

export { RetrainBranch, retrainStartStep } from './retrain';

/** The `retrain` branch. */
export const plugin = definePlugin({
  name: '@lth/plugin-branch-retrain',
  version: '0.1.0',
  kernel: '^0.1.0',
  dependencies: { '@lth/lottery': '^0.1.0' },
  description: "Branch 'retrain': retrain a trunk level's sparse network with other dataset and training hyperparameters.",
});
