import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatasetHparams, Hparams, LthError, ModelHparams, TrainingHparams, type HparamsClass, type Registry } from '@lth/kernel';
import { LotteryDesc } from './desc';

/** What `desc.json` holds (see `Desc.save`): the hash, the canonical string and every value by group. */
export interface DescRecord {
  readonly hashname: string;
  readonly canonical: string;
  readonly hparams: Readonly<Record<string, Record<string, unknown>>>;
}

/**
 * Reads and checks `<dir>/desc.json`: a missing or unreadable file is `MISSING_FILE`, one that
 * is not a desc record `CORRUPT_DESC`, both naming the file.
 */
export function readDescRecord(dir: string): DescRecord {
  const file = path.join(dir, 'desc.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new LthError('MISSING_FILE', `Cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): is this an lth experiment directory?`);
  }
  let record: DescRecord;
  try {
    record = JSON.parse(text) as DescRecord;
  } catch (e) {
    throw new LthError('CORRUPT_DESC', `${file} is not JSON (${(e as Error).message}). Rerun the experiment's command to rewrite it.`);
  }
  const ok = record && typeof record === 'object' && typeof record.hashname === 'string' && typeof record.canonical === 'string' && record.hparams && typeof record.hparams === 'object';
  if (!ok) throw new LthError('CORRUPT_DESC', `${file} is not an lth desc.json (no hashname, canonical and hparams). Rerun the experiment's command to rewrite it.`);
  return record;
}

/**
 * The `LotteryDesc` a lottery's `desc.json` describes: every group rebuilt from its values (the
 * pruning group with its strategy's class, from `registry`), bound to `registry`, checked against the recorded hash. A record that is
 * not a lottery's, or whose values no longer give its hash, is `CORRUPT_DESC`.
 */
export function lotteryDescFromRecord(record: DescRecord, registry: Registry, file = 'desc.json'): LotteryDesc {
  if (!/^lottery_[0-9a-f]{32}$/.test(record.hashname)) {
    throw new LthError('CORRUPT_DESC', `${file} describes ${record.hashname}, not a lottery trunk (lottery_<md5>).`);
  }
  const h = record.hparams;
  const build = (cls: HparamsClass, key: string): Hparams => {
    const values = h[key];
    if (!values || typeof values !== 'object') throw new LthError('CORRUPT_DESC', `${file} has no ${key}.`);
    try {
      return Hparams.create.call(cls, values) as Hparams;
    } catch (e) {
      throw new LthError('CORRUPT_DESC', `${file}: ${key} is invalid (${(e as Error).message}).`);
    }
  };
  const strategy = String(h.pruning_hparams?.pruning_strategy ?? '');
  const pruningClass = registry.strategy(strategy).meta.hparams as HparamsClass;
  const pretrain = h.pretrain_training_hparams != null;
  const renamed = <T extends Hparams>(x: T): T => {
    x._name = `Pretraining ${x.displayName}`;
    return x;
  };
  const desc = new LotteryDesc(
    build(ModelHparams, 'model_hparams') as ModelHparams,
    build(DatasetHparams, 'dataset_hparams') as DatasetHparams,
    build(TrainingHparams, 'training_hparams') as TrainingHparams,
    build(pruningClass, 'pruning_hparams') as never,
    pretrain ? renamed(build(DatasetHparams, 'pretrain_dataset_hparams') as DatasetHparams) : null,
    pretrain ? renamed(build(TrainingHparams, 'pretrain_training_hparams') as TrainingHparams) : null,
  ).bind(registry);
  if (desc.hashname !== record.hashname) {
    throw new LthError('CORRUPT_DESC', `${file}: its values give ${desc.hashname}, not the recorded ${record.hashname}. Rerun the experiment's command to rewrite it.`);
  }
  return desc;
}

/**
 * Finds a lottery trunk from a path inside it (`lottery_<md5>`, `replicate_<R>`, `level_<L>`,
 * `level_<L>/main`, or a branch directory) and returns its directory, the results root above
 * it, the replicate the path names (if any) and its `LotteryDesc` (read from the first
 * replicate's `level_0/main/desc.json`). A path that is not inside a lottery is `NOT_A_TRUNK`.
 */
export function locateTrunk(p: string, registry: Registry): { dir: string; root: string; replicate: number | null; desc: LotteryDesc } {
  const abs = path.resolve(p);
  const parts = abs.split(path.sep);
  const i = parts.findIndex((s) => /^lottery_[0-9a-f]{32}$/.test(s));
  if (i < 0 || !fs.existsSync(abs)) {
    throw new LthError('NOT_A_TRUNK', `${p} is not a lottery experiment directory (<root>/lottery_<md5>, or a replicate or level inside it)${fs.existsSync(abs) ? '' : ': it does not exist'}.`);
  }
  const dir = parts.slice(0, i + 1).join(path.sep) || path.sep;
  const rep = /^replicate_(\d+)$/.exec(parts[i + 1] ?? '');
  const replicates = fs
    .readdirSync(dir)
    .map((e) => /^replicate_(\d+)$/.exec(e))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const candidates = rep ? [Number(rep[1]), ...replicates] : replicates;
  const descDir = candidates.map((r) => path.join(dir, `replicate_${r}`, 'level_0', 'main')).find((d) => fs.existsSync(path.join(d, 'desc.json')));
  if (!descDir) throw new LthError('NOT_A_TRUNK', `${dir} has no replicate_<R>/level_0/main/desc.json: the lottery was never started, or was written by another program.`);
  const desc = lotteryDescFromRecord(readDescRecord(descDir), registry, path.join(descDir, 'desc.json'));
  if (desc.hashname !== parts[i]) throw new LthError('CORRUPT_DESC', `${path.join(descDir, 'desc.json')} describes ${desc.hashname}, but it lies in ${parts[i]}.`);
  return { dir, root: path.dirname(dir), replicate: rep ? Number(rep[1]) : null, desc };
}
