import { group, Hparams, LthError, str, type FlagGroup, type Platform, type Registry } from '@lth/kernel';
import type { LotteryDesc } from '../desc';
import { locateTrunk } from '../desc-file';

/* eslint-disable @typescript-eslint/naming-convention -- field names are the CLI's flags */

/** `--trunk`: the trunk of `lth lottery_branch` named by its directory instead of its flags. Not hashed. */
@group({ name: 'Trunk', description: 'The lottery trunk the branch runs off, by directory (instead of repeating its flags).' })
export class TrunkArgs extends Hparams {
  @str({
    default: null,
    help: "The trunk's directory (<root>/lottery_<md5>, or a replicate or level in it); its hyperparameters come from its desc.json and its results root is the directory above it. Also accepted as a second positional argument.",
  })
  trunk!: string | null;
}

/** A trunk found from a directory: its desc, the results root above it, the replicate the path named. */
export interface TrunkByDir {
  readonly dir: string;
  readonly root: string;
  readonly replicate: number | null;
  readonly desc: LotteryDesc;
}

/** The trunk a directory names (see `locateTrunk`), its desc bound to `registry`. */
export function trunkByDir(p: string, registry: Registry): TrunkByDir {
  return locateTrunk(p, registry);
}

/**
 * The trunk's flag groups with the trunk's own values as their defaults, so that none is
 * required and any given must agree with the trunk (see `checkTrunkFlags`).
 */
export function withTrunkDefaults(groups: readonly FlagGroup[], desc: LotteryDesc): FlagGroup[] {
  const values: Record<string, Hparams> = { dataset: desc.dataset_hparams, model: desc.model_hparams, training: desc.training_hparams, pruning: desc.pruning_hparams };
  return groups.map((g) => (values[g.key] ? { ...g, defaults: values[g.key].values() } : g));
}

/** Throws `TRUNK_MISMATCH` when the trunk flags given with `--trunk` describe another experiment. */
export function checkTrunkFlags(groups: Readonly<Record<string, Hparams | undefined>>, trunk: TrunkByDir): void {
  const d = trunk.desc;
  const pairs: Array<[string, Hparams | undefined, Hparams]> = [
    ['dataset', groups.dataset, d.dataset_hparams],
    ['model', groups.model, d.model_hparams],
    ['training', groups.training, d.training_hparams],
    ['pruning', groups.pruning, d.pruning_hparams],
  ];
  for (const [name, given, have] of pairs) {
    if (!given || String(given) === String(have)) continue;
    const theirs = have.values();
    const diff = Object.entries(given.values())
      .filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(theirs[k]))
      .map(([k, v]) => `--${k}=${v} (the trunk has ${theirs[k] ?? 'None'})`);
    throw new LthError('TRUNK_MISMATCH', `The ${name} flags disagree with the trunk at ${trunk.dir}: ${diff.join(', ') || String(given)}. Drop them, or name the trunk by its flags alone.`);
  }
}

/** The platform with its results root replaced by the trunk's. */
export function platformAt(platform: Platform, root: string): Platform {
  return Object.create(platform, { root: { value: root, enumerable: true } }) as Platform;
}

/** The replicate to run: the one the path names, unless `--replicate` names another (`TRUNK_MISMATCH`). */
export function trunkReplicate(trunk: TrunkByDir, replicate: number): number {
  if (trunk.replicate === null) return replicate;
  if (replicate !== 1 && replicate !== trunk.replicate) {
    throw new LthError('TRUNK_MISMATCH', `--replicate=${replicate} disagrees with the trunk path, which names replicate_${trunk.replicate}. Drop one of them.`);
  }
  return trunk.replicate;
}
