import { LthError } from '@lth/kernel';

const PART = /^(\d+)(?:-(\d+))?$/;

/**
 * Reads OpenLTH's `--levels` for branches: a comma-separated list of levels `N` and inclusive
 * ranges `A-B` (`0-2,5,7-9`), deduplicated and sorted. Anything else, an empty list, or a
 * range that runs backwards (`5-2`) is a `BAD_LEVELS` error.
 */
export function parseLevelList(text: string): number[] {
  const out = new Set<number>();
  const parts = text.split(',').map((p) => p.trim());
  for (const part of parts) {
    const m = PART.exec(part);
    if (!m) throw new LthError('BAD_LEVELS', `--levels=${text}: '${part}' is not a level or a range of levels. Write levels and ranges separated by commas, e.g. 0-2,5,7-9.`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new LthError('BAD_LEVELS', `--levels=${text}: the range ${part} runs backwards; write ${b}-${a}.`);
    for (let l = a; l <= b; l++) out.add(l);
  }
  return [...out].sort((x, y) => x - y);
}

/** The `--levels` validator: undefined when `text` parses, else what is wrong. */
export function levelListComplaint(text: string): string | undefined {
  try {
    parseLevelList(text);
    return undefined;
  } catch (e) {
    return (e as Error).message.replace(/^--levels=[^:]*: /, '').replace(/\.$/, '');
  }
}

/** Levels written back compactly: `[0,1,2,5,7,8,9]` is `0-2, 5, 7-9`. */
export function formatLevelList(levels: readonly number[]): string {
  const sorted = [...new Set(levels)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}
