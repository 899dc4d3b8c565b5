import { LthError, Rng, strategy, type Mask, type Model, type PruningContext, type PruningPlan, type PruningStrategy } from '@lth/kernel';
import { stateEntry } from '@lth/nn';
import {
  GraspPruningHparams,
  RandomPruningHparams,
  SnipPruningHparams,
  SparseLayerwisePruningHparams,
  SynflowPruningHparams,
  type FractionPruningHparams,
} from './hparams';
import { absoluteState, graspScores, maskWeights, onSecondOrderBackend, snipScores, synflowScores } from './scores';
import { candidateLayers, checkLevelsFit, levelPruneCount, pruneLowest, pruneLowestPerLayer, unprunedIn, type Scores } from './select';

function magnitudes(model: Model, names: readonly string[]): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const n of names) out.set(n, Float32Array.from(stateEntry(model, n).variable.dataSync() as Float32Array, Math.abs));
  return out;
}

/**
 * `BAD_HPARAM` unless the examples a data-driven score takes (`--pruning_examples`, default
 * `--batch_size`) fit the training split.
 */
export function checkExamples(examples: number | null, plan: Pick<PruningPlan, 'numTrainExamples' | 'batchSize'>, flag = '--pruning_examples'): void {
  const count = examples ?? plan.batchSize;
  if (count <= plan.numTrainExamples) return;
  const which = examples === null ? `${flag} defaults to --batch_size=${count}, which is` : `${flag}=${count} is`;
  throw new LthError('BAD_HPARAM', `${which} more than the ${plan.numTrainExamples} examples of the training split. Choose ${flag} from 1 to ${plan.numTrainExamples}.`);
}

function needContext(name: string, context: PruningContext | undefined): PruningContext {
  if (context) return context;
  throw new LthError(
    'NO_PRUNING_CONTEXT',
    `The pruning strategy ${name} scores the network at initialisation and needs the experiment's pruning context: run it through lth lottery or the prune_at_init branch.`,
  );
}

/**
 * A base for the strategies here: the ignored layers are checked before anything is written,
 * and, for a strategy that prunes a count over all layers together (`prunesGlobally`), that
 * every planned level can prune it outside the ignored layers.
 */
abstract class FractionStrategy<H extends FractionPruningHparams> implements PruningStrategy<H> {
  validate(hparams: H, model: Model, plan?: PruningPlan): void {
    const names = candidateLayers(model, hparams.ignoredLayers());
    if (plan && this.prunesGlobally(hparams)) checkLevelsFit(model, names, hparams.pruning_fraction, plan.levels, hparams.pruning_strategy);
  }
  protected prunesGlobally(hparams: H): boolean {
    void hparams;
    return true;
  }
  abstract prune(hparams: H, trainedModel: Model, currentMask: Mask, context?: PruningContext): Mask | Promise<Mask>;
}

/**
 * `sparse_layerwise`: every prunable layer outside `pruning_layers_to_ignore` loses
 * `ceil(pruning_fraction × its kept weights)` of its kept weights, those of smallest magnitude in
 * the trained network (OpenLTH's `sparse_global` rule applied per layer, without its `+1`).
 */
@strategy({ name: 'sparse_layerwise', hparams: SparseLayerwisePruningHparams, description: 'Prune the smallest-magnitude fraction of each layer\'s remaining weights.' })
export class SparseLayerwiseStrategy extends FractionStrategy<SparseLayerwisePruningHparams> {
  protected override prunesGlobally(): boolean {
    return false;
  }
  prune(hparams: SparseLayerwisePruningHparams, trainedModel: Model, currentMask: Mask): Mask {
    currentMask.checkAgainst(trainedModel);
    const names = candidateLayers(trainedModel, hparams.ignoredLayers());
    return pruneLowestPerLayer(currentMask, magnitudes(trainedModel, names), hparams.pruning_fraction, 'sparse_layerwise');
  }
}

/** Uniform random scores for the kept weights of `names`, drawn from `new Rng('random_pruning', seed, level, name)`. */
export function randomScores(mask: Mask, names: readonly string[], seed: number, level: number): Scores {
  const out = new Map<string, Float32Array>();
  for (const n of names) {
    const rng = new Rng('random_pruning', seed, level, n);
    const s = new Float32Array(mask.get(n)!.data.length);
    for (let i = 0; i < s.length; i++) s[i] = rng.uniform();
    out.set(n, s);
  }
  return out;
}

/**
 * `random`: the level's pruned weights drawn uniformly at random among the kept ones, over all
 * layers together (`--pruning_scope=global`: `ceil(pruning_fraction × remaining)` of them, as
 * `sparse_global` counts) or the same fraction of each layer (`layerwise`). Seeded by
 * `--pruning_seed` (default the replicate) and the level.
 */
@strategy({ name: 'random', hparams: RandomPruningHparams, description: 'Prune weights chosen uniformly at random, globally or layer by layer.' })
export class RandomStrategy extends FractionStrategy<RandomPruningHparams> {
  protected override prunesGlobally(hparams: RandomPruningHparams): boolean {
    return hparams.pruning_scope !== 'layerwise';
  }
  prune(hparams: RandomPruningHparams, trainedModel: Model, currentMask: Mask, context?: PruningContext): Mask {
    currentMask.checkAgainst(trainedModel);
    const names = candidateLayers(trainedModel, hparams.ignoredLayers());
    const scores = randomScores(currentMask, names, hparams.pruning_seed ?? context?.replicate ?? 1, context?.level ?? 1);
    if (hparams.pruning_scope === 'layerwise') return pruneLowestPerLayer(currentMask, scores, hparams.pruning_fraction, 'random');
    return pruneLowest(currentMask, scores, levelPruneCount(hparams.pruning_fraction, currentMask), 'random');
  }

  /** Prunes `count` weights of `mask` at random over the tensors `names` (the `prune_at_init` branch). */
  pruneCount(hparams: RandomPruningHparams, mask: Mask, names: readonly string[], count: number, context: PruningContext): Mask {
    return pruneLowest(mask, randomScores(mask, names, hparams.pruning_seed ?? context.replicate, context.level), count, 'random');
  }
}

/**
 * What the strategies that prune at initialisation share: they score `context.initialModel()`
 * (the unpruned weights every level starts from) with the current mask applied, not the
 * trained weights, and prune `ceil(pruning_fraction × remaining)` weights globally, so
 * `lth lottery --levels=1 --pruning_fraction=0.8` is one-shot pruning at initialisation to
 * 20%, and more levels prune iteratively.
 */
abstract class AtInitStrategy<H extends FractionPruningHparams> extends FractionStrategy<H> {
  abstract readonly name: string;

  /** The mask with `count` more of the kept weights in `names` pruned, scored at initialisation. */
  abstract pruneCount(hparams: H, mask: Mask, names: readonly string[], count: number, context: PruningContext): Promise<Mask>;

  async prune(hparams: H, trainedModel: Model, currentMask: Mask, context?: PruningContext): Promise<Mask> {
    const ctx = needContext(this.name, context);
    currentMask.checkAgainst(trainedModel);
    const names = candidateLayers(trainedModel, hparams.ignoredLayers());
    const count = levelPruneCount(hparams.pruning_fraction, currentMask);
    const left = unprunedIn(currentMask, names);
    if (count > left) {
      throw new LthError(
        'PRUNE_TOO_MUCH',
        `${this.name} would prune ${count} weights (pruning_fraction=${hparams.pruning_fraction} of the ${currentMask.unpruned} remaining), but only ${left} prunable, unpruned weights are left outside pruning_layers_to_ignore. Lower --pruning_fraction, ignore fewer layers, or run fewer levels.`,
      );
    }
    return this.pruneCount(hparams, currentMask, names, count, ctx);
  }

  /** The network at initialisation with `mask` applied; the caller disposes it. */
  protected maskedInitialModel(mask: Mask, context: PruningContext): Model {
    const model = context.initialModel();
    try {
      maskWeights(model, mask);
    } catch (e) {
      model.dispose();
      throw e;
    }
    return model;
  }
}

/** Hparams of a strategy scored on a batch of training data: how many examples, and the seed that draws them. */
type BatchScoredHparams = FractionPruningHparams & { pruning_examples: number | null; pruning_seed: number | null };

/**
 * An at-initialisation strategy scored on a batch of training data (snip, grasp):
 * `--pruning_examples` is checked against the planned training split before level 0 trains, and
 * the batch is `--pruning_examples` (default `--batch_size`) examples drawn with `--pruning_seed`
 * (default the replicate).
 */
abstract class BatchScoredStrategy<H extends BatchScoredHparams> extends AtInitStrategy<H> {
  override validate(hparams: H, model: Model, plan?: PruningPlan): void {
    super.validate(hparams, model, plan);
    if (plan) checkExamples(hparams.pruning_examples, plan);
  }

  /** The training examples the scores are taken on. */
  protected scoringBatch(hparams: H, context: PruningContext): ReturnType<PruningContext['trainExamples']> {
    return context.trainExamples(hparams.pruning_examples ?? context.batchSize, hparams.pruning_seed ?? context.replicate);
  }
}

/** `snip` (Lee et al. 2019): prune the lowest `|g ⊙ w|` at initialisation (see `snipScores`). */
@strategy({ name: 'snip', hparams: SnipPruningHparams, description: 'SNIP: prune the weights of least connection sensitivity |g*w| on a batch, at initialisation.' })
export class SnipStrategy extends BatchScoredStrategy<SnipPruningHparams> {
  readonly name = 'snip';
  async pruneCount(hparams: SnipPruningHparams, mask: Mask, names: readonly string[], count: number, context: PruningContext): Promise<Mask> {
    const batch = await this.scoringBatch(hparams, context);
    const model = this.maskedInitialModel(mask, context);
    try {
      return pruneLowest(mask, await snipScores(model, names, batch), count, this.name);
    } finally {
      model.dispose();
    }
  }
}

/** `grasp` (Wang et al. 2020): prune the highest `-w ⊙ Hg` at initialisation (see `graspScores`). */
@strategy({ name: 'grasp', hparams: GraspPruningHparams, description: 'GraSP: prune the weights of highest -w*Hg (gradient signal preservation), at initialisation.' })
export class GraspStrategy extends BatchScoredStrategy<GraspPruningHparams> {
  readonly name = 'grasp';
  async pruneCount(hparams: GraspPruningHparams, mask: Mask, names: readonly string[], count: number, context: PruningContext): Promise<Mask> {
    const batch = await this.scoringBatch(hparams, context);
    const scores = await onSecondOrderBackend(async () => {
      const model = this.maskedInitialModel(mask, context);
      try {
        return await graspScores(model, model.prunableLayerNames, batch, hparams.pruning_temperature);
      } finally {
        model.dispose();
      }
    });
    const negated = new Map<string, Float32Array>();
    for (const n of names) negated.set(n, scores.get(n)!.map((v) => -v));
    return pruneLowest(mask, negated, count, this.name);
  }
}

/**
 * `synflow` (Tanaka et al. 2020): `pruning_iterations` rounds of scoring `|w ⊙ ∂R/∂w|` on the
 * absolute, masked initial network (see `synflowScores`) and pruning to the round's kept count,
 * which follows the paper's exponential schedule from the `n0` weights kept at the start to the
 * `n0 - count` wanted: round `j` (1-based) of `J` keeps `round(n0 · ((n0 - count) / n0)^(j/J))`.
 */
@strategy({ name: 'synflow', hparams: SynflowPruningHparams, description: 'SynFlow: iterative, data-free pruning by synaptic flow, at initialisation.' })
export class SynflowStrategy extends AtInitStrategy<SynflowPruningHparams> {
  readonly name = 'synflow';
  async pruneCount(hparams: SynflowPruningHparams, mask: Mask, names: readonly string[], count: number, context: PruningContext): Promise<Mask> {
    const model = context.initialModel();
    try {
      absoluteState(model);
      const n0 = unprunedIn(mask, names);
      const target = n0 - count;
      let current = mask;
      if (count === 0) return pruneLowest(mask, new Map(), 0, this.name);
      const rounds = hparams.pruning_iterations;
      for (let j = 1; j <= rounds; j++) {
        maskWeights(model, current);
        const scores = await synflowScores(model, names, context.inputShape);
        const keep = j === rounds ? target : Math.round(n0 * Math.pow(target / n0, j / rounds));
        current = pruneLowest(current, scores, Math.max(0, unprunedIn(current, names) - keep), this.name);
      }
      return current;
    } finally {
      model.dispose();
    }
  }
}
