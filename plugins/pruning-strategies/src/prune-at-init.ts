import { LthError, type Hparams, type Mask, type Model, type PruningContext } from '@lth/kernel';
import { arg, Branch, branch, lotteryPruningContext, type BranchContext } from '@lth/lottery';
import { GraspPruningHparams, RandomPruningHparams, SnipPruningHparams, splitNames, SynflowPruningHparams } from './hparams';
import { candidateLayers, unprunedIn } from './select';
import { checkExamples, GraspStrategy, RandomStrategy, SnipStrategy, SynflowStrategy } from './strategies';

export const AT_INIT_STRATEGIES = ['snip', 'grasp', 'synflow', 'random'] as const;

interface Choice {
  readonly hparams: Hparams;
  pruneCount(mask: Mask, names: readonly string[], count: number, context: PruningContext): Promise<Mask>;
}

/** The strategy's hparams built from the branch's arguments, and its `pruneCount`. */
function choose(strategy: string, ignore: string, seed: number | null, examples: number | null, iterations: number, temperature: number): Choice {
  const base = { pruning_layers_to_ignore: ignore || null };
  switch (strategy) {
    case 'snip': {
      const hp = SnipPruningHparams.create({ ...base, pruning_strategy: 'snip', pruning_seed: seed, pruning_examples: examples });
      return { hparams: hp, pruneCount: (m, n, c, x) => new SnipStrategy().pruneCount(hp, m, n, c, x) };
    }
    case 'grasp': {
      const hp = GraspPruningHparams.create({ ...base, pruning_strategy: 'grasp', pruning_seed: seed, pruning_examples: examples, pruning_temperature: temperature });
      return { hparams: hp, pruneCount: (m, n, c, x) => new GraspStrategy().pruneCount(hp, m, n, c, x) };
    }
    case 'synflow': {
      const hp = SynflowPruningHparams.create({ ...base, pruning_strategy: 'synflow', pruning_iterations: iterations });
      return { hparams: hp, pruneCount: (m, n, c, x) => new SynflowStrategy().pruneCount(hp, m, n, c, x) };
    }
    case 'random': {
      const hp = RandomPruningHparams.create({ ...base, pruning_strategy: 'random', pruning_seed: seed });
      return { hparams: hp, pruneCount: (m, n, c, x) => Promise.resolve(new RandomStrategy().pruneCount(hp, m, n, c, x)) };
    }
  }
  throw new LthError('BAD_HPARAM', `--strategy=${strategy} is not one of: ${AT_INIT_STRATEGIES.join(', ')}.`);
}

/** The layers the branch leaves unpruned: `--layers_to_ignore`, else the trunk's `pruning_layers_to_ignore`. */
function ignoredLayers(context: BranchContext, layersToIgnore: string | null): string {
  if (layersToIgnore !== null) return layersToIgnore;
  const trunk = (context.desc.pruning_hparams as unknown as { pruning_layers_to_ignore?: string | null }).pruning_layers_to_ignore;
  return trunk ?? '';
}

/** How many weights the branch keeps and prunes at a level, checked. */
function plan(context: BranchContext, model: Model, mask: Mask, density: number, ignore: string): { names: string[]; keep: number; prune: number } {
  const names = candidateLayers(model, splitNames(ignore), '--layers_to_ignore');
  const keep = Math.round(density * mask.numel);
  const prune = mask.unpruned - keep;
  if (prune < 0) {
    throw new LthError(
      'BAD_HPARAM',
      `--density=${density} keeps ${keep} of ${mask.numel} weights, more than level ${context.level}'s mask keeps (${mask.unpruned}, ${((100 * mask.unpruned) / mask.numel).toFixed(2)}%). Choose a density at most the level's, or an earlier level.`,
    );
  }
  const left = unprunedIn(mask, names);
  if (prune > left) {
    throw new LthError(
      'BAD_HPARAM',
      `--density=${density} would prune ${prune} weights at level ${context.level}, but only ${left} kept weights lie outside the ignored layers (${ignore}). Choose a higher density or ignore fewer layers (--layers_to_ignore='').`,
    );
  }
  return { names, keep, prune };
}

/**
 * `prune_at_init`: prunes a trunk level's network at its starting point with a
 * pruning-at-initialisation strategy (SNIP, GraSP, SynFlow, or random) to `--density` of all
 * prunable weights, in one shot, then trains it as the level trains.
 *
 * 1. The network: the trunk's unpruned level-0 weights at the rewind step (step 0 without
 *    rewinding or pretraining), i.e. the level's starting weights; the starting mask is the
 *    level's (all ones at level 0).
 * 2. The mask: the strategy scores that network with the level's mask applied (the same code
 *    as `lth lottery --pruning_strategy=<strategy>`) and prunes until `round(density × all
 *    prunable weights)` are kept. The layers in `--layers_to_ignore` (by default the trunk's
 *    `pruning_layers_to_ignore`, so `fc.weight` stays dense for LeNet as it does under IMP)
 *    keep their mask and count toward the density.
 * 3. Training from the rewind step with the trunk's dataset and training hyperparameters, the
 *    mask saved and enforced.
 */
@branch({ name: 'prune_at_init', description: 'Prune the level\'s starting network with SNIP, GraSP, SynFlow or at random to a density, then train it.' })
export class PruneAtInitBranch extends Branch {
  override validate(context: BranchContext, strategy: string, density: number, seed: number | null, layersToIgnore: string | null, examples: number | null): void {
    void seed;
    if (strategy === 'snip' || strategy === 'grasp') {
      checkExamples(examples, { numTrainExamples: context.desc.numTrainExamples(), batchSize: context.desc.dataset_hparams.batch_size }, '--examples');
    }
    const file = context.trunkWeightsFile('rewind');
    if (!context.exists(file)) {
      throw new LthError('MISSING_FILE', `prune_at_init starts from the trunk's weights in ${file}, which is not there. Let lth lottery finish level 0 first.`);
    }
    const model = context.buildModel();
    try {
      plan(context, model, context.levelMask(model), density, ignoredLayers(context, layersToIgnore));
    } finally {
      model.dispose();
    }
  }

  /**
   * SNIP and GraSP: the examples are drawn from the training split before anything is written
   * (a count beyond the split as loaded, whatever its registered size, is one error).
   */
  override async preflight(context: BranchContext, strategy: string, density: number, seed: number | null, layersToIgnore: string | null, examples: number | null): Promise<void> {
    void density;
    void layersToIgnore;
    if (strategy !== 'snip' && strategy !== 'grasp') return;
    await this.pruningContext(context).trainExamples(examples ?? context.desc.dataset_hparams.batch_size, seed ?? context.replicate);
  }

  private pruningContext(context: BranchContext): PruningContext {
    return lotteryPruningContext({ desc: context.desc, root: context.root, replicate: context.replicate, level: context.level, platform: context.platform, out: context.out });
  }

  async run(
    context: BranchContext,
    @arg.str('strategy', { choices: AT_INIT_STRATEGIES, help: 'The scoring rule: snip (|g*w| on a batch), grasp (-w*Hg), synflow (iterative, data-free), or random.' })
    strategy: string,
    @arg.float('density', { help: 'The fraction of all prunable weights to keep, ignored layers included: float in (0, 1].', validate: (v) => (v > 0 && v <= 1 ? undefined : 'must be a fraction in (0, 1]') })
    density: number,
    @arg.int('seed', { default: null, help: 'The seed of the examples SNIP and GraSP score on, and of random\'s draw (default: the replicate).' })
    seed: number | null,
    @arg.str('layers_to_ignore', { default: null, help: "Comma-separated weight names to leave unpruned (default: the trunk's --pruning_layers_to_ignore; '' for none)." })
    layersToIgnore: string | null,
    @arg.int('examples', { default: null, help: 'SNIP and GraSP: the number of training examples to score on (default: --batch_size).', validate: (v) => (v > 0 ? undefined : 'must be greater than zero') })
    examples: number | null,
    @arg.int('iterations', { default: 100, help: 'SynFlow: the number of pruning iterations.', validate: (v) => (v > 0 ? undefined : 'must be greater than zero') })
    iterations: number,
    @arg.float('temperature', { default: 200, help: 'GraSP: the temperature the logits are divided by.', validate: (v) => (v > 0 ? undefined : 'must be greater than zero') })
    temperature: number,
  ): Promise<void> {
    const ignore = ignoredLayers(context, layersToIgnore);
    const choice = choose(strategy, ignore, seed, examples, iterations, temperature);
    const model = context.trunkWeights('rewind');
    try {
      const levelMask = context.levelMask(model);
      const { names, keep, prune } = plan(context, model, levelMask, density, ignore);
      const mask = await choice.pruneCount(levelMask, names, prune, this.pruningContext(context));
      context.log(`${strategy}: ${mask.unpruned} of ${mask.numel} weights kept (${((100 * mask.unpruned) / mask.numel).toFixed(2)}%, asked ${keep}); training from the rewind step.`);
      await context.train({ model, mask, startStep: context.trainStartStep });
    } finally {
      model.dispose();
    }
  }
}
