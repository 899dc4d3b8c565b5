import { LthError, Mask, type MaskEntry, type Model } from '@lth/kernel';

/**
 * Scores of weights, one array per scored tensor (in lth's layout of the weight, like
 * `MaskEntry.data`). Lower scores are pruned first; a strategy that prunes the highest scores
 * (GraSP) negates them.
 */
export type Scores = ReadonlyMap<string, Float32Array>;

/** The number of weights `mask` keeps in the tensors `names`. */
export function unprunedIn(mask: Mask, names: Iterable<string>): number {
  let n = 0;
  for (const name of names) {
    const d = mask.get(name)!.data;
    for (let i = 0; i < d.length; i++) n += d[i];
  }
  return n;
}

/**
 * The prunable weights of `model` that a strategy may prune: all but `ignored`, after checking
 * that every ignored name is a prunable weight (`UNKNOWN_LAYER` otherwise).
 */
export function candidateLayers(model: Model, ignored: readonly string[], flag = '--pruning_layers_to_ignore'): string[] {
  const prunable = new Set(model.prunableLayerNames);
  for (const n of ignored) {
    if (!prunable.has(n)) {
      throw new LthError('UNKNOWN_LAYER', `${flag} names '${n}', which is not a prunable weight of ${model.name}. Prunable weights: ${model.prunableLayerNames.join(', ')}.`);
    }
  }
  const skip = new Set(ignored);
  return model.prunableLayerNames.filter((n) => !skip.has(n));
}

function checkFinite(name: string, scores: Float32Array, strategy: string): void {
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) {
      throw new LthError(
        'BAD_SCORES',
        `${strategy} gave a weight of ${name} the score ${scores[i]}, which cannot be ranked: the scores overflowed float32 or the network's output is not finite. Ignore the layers that overflow (--pruning_layers_to_ignore) or check the network's initialisation.`,
      );
    }
  }
}

/**
 * The mask with the `count` lowest-scoring weights pruned among those `current` keeps in the
 * tensors of `scores`, over all those tensors together. Ties at the threshold are pruned in
 * tensor order (the mask's order), then index order, so exactly `count` weights go. Tensors
 * without scores keep their mask. `PRUNE_TOO_MUCH` when fewer than `count` weights are left.
 */
export function pruneLowest(current: Mask, scores: Scores, count: number, strategy: string): Mask {
  const names = current.keys().filter((k) => scores.has(k));
  const candidates = unprunedIn(current, names);
  if (!Number.isInteger(count) || count < 0) throw new Error(`pruneLowest: count must be a non-negative integer, got ${count}`);
  if (count > candidates) {
    throw new LthError(
      'PRUNE_TOO_MUCH',
      `${strategy} would prune ${count} weights, but only ${candidates} prunable, unpruned weights are left outside the ignored layers. Lower --pruning_fraction, ignore fewer layers, or run fewer levels.`,
    );
  }
  const values = new Float32Array(candidates);
  let at = 0;
  for (const name of names) {
    const s = scores.get(name)!;
    const m = current.get(name)!.data;
    if (s.length !== m.length) throw new Error(`${strategy}: ${s.length} scores for the ${m.length} weights of ${name}`);
    checkFinite(name, s, strategy);
    for (let i = 0; i < s.length; i++) if (m[i] === 1) values[at++] = s[i];
  }
  const next = current.copy();
  if (count === 0) return next;
  values.sort();
  const threshold = values[count - 1];
  let below = 0;
  while (below < count && values[below] < threshold) below++;
  let tiesToPrune = count - below;
  for (const name of names) {
    const s = scores.get(name)!;
    const e = next.get(name)!;
    const d = e.data;
    for (let i = 0; i < d.length; i++) {
      if (d[i] !== 1) continue;
      if (s[i] < threshold) d[i] = 0;
      else if (s[i] === threshold && tiesToPrune > 0) {
        d[i] = 0;
        tiesToPrune--;
      }
    }
    next.set(name, e);
  }
  return next;
}

/**
 * The mask with, in every tensor of `scores`, `ceil(fraction × kept)` of its kept weights
 * pruned (the lowest-scoring, ties in index order). Other tensors keep their mask.
 */
export function pruneLowestPerLayer(current: Mask, scores: Scores, fraction: number, strategy: string): Mask {
  let next = current.copy();
  for (const name of current.keys()) {
    const s = scores.get(name);
    if (!s) continue;
    const e: MaskEntry = current.get(name)!;
    const only = new Mask().set(name, e);
    const count = Math.ceil(fraction * unprunedIn(only, [name]));
    const pruned = pruneLowest(only, new Map([[name, s]]), count, strategy).get(name)!;
    next = next.set(name, pruned);
  }
  return next;
}

/**
 * Checks, before anything trains, that levels 1 to `levels` can each prune
 * `ceil(fraction × remaining)` weights over all the tensors `names` together, starting from
 * `model`'s full mask, when the other prunable tensors (the ignored ones) are never pruned:
 * `PRUNE_TOO_MUCH` naming the first level that cannot.
 */
export function checkLevelsFit(model: Model, names: readonly string[], fraction: number, levels: number, strategy: string): void {
  const all = Mask.onesLike(model);
  let remaining = all.unpruned;
  const ignored = remaining - unprunedIn(all, names);
  for (let level = 1; level <= levels; level++) {
    const count = Math.ceil(fraction * remaining);
    if (count > remaining - ignored) {
      throw new LthError(
        'PRUNE_TOO_MUCH',
        `${strategy} would prune ${count} weights at level ${level} (pruning_fraction=${fraction} of the ${remaining} remaining), but only ${remaining - ignored} prunable, unpruned weights would be left outside pruning_layers_to_ignore. Lower --pruning_fraction${level > 1 ? ', ignore fewer layers, or run at most ' + (level - 1) + ' levels' : ' or ignore fewer layers'}.`,
      );
    }
    remaining -= count;
  }
}

/**
 * How many weights a level prunes, as `sparse_global` counts them (without its `+1`):
 * `ceil(fraction × remaining)`, `remaining` counting every masked tensor, ignored ones included.
 */
export function levelPruneCount(fraction: number, current: Mask): number {
  return Math.ceil(fraction * current.unpruned);
}
