import { LthError } from '@lth/kernel';
import type { FlagSpec } from './flag-specs';

/** The most jobs one command line may expand to. */
export const MAX_SWEEP_POINTS = 1000;

const RANGE = /^(\d+)-(\d+)$/;

/**
 * The values one flag takes in a sweep: an int or float flag's comma list (`--lr=0.1,0.05`), an
 * int flag's inclusive ranges (`--replicate=1-4`, `--levels=1,3-5`), a string flag's comma list,
 * except for flags whose value is itself a list: those declared so (`FieldSpec.list`:
 * `--milestone_steps`), and string flags whose own check accepts the whole value (a branch's
 * `--seeds=1,2`). A single value is returned as it is.
 */
export function sweepValues(spec: FlagSpec, value: string): string[] {
  if (spec.kind === 'bool' || spec.field.list) return [value];
  if (spec.kind === 'str' && spec.field.validate && spec.field.validate(value as never) === undefined) return [value];
  const isRange = spec.kind === 'int' && RANGE.test(value);
  if (!value.includes(',') && !isRange) return [value];
  const out: string[] = [];
  for (const part of value.split(',')) {
    const p = part.trim();
    if (p === '') throw new LthError('BAD_SWEEP', `--${spec.name}=${value} has an empty value in its list: write values separated by single commas, e.g. --${spec.name}=${example(spec)}.`);
    const m = spec.kind === 'int' ? RANGE.exec(p) : null;
    if (!m) {
      out.push(p);
      continue;
    }
    const [a, b] = [Number(m[1]), Number(m[2])];
    if (a > b) throw new LthError('BAD_SWEEP', `--${spec.name}=${value}: the range ${p} is empty; write it low to high (${b}-${a}).`);
    if (b - a >= MAX_SWEEP_POINTS) throw new LthError('BAD_SWEEP', `--${spec.name}=${value}: the range ${p} has more than ${MAX_SWEEP_POINTS} values.`);
    for (let i = a; i <= b; i++) out.push(String(i));
  }
  return out;
}

function example(spec: FlagSpec): string {
  return spec.kind === 'int' ? '1-4' : spec.kind === 'float' ? '0.1,0.05' : 'a,b';
}

