import { fromTorchLayout, LthError, Mask, Rng, toTorchLayout, type MaskEntry } from '@lth/kernel';

/** How `randomly_prune` draws its random mask from the level's mask. */
export const RANDOM_PRUNING_STRATEGIES = ['layerwise', 'global', 'even', 'identity'] as const;
export type RandomPruningStrategy = (typeof RANDOM_PRUNING_STRATEGIES)[number];

/** A mask entry's values in PyTorch's layout, so that a seed gives the same mask file whatever lth's layout. */
function torchValues(e: MaskEntry): Float32Array {
  return toTorchLayout(e.data, e.shape, e.layout);
}

function withTorchValues(e: MaskEntry, values: Float32Array): MaskEntry {
  return { data: fromTorchLayout(values, e.shape, e.layout), shape: e.shape, layout: e.layout };
}

function sortedKeys(mask: Mask): string[] {
  return mask.keys().sort();
}

/** A mask of `entries` in the key order of `like` (the model's order, as the level's mask). */
function inOrderOf(like: Mask, entries: ReadonlyMap<string, MaskEntry>): Mask {
  const out = new Mask();
  for (const k of like.keys()) out.set(k, entries.get(k)!);
  return out;
}

/** `values` permuted by a seeded random permutation. */
function shuffled(values: Float32Array, rng: Rng): Float32Array {
  const perm = rng.permutation(values.length);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[perm[i]];
  return out;
}

/** Each tensor's entries shuffled on their own: every layer keeps its count of weights. */
export function layerwiseRandomMask(mask: Mask, seed: number): Mask {
  const out = new Map<string, MaskEntry>();
  for (const k of sortedKeys(mask)) {
    const e = mask.get(k)!;
    out.set(k, withTorchValues(e, shuffled(torchValues(e), new Rng('randomly_prune', 'layerwise', seed, k))));
  }
  return inOrderOf(mask, out);
}

/** All entries shuffled together (tensors in sorted-name order): the same total, spread at random over the layers. */
export function globalRandomMask(mask: Mask, seed: number): Mask {
  const keys = sortedKeys(mask);
  const parts = keys.map((k) => torchValues(mask.get(k)!));
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const mixed = shuffled(all, new Rng('randomly_prune', 'global', seed));
  const out = new Map<string, MaskEntry>();
  at = 0;
  keys.forEach((k, i) => {
    out.set(k, withTorchValues(mask.get(k)!, mixed.slice(at, at + parts[i].length)));
    at += parts[i].length;
  });
  return inOrderOf(mask, out);
}

/**
 * The same density in every layer: the mask's overall density, each layer keeping
 * `round(density × size)` weights chosen at random (OpenLTH's `even`, which crashed and used
 * sparsity for density, quirk 31, fixed).
 */
export function evenRandomMask(mask: Mask, seed: number): Mask {
  const density = mask.density;
  const out = new Map<string, MaskEntry>();
  for (const k of sortedKeys(mask)) {
    const e = mask.get(k)!;
    const n = e.data.length;
    const keep = Math.round(density * n);
    const perm = new Rng('randomly_prune', 'even', seed, k).permutation(n);
    const values = new Float32Array(n);
    for (let i = 0; i < keep; i++) values[perm[i]] = 1;
    out.set(k, withTorchValues(e, values));
  }
  return inOrderOf(mask, out);
}

/** The random mask of `strategy` drawn from `mask` with `seed`. */
export function randomMask(mask: Mask, strategy: RandomPruningStrategy, seed: number): Mask {
  switch (strategy) {
    case 'layerwise':
      return layerwiseRandomMask(mask, seed);
    case 'global':
      return globalRandomMask(mask, seed);
    case 'even':
      return evenRandomMask(mask, seed);
    case 'identity':
      return mask.copy();
  }
}

/** The tensor names of a comma-separated `--layers_to_ignore` (empty for ''). */
export function ignoredLayers(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Checks that every name in `--layers_to_ignore` is a prunable weight (a key of `mask`). */
export function checkIgnoredLayers(list: string, mask: Mask): void {
  const keys = mask.keys();
  for (const name of ignoredLayers(list)) {
    if (!keys.includes(name)) {
      throw new LthError('BAD_HPARAM', `--layers_to_ignore names '${name}', which is not a prunable weight. Prunable weights: ${keys.join(', ')}.`);
    }
  }
}

/** Sets the mask of every layer in `--layers_to_ignore` to all ones, in place. */
export function unpruneLayers(mask: Mask, list: string): Mask {
  checkIgnoredLayers(list, mask);
  for (const name of ignoredLayers(list)) {
    const e = mask.get(name)!;
    mask.set(name, { data: new Float32Array(e.data.length).fill(1), shape: e.shape, layout: e.layout });
  }
  return mask;
}
