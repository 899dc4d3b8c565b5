import { DatasetHparams, fieldsOfClass, group, Hparams, ModelHparams, str, TrainingHparams, type HparamsClass, type Registry } from '@lth/kernel';
import type { LsRow } from './rows';

const filtersClasses = new WeakMap<Registry, HparamsClass>();

/**
 * The filter flags of `lth ls`: one optional string flag per hyperparameter of the dataset,
 * model and training groups and of every pruning strategy in `registry` (`--dataset_name=...`,
 * `--lr=0.1`), built once per registry, after its plugins are loaded.
 */
export function filterHparams(registry: Registry): HparamsClass {
  const known = filtersClasses.get(registry);
  if (known) return known;
  class LsFilters extends Hparams {}
  group({ name: 'Filters', description: "Only experiments whose hyperparameter has this value (branches: their trunk's)." })(LsFilters);
  const names = new Set<string>();
  const classes: HparamsClass[] = [DatasetHparams, ModelHparams, TrainingHparams];
  for (const s of registry.list('strategy')) {
    const h = (s.meta as { hparams?: HparamsClass } | undefined)?.hparams;
    if (h) classes.push(h);
  }
  for (const cls of classes) for (const f of fieldsOfClass(cls)) if (f.kind !== 'nested') names.add(f.name);
  for (const name of names) str({ default: null, help: `Only experiments with ${name} equal to this value.` })(LsFilters.prototype, name);
  filtersClasses.set(registry, LsFilters);
  return LsFilters;
}

function matches(actual: unknown, wanted: string): boolean {
  if (actual === undefined) return false;
  if (actual === null) return wanted === 'None' || wanted === 'null';
  if (typeof actual === 'boolean') return String(actual) === wanted.toLowerCase() || (actual ? wanted === 'True' : wanted === 'False');
  if (typeof actual === 'number') return Number(wanted) === actual;
  return String(actual) === wanted;
}

/** Whether a row has every filtered value (`filters`: the flags given, by name). */
export function rowMatches(row: LsRow, filters: Readonly<Record<string, string>>): boolean {
  return Object.entries(filters).every(([k, v]) => matches(row.values[k], v));
}
