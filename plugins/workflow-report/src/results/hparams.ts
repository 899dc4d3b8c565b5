import { DatasetHparams, fieldsOfClass, Hparams, ModelHparams, TrainingHparams, type HparamsClass, type Registry } from '@lth/kernel';
import { defaultHparamsFor, type DescRecord } from '@lth/lottery';

const GROUPS: Record<string, { cls: () => HparamsClass | null; defaults: 'dataset' | 'model' | 'training' | 'pruning'; prefix: string }> = {
  dataset_hparams: { cls: () => DatasetHparams, defaults: 'dataset', prefix: '' },
  model_hparams: { cls: () => ModelHparams, defaults: 'model', prefix: '' },
  training_hparams: { cls: () => TrainingHparams, defaults: 'training', prefix: '' },
  pruning_hparams: { cls: () => null, defaults: 'pruning', prefix: '' },
  pretrain_dataset_hparams: { cls: () => DatasetHparams, defaults: 'dataset', prefix: 'pretrain_' },
  pretrain_training_hparams: { cls: () => TrainingHparams, defaults: 'training', prefix: 'pretrain_' },
};

function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b));
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** The values of `cls` built from `values`, or null when they do not build. */
function built(cls: HparamsClass, values: Record<string, unknown>): Record<string, unknown> | null {
  try {
    return Hparams.create.call(cls, values).values();
  } catch {
    return null;
  }
}

/**
 * Every hyperparameter of a `desc.json` as `[flag name, value]`, by group (pretraining groups
 * with `pretrain_`), in the record's order.
 */
export function allHparams(record: DescRecord): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const [key, values] of Object.entries(record.hparams ?? {})) {
    if (!values || typeof values !== 'object') continue;
    const prefix = GROUPS[key]?.prefix ?? '';
    for (const [k, v] of Object.entries(values)) out.push([prefix + k, v]);
  }
  return out;
}

/**
 * The hyperparameters of a `desc.json` that differ from the defaults of its model family
 * (`--default_hparams=<model_name>`) and, where the family sets none, from the field's own
 * default: what a user typed besides `--default_hparams`. The model name comes first. A group
 * that cannot be interpreted (an unknown strategy, a field lth no longer has) shows every value
 * it has. Model families and strategies are looked up in `registry`.
 */
export function nonDefaultHparams(record: DescRecord, registry: Registry): Array<[string, unknown]> {
  const h = record.hparams ?? {};
  const modelName = typeof h.model_hparams?.model_name === 'string' ? h.model_hparams.model_name : null;
  let family: Record<string, Record<string, unknown> | undefined> | null = null;
  try {
    family = defaultHparamsFor(registry, modelName) as unknown as Record<string, Record<string, unknown> | undefined>;
  } catch {
    family = null;
  }
  const out: Array<[string, unknown]> = modelName ? [['model_name', modelName]] : [];
  for (const [key, values] of Object.entries(h)) {
    if (!values || typeof values !== 'object') continue;
    const g = GROUPS[key];
    let cls: HparamsClass | null = null;
    try {
      cls = g?.cls() ?? (key === 'pruning_hparams' ? (registry.strategy(String(values.pruning_strategy)).meta.hparams as HparamsClass) : null);
    } catch {
      cls = null;
    }
    const prefix = g?.prefix ?? '';
    const familyDefaults = g ? family?.[g.defaults] : undefined;
    const fromFamily = cls && familyDefaults ? built(cls, familyDefaults) : null;
    const fieldDefaults: Record<string, unknown> = {};
    if (cls) for (const f of fieldsOfClass(cls)) if (typeof f.default !== 'symbol') fieldDefaults[f.name] = f.default;
    for (const [k, v] of Object.entries(values)) {
      if (key === 'model_hparams' && k === 'model_name') continue;
      const dflt = fromFamily && k in fromFamily ? fromFamily[k] : k in fieldDefaults ? fieldDefaults[k] : undefined;
      if (dflt === undefined || !same(v, dflt)) out.push([prefix + k, v]);
    }
  }
  return out;
}

/** `name=value` pairs joined by spaces (strings unquoted). */
export function formatHparams(pairs: ReadonlyArray<[string, unknown]>): string {
  return pairs.map(([k, v]) => (k === 'model_name' ? String(v) : `${k}=${v === null ? 'None' : String(v)}`)).join(' ');
}
