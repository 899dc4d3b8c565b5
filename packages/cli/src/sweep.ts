import * as path from 'node:path';
import { LthError, type Registry } from '@lth/kernel';
import type { SweptValue } from './oclif-flags';
import { MAX_SWEEP_POINTS } from './sweep-values';

export { MAX_SWEEP_POINTS, sweepValues } from './sweep-values';

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

/** A sweep point with the typed value of every flag given, by flag name (true for a switch). */
export interface SweepPointValues extends SweepPoint {
  readonly values: ReadonlyMap<string, unknown>;
}

function token(name: string, text: string | null): string {
  return text === null ? `--${name}` : `--${name}=${text}`;
}

/**
 * Expands a parsed command line into one point per combination of the swept flags' values, the
 * first swept flag varying slowest. Each point has its typed values (for building its groups)
 * and its command line (positionals first, then every flag written `--name=value`, for a worker
 * that runs it alone). Without a list or range anywhere, there is one point. More than
 * `MAX_SWEEP_POINTS` points is an error.
 */
export function expandSweep(given: ReadonlyMap<string, SweptValue | true>, positionals: readonly string[]): SweepPointValues[] {
  const entries = [...given.entries()];
  const dims = entries
    .map(([name, v], index) => ({ name, index, points: v === true ? [] : v.points, swept: v !== true && (v.points.length > 1 || v.points[0].text !== v.text) }))
    .filter((d) => d.swept);
  const total = dims.reduce((n, d) => n * d.points.length, 1);
  if (total > MAX_SWEEP_POINTS) throw new LthError('BAD_SWEEP', `This sweep has ${total} jobs, more than ${MAX_SWEEP_POINTS}: split it into several commands.`);
  const out: SweepPointValues[] = [];
  for (let n = 0; n < total; n++) {
    const chosen = new Map<number, number>();
    let rest = n;
    for (let d = dims.length - 1; d >= 0; d--) {
      chosen.set(dims[d].index, rest % dims[d].points.length);
      rest = Math.floor(rest / dims[d].points.length);
    }
    const values = new Map<string, unknown>();
    const argv: string[] = [...positionals];
    entries.forEach(([name, v], i) => {
      if (v === true) {
        values.set(name, true);
        argv.push(token(name, null));
        return;
      }
      const at = chosen.get(i);
      const point = at === undefined ? v.points[0] : v.points[at];
      values.set(name, point.value);
      argv.push(token(name, at === undefined ? v.text : point.text));
    });
    const label = dims.map((d) => `${d.name}=${given.get(d.name) !== true ? (given.get(d.name) as SweptValue).points[chosen.get(d.index)!].text : ''}`).join(' ');
    out.push({ argv, label, values });
  }
  return out;
}

/** `argv` without the flags named in `names` (tokens `--name` and `--name=value`, as `expandSweep` writes them). */
export function withoutFlags(argv: readonly string[], names: ReadonlySet<string>): string[] {
  return argv.filter((t) => !(t.startsWith('--') && names.has(t.slice(2).split('=')[0])));
}

/**
 * The command lines of a sweep over a `str` selector the workflow declares, written
 * `--name=a,b` (`--default_hparams`, `--pruning_strategy`): one per value, each with its label
 * (`default_hparams=a`), because each value has its own flags and defaults and is planned and
 * parsed on its own. A line without such a list is itself, unlabelled. The workflow is looked up
 * in `registry`.
 */
export function selectorSweep(registry: Registry, command: string, argv: readonly string[]): { argv: readonly string[]; label: string }[] {
  const specs = registry.workflow(command).instance.selectors ?? {};
  const names = Object.keys(specs).filter((n) => specs[n] === 'str');
  const at = argv.findIndex((t) => names.some((n) => t.startsWith(`--${n}=`)) && t.includes(','));
  if (at < 0) return [{ argv, label: '' }];
  const eq = argv[at].indexOf('=');
  const [name, value] = [argv[at].slice(2, eq), argv[at].slice(eq + 1)];
  const out: { argv: readonly string[]; label: string }[] = [];
  for (const part of value.split(',').map((v) => v.trim())) {
    if (part === '') throw new LthError('BAD_SWEEP', `--${name}=${value} has an empty value in its list: write values separated by single commas.`);
    for (const p of selectorSweep(registry, command, [...argv.slice(0, at), `--${name}=${part}`, ...argv.slice(at + 1)])) {
      out.push({ argv: p.argv, label: [`${name}=${part}`, p.label].filter(Boolean).join(' ') });
    }
    if (out.length > MAX_SWEEP_POINTS) throw new LthError('BAD_SWEEP', `This sweep has more than ${MAX_SWEEP_POINTS} jobs: split it into several commands.`);
  }
  return out;
}
