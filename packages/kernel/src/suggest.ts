import { distance } from 'fastest-levenshtein';

/**
 * The candidate closest to `name` by edit distance, when it is close enough to be a likely
 * typo (at most a third of the name's length, and at least 2 edits allowed); ties go to the
 * earlier candidate. A candidate that contains `name` or is contained in it also counts.
 */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(name, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(2, Math.floor(name.length / 3));
  if (bestDistance <= limit) return best;
  const containing = candidates.filter((c) => name.length >= 3 && (c.includes(name) || name.includes(c)));
  return containing.length === 1 ? containing[0] : undefined;
}
