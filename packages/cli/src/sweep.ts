import * as path from 'node:path';
import { LthError, type LthConfig } from '@lth/kernel';
import type { FlagOccurrence } from './argv';
import type { FlagSpec } from './flag-specs';
import { planInvocation, type InvocationPlan } from './invocation';

/** One point of a sweep: a command line with one value per swept flag. */
export interface SweepPoint {
  /** Flags (`--name=value` or `--name`) and positionals, after the command name. */
  readonly argv: readonly string[];
  /** The swept flags with this point's values (`replicate=2 lr=0.05`); empty without a sweep. */
  readonly label: string;
}

/** The program that runs lth: this Node.js and the `lth` bin script. */
export const LTH_PROGRAM: readonly string[] = [process.execPath, path.join(__dirname, '..', '..', 'bin', 'run.js')];

/** A sweep's jobs that failed, as one error. */
export function sweepFailure(failed: readonly string[], total: number): LthError {
  return new LthError('SWEEP_FAILED', `${failed.length} of ${total} sweep jobs failed: ${failed.join('; ')}. Run the same command again to rerun them (finished jobs are skipped).`);
}

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

function token(f: FlagOccurrence, value: string | null = f.value): string {
  return value === null ? `--${f.name}` : `--${f.name}=${value}`;
}

/**
 * Expands a command line into one point per combination of the swept flags' values, the first
 * swept flag varying slowest. Without a list or range anywhere, the one point is the command line
 * itself (positionals first, then every flag written `--name=value`). More than `MAX_SWEEP_POINTS` points is an error.
 */
export function expandSweep(plan: InvocationPlan): SweepPoint[] {
  const byName = new Map(plan.specs.map((s) => [s.name, s]));
  const last = new Map<string, number>();
  plan.scan.flags.forEach((f, i) => last.set(f.name, i));
  const dims: { index: number; values: string[] }[] = [];
  plan.scan.flags.forEach((f, i) => {
    const spec = byName.get(f.name);
    if (!spec || f.value === null || last.get(f.name) !== i) return;
    const values = sweepValues(spec, f.value);
    if (values.length > 1 || values[0] !== f.value) dims.push({ index: i, values });
  });
  const total = dims.reduce((n, d) => n * d.values.length, 1);
  if (total > MAX_SWEEP_POINTS) throw new LthError('BAD_SWEEP', `This sweep has ${total} jobs, more than ${MAX_SWEEP_POINTS}: split it into several commands.`);
  const points: SweepPoint[] = [];
  for (let n = 0; n < total; n++) {
    const chosen = new Map<number, string>();
    let rest = n;
    for (let d = dims.length - 1; d >= 0; d--) {
      chosen.set(dims[d].index, dims[d].values[rest % dims[d].values.length]);
      rest = Math.floor(rest / dims[d].values.length);
    }
    const argv = plan.scan.flags.map((f, i) => token(f, chosen.get(i) ?? f.value));
    const label = dims.map((d) => `${plan.scan.flags[d.index].name}=${chosen.get(d.index)}`).join(' ');
    points.push({ argv: [...plan.scan.positionals, ...argv], label });
  }
  return points;
}

/** `argv` without the flags named in `names` (tokens `--name` and `--name=value`, as `expandSweep` writes them). */
export function withoutFlags(argv: readonly string[], names: ReadonlySet<string>): string[] {
  return argv.filter((t) => !(t.startsWith('--') && names.has(t.slice(2).split('=')[0])));
}

/** Flags that decide which other flags exist: a list in one is expanded before the rest is planned. */
const SELECTORS = ['default_hparams', 'pruning_strategy'];

/**
 * The sweep points of a command line: a comma list in a selector flag written `--name=a,b`
 * (`--default_hparams`, `--pruning_strategy`) gives one command line per value, each planned on
 * its own (its flags depend on the value), then every one is expanded by `expandSweep`.
 */
export function sweepCommandLine(command: string, argv: readonly string[], config: LthConfig): SweepPoint[] {
  const at = argv.findIndex((t) => SELECTORS.some((n) => t.startsWith(`--${n}=`)) && t.includes(','));
  if (at < 0) return expandSweep(planInvocation(command, argv, config));
  const eq = argv[at].indexOf('=');
  const [name, value] = [argv[at].slice(2, eq), argv[at].slice(eq + 1)];
  const out: SweepPoint[] = [];
  for (const part of value.split(',').map((v) => v.trim())) {
    if (part === '') throw new LthError('BAD_SWEEP', `--${name}=${value} has an empty value in its list: write values separated by single commas.`);
    for (const p of sweepCommandLine(command, [...argv.slice(0, at), `--${name}=${part}`, ...argv.slice(at + 1)], config)) {
      out.push({ argv: p.argv, label: [`${name}=${part}`, p.label].filter(Boolean).join(' ') });
    }
    if (out.length > MAX_SWEEP_POINTS) throw new LthError('BAD_SWEEP', `This sweep has more than ${MAX_SWEEP_POINTS} jobs: split it into several commands.`);
  }
  return out;
}
