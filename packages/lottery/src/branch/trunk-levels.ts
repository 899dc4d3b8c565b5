import * as fs from 'node:fs';
import * as path from 'node:path';
import { LthError, MASK_FILE } from '@lth/kernel';
import type { LotteryDesc } from '../desc';
import { formatLevelList } from './level-list';

/** `<root>/lottery_<md5>/replicate_<R>`: a trunk replicate's directory. */
export function trunkReplicateDir(desc: LotteryDesc, root: string, replicate: number): string {
  return path.dirname(path.dirname(desc.runPath(root, replicate, 0)));
}

/** The levels of a trunk replicate that have a mask (`level_<L>/main/mask.safetensors`), sorted. */
export function trunkLevels(desc: LotteryDesc, root: string, replicate: number): number[] {
  const dir = trunkReplicateDir(desc, root, replicate);
  if (!fs.existsSync(dir)) return [];
  const levels: number[] = [];
  for (const e of fs.readdirSync(dir)) {
    const m = /^level_(\d+)$/.exec(e);
    if (m && fs.existsSync(path.join(dir, e, 'main', MASK_FILE))) levels.push(Number(m[1]));
  }
  return levels.sort((a, b) => a - b);
}

/**
 * Checks that the trunk exists and has reached every requested level (its mask is there);
 * otherwise one `NO_TRUNK` or `LEVEL_NOT_REACHED` error saying which levels exist.
 */
export function checkTrunkLevels(desc: LotteryDesc, root: string, replicate: number, wanted: readonly number[]): void {
  const dir = trunkReplicateDir(desc, root, replicate);
  const have = trunkLevels(desc, root, replicate);
  if (!have.length) {
    throw new LthError('NO_TRUNK', `There is no lottery experiment at ${dir}: run lth lottery with the same flags (and --levels=${Math.max(...wanted)}) first; branches run off its levels.`);
  }
  const missing = wanted.filter((l) => !have.includes(l));
  if (missing.length) {
    const which = missing.length === 1 ? `level ${missing[0]}` : `levels ${formatLevelList(missing)}`;
    throw new LthError(
      'LEVEL_NOT_REACHED',
      `The trunk has not reached ${which}: it has level${have.length === 1 ? '' : 's'} ${formatLevelList(have)} (${dir}). Choose --levels among those, or run lth lottery with --levels=${Math.max(...missing)} first.`,
    );
  }
}
