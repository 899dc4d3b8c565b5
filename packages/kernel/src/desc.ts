import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { Hparams } from './hparams';
import { writeFileAtomic } from './fsutil';
import type { Registry } from './registry/registry';

/**
 * A descriptor: the hyperparameter groups that define an experiment (OpenLTH's `Desc`).
 *
 * `hashname` is `<prefix>_<md5>` of the canonical strings of the groups, in alphabetical order
 * of their field names, joined by `;`; exactly OpenLTH's naming, so that the same
 * hyperparameters give the same directory.
 */
export abstract class Desc {
  private boundRegistry: Registry | null = null;

  /**
   * Binds the session's registry, where a desc looks up what its hyperparameters name (the
   * dataset's sizes behind `iterationsPerEpoch` and the steps). Not hashed, not saved.
   * Returns the desc.
   */
  bind(registry: Registry): this {
    this.boundRegistry = registry;
    return this;
  }

  /** The bound registry (see `bind`); an error for a desc nobody bound. */
  get registry(): Registry {
    if (!this.boundRegistry) throw new Error(`This ${this.namePrefix} desc has no registry: bind the session's registry (desc.bind(session.registry)) before asking for dataset sizes or steps.`);
    return this.boundRegistry;
  }

  /** `train`, `lottery`, `lottery_branch_<name>`. */
  abstract get namePrefix(): string;

  /** The groups, keyed by OpenLTH's field name (`dataset_hparams`); null entries are skipped. */
  abstract groups(): Record<string, Hparams | null | undefined>;

  /** The order groups are shown on the console (OpenLTH's `display`), by field name. */
  displayOrder(): string[] {
    return Object.keys(this.groups());
  }

  /** The canonical strings joined by `;` — what is hashed. */
  canonicalString(): string {
    const g = this.groups();
    return Object.keys(g)
      .sort()
      .filter((k) => g[k] instanceof Hparams)
      .map((k) => String(g[k]))
      .join(';');
  }

  get hashname(): string {
    return `${this.namePrefix}_${createHash('md5').update(this.canonicalString(), 'utf8').digest('hex')}`;
  }

  /** The console display: each group's block in `displayOrder()`. */
  display(): string {
    const g = this.groups();
    return this.displayOrder()
      .filter((k) => g[k] instanceof Hparams)
      .map((k) => (g[k] as Hparams).display())
      .join('\n');
  }

  /**
   * Writes `hparams.log` (the groups' display in alphabetical field order, as OpenLTH) and
   * `desc.json` (the canonical string, the hash and every value), atomically. `extra` adds
   * keys to `desc.json` that are not hashed (`backend`: the tensor backend of the run).
   */
  save(dir: string, extra: Record<string, unknown> = {}): void {
    const g = this.groups();
    const keys = Object.keys(g).sort().filter((k) => g[k] instanceof Hparams);
    writeFileAtomic(path.join(dir, 'hparams.log'), keys.map((k) => (g[k] as Hparams).display()).join('\n'));
    const values: Record<string, unknown> = {};
    for (const k of keys) values[k] = jsonValues(g[k] as Hparams);
    writeFileAtomic(
      path.join(dir, 'desc.json'),
      JSON.stringify({ hashname: this.hashname, canonical: this.canonicalString(), hparams: values, ...extra }, null, 2) + '\n',
    );
  }
}

function jsonValues(h: Hparams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(h.values())) out[k] = v instanceof Hparams ? jsonValues(v) : v;
  return out;
}
