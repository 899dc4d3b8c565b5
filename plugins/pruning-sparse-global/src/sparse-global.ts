import { LthError, Mask, strategy, type Model, type PruningStrategy } from '@lth/kernel';
import { SparseGlobalPruningHparams } from './hparams';

/**
 * Global magnitude pruning, exactly OpenLTH's `sparse_global` (spec §8.3):
 *
 * 1. `remaining` is the number of weights the current mask keeps, counting every masked
 *    tensor, including those in `pruning_layers_to_ignore` (quirk 28, kept).
 * 2. `k = ceil(pruning_fraction * remaining)`.
 * 3. Over the unpruned weights of the tensors not ignored, the threshold is the (k+1)-th
 *    smallest magnitude (`sort(|w|)[k]`).
 * 4. A weight survives only if `|w| > threshold`: with distinct magnitudes exactly k+1 weights
 *    are pruned, and every weight tied at the threshold is pruned. Ignored tensors keep their
 *    current mask.
 *
 * Where OpenLTH failed obscurely, this raises a clear `LthError`: an ignored name that is not
 * a prunable weight of the model, and a `k` that leaves nothing to keep (OpenLTH's IndexError).
 */
@strategy({
  name: 'sparse_global',
  hparams: SparseGlobalPruningHparams,
  description: 'Prune the smallest-magnitude fraction of the remaining weights, globally across layers.',
})
export class SparseGlobalStrategy implements PruningStrategy<SparseGlobalPruningHparams> {
  /** Checks that every name in `pruning_layers_to_ignore` is a prunable weight of `model`. */
  validate(hparams: SparseGlobalPruningHparams, model: Model): void {
    checkIgnoredLayers(hparams.ignoredLayers(), model);
  }

  prune(hparams: SparseGlobalPruningHparams, trainedModel: Model, currentMask: Mask | null): Mask {
    const current = currentMask ?? Mask.onesLike(trainedModel);
    current.checkAgainst(trainedModel);
    const ignored = checkIgnoredLayers(hparams.ignoredLayers(), trainedModel);
    const prunable = trainedModel.prunableLayerNames.filter((n) => !ignored.has(n));

    const remaining = current.unpruned;
    const k = Math.ceil(hparams.pruning_fraction * remaining);

    const weights = new Map<string, Float32Array>();
    let candidates = 0;
    for (const name of prunable) {
      const w = weightValues(trainedModel, name);
      weights.set(name, w);
      const m = current.get(name)!.data;
      for (let i = 0; i < m.length; i++) candidates += m[i];
    }
    if (k >= candidates) {
      throw new LthError(
        'PRUNE_TOO_MUCH',
        `sparse_global would prune ${k + 1} weights (pruning_fraction=${hparams.pruning_fraction} of the ${remaining} remaining, plus one), but only ${candidates} prunable, unpruned weights are left outside pruning_layers_to_ignore. Lower --pruning_fraction, ignore fewer layers, or run fewer levels.`,
      );
    }

    const magnitudes = new Float32Array(candidates);
    let at = 0;
    for (const name of prunable) {
      const w = weights.get(name)!;
      const m = current.get(name)!.data;
      for (let i = 0; i < w.length; i++) if (m[i] === 1) magnitudes[at++] = Math.abs(w[i]);
    }
    const threshold = kthSmallest(magnitudes, k);

    const next = new Mask();
    for (const name of trainedModel.prunableLayerNames) {
      const cur = current.get(name)!;
      if (ignored.has(name)) {
        next.set(name, { data: cur.data.slice(), shape: cur.shape, layout: cur.layout });
        continue;
      }
      const w = weights.get(name)!;
      const data = new Float32Array(w.length);
      for (let i = 0; i < w.length; i++) data[i] = Math.abs(w[i]) > threshold ? cur.data[i] : 0;
      next.set(name, { data, shape: cur.shape, layout: cur.layout });
    }
    return next;
  }
}

/** The ignored names as a set, after checking each is a prunable weight of `model`. */
function checkIgnoredLayers(names: readonly string[], model: Model): Set<string> {
  const prunable = new Set(model.prunableLayerNames);
  for (const n of names) {
    if (!prunable.has(n)) {
      throw new LthError(
        'UNKNOWN_LAYER',
        `--pruning_layers_to_ignore names '${n}', which is not a prunable weight of ${model.name}. Prunable weights: ${model.prunableLayerNames.join(', ')}.`,
      );
    }
  }
  return new Set(names);
}

function weightValues(model: Model, name: string): Float32Array {
  const entry = model.state.find((s) => s.name === name);
  if (!entry) throw new Error(`${model.name} lists ${name} as prunable but has no such tensor`);
  return entry.variable.dataSync() as Float32Array;
}

/** The value at index `k` of `values` sorted ascending (`values` is reordered). */
function kthSmallest(values: Float32Array, k: number): number {
  values.sort();
  return values[k];
}
