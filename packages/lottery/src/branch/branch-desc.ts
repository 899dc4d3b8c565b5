import * as path from 'node:path';
import { Desc, Hparams, writeFileAtomic } from '@lth/kernel';
import type { LotteryDesc } from '../desc';

/** The file a branch writes beside `hparams.log`: the hash, the canonical strings and every value. */
export const BRANCH_DESC_FILE = 'desc.json';

function jsonValues(h: Hparams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(h.values())) out[k] = v instanceof Hparams ? jsonValues(v) : v;
  return out;
}

/**
 * What defines a branch run off a lottery trunk (OpenLTH's generated `BranchDesc`, spec §2.4):
 * the trunk's `LotteryDesc` and the branch's arguments.
 *
 * Only the arguments are hashed: `hashname` is `lottery_branch_<name>_<md5 of their canonical
 * string>`, byte-for-byte OpenLTH's, and the trunk's identity comes from the directory the
 * branch sits in (`<trunk>/replicate_<R>/level_<L>/<hashname>`, quirk 2, kept). Unlike OpenLTH,
 * a branch writes `hparams.log` (the trunk's groups, then the branch arguments) and
 * `desc.json` into its directory (quirk 10, fixed).
 */
export class BranchDesc extends Desc {
  constructor(
    readonly lottery_desc: LotteryDesc,
    readonly branch_hparams: Hparams,
    /** The registered branch name (`randomly_prune`). */
    readonly branchName: string,
  ) {
    super();
  }

  get namePrefix(): string {
    return `lottery_branch_${this.branchName}`;
  }

  /** Only the branch arguments: the trunk desc is a `Desc`, not hparams, so OpenLTH never hashed it. */
  groups(): Record<string, Hparams> {
    return { branch_hparams: this.branch_hparams };
  }

  /** The trunk's display (dataset, model, training, pruning, pretraining), then the branch arguments. */
  override display(): string {
    return `${this.lottery_desc.display()}\n${this.branch_hparams.display()}`;
  }

  /** `<root>/lottery_<md5>/replicate_<R>/level_<L>/lottery_branch_<name>_<md5>`. */
  runPath(root: string, replicate: number, level: number): string {
    return this.lottery_desc.runPath(root, replicate, level, this.hashname);
  }

  /**
   * Writes `hparams.log` (the trunk's groups in alphabetical field order as the trunk's own
   * `hparams.log`, then `Branch Arguments`) and `desc.json` (branch name, hash, canonical
   * string and values of the arguments, and the trunk's hash and canonical string), atomically.
   */
  override save(dir: string, extra: Record<string, unknown> = {}): void {
    const trunk = this.lottery_desc.groups();
    const keys = Object.keys(trunk).sort().filter((k) => trunk[k] instanceof Hparams);
    const blocks = [...keys.map((k) => (trunk[k] as Hparams).display()), this.branch_hparams.display()];
    writeFileAtomic(path.join(dir, 'hparams.log'), blocks.join('\n'));
    const record = {
      branch: this.branchName,
      hashname: this.hashname,
      canonical: this.canonicalString(),
      hparams: { branch_hparams: jsonValues(this.branch_hparams) },
      trunk: { hashname: this.lottery_desc.hashname, canonical: this.lottery_desc.canonicalString() },
      ...extra,
    };
    writeFileAtomic(path.join(dir, BRANCH_DESC_FILE), JSON.stringify(record, null, 2) + '\n');
  }
}
