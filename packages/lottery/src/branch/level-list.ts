import { LthError } from '@lth/kernel';

const PART = /^(\d+)(?:-(\d+))?$/;

/**
 * The highest level lth accepts (`--levels` of `lth lottery` and of branches). A level prunes
 * a further fraction of the weights; a thousand levels at OpenLTH's 20% leave 1e-97 of them.
 * Ranges are checked against it before they are expanded.
 */
export const MAX_LEVEL = 1000;

function level(text: string, digits: string): number {
  const n = Number(digits);
  if (!Number.isSafeInteger(n) || n > MAX_LEVEL) throw new LthError('BAD_LEVELS', `--levels=${text}: level ${digits} is beyond the highest level lth runs, ${MAX_LEVEL}.`);
  return n;
}

/**
 * Reads OpenLTH's `--levels` for branches: a comma-separated list of levels `N` and inclusive
 * ranges `A-B` (`0-2,5,7-9`), deduplicated and sorted. Anything else, an empty list, or a
 * range that runs backwards (`5-2`) is a `BAD_LEVELS` error.
 */
export function parseLevelList(text: string): number[] {
  const out = new Set<number>();
  if (text.length > 10_000) throw new LthError('BAD_LEVELS', `--levels is ${text.length} characters long: write ranges (0-${MAX_LEVEL}) rather than every level.`);
  const parts = text.split(',').map((p) => p.trim());
  for (const part of parts) {
    const m = PART.exec(part);
    if (!m) throw new LthError('BAD_LEVELS', `--levels=${text}: '${part}' is not a level or a range of levels. Write levels and ranges separated by commas, e.g. 0-2,5,7-9.`);
    const a = level(text, m[1]);
    const b = m[2] === undefined ? a : level(text, m[2]);
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
