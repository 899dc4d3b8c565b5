import { arg, Branch, branch, type BranchContext } from '@lth/lottery';

/**
 * The seed of a level's new initialisation: from `--seed` when given, else from the replicate,
 * and always from the level, so that every level (and replicate) draws its own and a rerun
 * draws the same.
 */
export function reinitializationSeed(seed: number | null, replicate: number, level: number): string {
  return `randomly_reinitialize:${seed === null ? `replicate_${replicate}` : `seed_${seed}`}:level_${level}`;
}

/**
 * `randomly_reinitialize` (OpenLTH spec §10.3): trains a trunk level's sparse network (its IMP
 * mask) from a new random initialisation instead of the trunk's, to test whether the
 * initialisation matters. It trains with the trunk's dataset and training hyperparameters from
 * the rewind step, or from step 0 with `--start_at_step_zero`.
 *
 * OpenLTH's initialisation was unseeded (quirk 34); here it is drawn from
 * `reinitializationSeed(--seed, replicate, level)`, so reruns are identical. `--seed` defaults
 * to None and so leaves OpenLTH's hash: the defaults are `Hparams()`.
 */
@branch({ name: 'randomly_reinitialize', description: 'Randomly reinitialize the model.' })
export class RandomlyReinitializeBranch extends Branch {
  async run(
    context: BranchContext,
    @arg.bool('start_at_step_zero', { help: 'Train from step 0 instead of the rewind step.' })
    startAtStepZero: boolean,
    @arg.int('seed', { default: null, help: 'lth: the seed of the new initialisation (combined with the level). Unset: derived from the replicate, so reruns are identical.' })
    seed: number | null,
  ): Promise<void> {
    const model = context.buildModel(reinitializationSeed(seed, context.replicate, context.level));
    try {
      const mask = context.levelMask(model);
      context.log(`New initialisation drawn from seed '${reinitializationSeed(seed, context.replicate, context.level)}'; the level's mask keeps ${mask.unpruned} of ${mask.numel} weights.`);
      await context.train({ model, mask, startStep: startAtStepZero ? context.stepZero : context.trainStartStep });
    } finally {
      model.dispose();
    }
  }
}
