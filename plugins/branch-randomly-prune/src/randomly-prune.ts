import { LthError } from '@lth/kernel';
import { arg, Branch, branch, type BranchContext, type TrunkPoint } from '@lth/lottery';
import { checkIgnoredLayers, randomMask, RANDOM_PRUNING_STRATEGIES, unpruneLayers, type RandomPruningStrategy } from './random-masks';

const START_POINTS = ['init', 'end', 'rewind'] as const;

/**
 * `randomly_prune` (OpenLTH spec §10.2): trains a trunk level's network with a random mask of
 * the level's sparsity instead of the one IMP found, to test whether the mask matters.
 *
 * 1. The random mask: the level's mask shuffled per layer (`layerwise`), over all layers
 *    (`global`), redrawn with the same density in every layer (`even`), or kept (`identity`);
 *    then every layer in `--layers_to_ignore` unpruned.
 * 2. The starting weights: the trunk's **unpruned** weights at `--start_at` (`init`: step 0;
 *    `rewind`: the rewind step; `end`: the end of training), from level 0 (or the pretraining
 *    run's initialisation for `init` with rewinding or pretraining), so that every weight the
 *    random mask keeps has its real value. OpenLTH took them from the IMP-masked level, which
 *    left the kept weights IMP had pruned at zero (quirk 30), and could not start at `init`
 *    with rewinding (quirk 32); both fixed.
 * 3. Training from step 0 (`init`, `end`) or the rewind step (`rewind`) with the trunk's
 *    dataset and training hyperparameters, the random mask saved and enforced.
 *
 * The same seed draws the same mask. Hashes are OpenLTH's: `--seed=7` with the other arguments
 * at their defaults is `Hparams(seed=7)`.
 */
@branch({ name: 'randomly_prune', description: 'Randomly prune the model.' })
export class RandomlyPruneBranch extends Branch {
  override validate(context: BranchContext, seed: number, strategy: string, startAt: string, layersToIgnore: string): void {
    void seed;
    void strategy;
    const model = context.buildModel();
    try {
      checkIgnoredLayers(layersToIgnore, context.levelMask(model));
    } finally {
      model.dispose();
    }
    const file = context.trunkWeightsFile(startAt as TrunkPoint);
    if (!context.exists(file)) {
      throw new LthError('MISSING_FILE', `randomly_prune --start_at=${startAt} starts from the trunk's weights in ${file}, which is not there. Let lth lottery finish level 0 first.`);
    }
  }

  async run(
    context: BranchContext,
    @arg.int('seed', { help: 'The seed of the random mask: the same seed draws the same mask.' })
    seed: number,
    @arg.str('strategy', {
      default: 'layerwise',
      choices: RANDOM_PRUNING_STRATEGIES,
      help: 'layerwise: shuffle each layer\'s mask (same count per layer); global: shuffle over all layers; even: the same density in every layer; identity: keep the level\'s mask.',
    })
    strategy: string,
    @arg.str('start_at', {
      default: 'rewind',
      choices: START_POINTS,
      help: "The unpruned trunk weights to start from: init (step 0), rewind (the rewind step), or end (the end of training). init and end train from step 0, rewind from the rewind step.",
    })
    startAt: string,
    @arg.str('layers_to_ignore', { default: '', help: 'Comma-separated weight names to leave unpruned in the random mask, e.g. fc.weight.' })
    layersToIgnore: string,
  ): Promise<void> {
    const point = startAt as TrunkPoint;
    const model = context.trunkWeights(point);
    try {
      const mask = unpruneLayers(randomMask(context.levelMask(model), strategy as RandomPruningStrategy, seed), layersToIgnore);
      context.log(`Random mask (${strategy}, seed ${seed}): ${mask.unpruned} of ${mask.numel} weights kept; starting from the trunk's unpruned weights at ${point}.`);
      await context.train({ model, mask, startStep: point === 'rewind' ? context.trainStartStep : context.stepZero });
    } finally {
      model.dispose();
    }
  }
}
