import { fieldsOfClass, groupOfClass, Hparams, LthError, REQUIRED, type FieldKind, type FieldSpec, type FlagGroup, type HparamsClass } from '@lth/kernel';

/**
 * One command-line flag, derived from one field of a flag group: `--<prefix_>field`, or for a
 * field of a nested group `--<prefix_><field>_<subfield>`.
 */
export interface FlagSpec {
  /** The flag without dashes: `batch_size`, `pretrain_lr`, `retrain_d_batch_size`. */
  readonly name: string;
  readonly kind: Exclude<FieldKind, 'nested'>;
  readonly field: FieldSpec;
  /** The value used when the flag is absent: the group's default (`--default_hparams`), else the field's; undefined when there is none. */
  readonly default: unknown;
  /** True when the flag must be given: the field has no default and the group supplies none. */
  readonly required: boolean;
  /**
   * For a flag of a nested group that may be left out as a whole (a nested field defaulting to
   * null): that group's flag prefix. Such a flag is required only once a flag of the group is given.
   */
  readonly optionalGroup?: string;
  /** The flag group it comes from. */
  readonly group: FlagGroup;
}

/** The section title of a flag group in `--help`: its own title, else its hparams class's group name. */
export function groupTitle(g: FlagGroup): string {
  return g.title ?? groupOfClass(g.hparams).name;
}

/** The section description of a flag group in `--help`. */
export function groupDescription(g: FlagGroup): string {
  return g.description ?? groupOfClass(g.hparams).description;
}

/** A nested default as a plain record (it may be given as an Hparams instance or as values). */
function recordOf(v: unknown): Record<string, unknown> | undefined {
  if (v instanceof Hparams) return v.values();
  if (v && typeof v === 'object') return v as Record<string, unknown>;
  return undefined;
}

/** Joins a flag prefix and a field name: `pretrain` + `lr` is `pretrain_lr`. */
export function flagName(prefix: string | undefined, field: string): string {
  return prefix ? `${prefix}_${field}` : field;
}

function specsOf(
  cls: HparamsClass,
  prefix: string | undefined,
  defaults: Record<string, unknown> | undefined,
  group: FlagGroup,
  optionalGroup: string | undefined,
  out: FlagSpec[],
): void {
  for (const field of fieldsOfClass(cls)) {
    const name = flagName(prefix, field.name);
    const given = defaults?.[field.name];
    if (field.kind === 'nested') {
      const optional = optionalGroup ?? (field.default === null && given === undefined ? name : undefined);
      specsOf(field.nested!, name, recordOf(given), group, optional, out);
      continue;
    }
    const dflt = given !== undefined ? given : field.default === REQUIRED ? undefined : field.default;
    const required = field.default === REQUIRED && (dflt === undefined || dflt === null);
    out.push({ name, kind: field.kind, field, default: dflt, required, optionalGroup, group });
  }
}

/**
 * The flags of `groups`, in order: every field of every group (nested groups expanded). Two
 * groups defining the same flag is a `FLAG_CONFLICT` error naming both.
 */
export function flagSpecs(groups: readonly FlagGroup[]): FlagSpec[] {
  const out: FlagSpec[] = [];
  for (const g of groups) specsOf(g.hparams, g.prefix, g.defaults, g, undefined, out);
  const seen = new Map<string, FlagSpec>();
  for (const s of out) {
    const twin = seen.get(s.name);
    if (twin) {
      throw new LthError('FLAG_CONFLICT', `Flag --${s.name} is defined twice: by '${groupTitle(twin.group)}' (${twin.group.hparams.name}) and by '${groupTitle(s.group)}' (${s.group.hparams.name}). Rename one of the fields or give one group a prefix.`);
    }
    seen.set(s.name, s);
  }
  return out;
}
