import type { SelectorSpecs, Selectors } from '@lth/kernel';

/** One flag as written on the command line: `--name=value`, `--name value`, or `--name`. */
export interface FlagOccurrence {
  /** The name without dashes (for a single-dash token, the token itself, e.g. `-x`). */
  readonly name: string;
  /** The value, or null when none was given. */
  readonly value: string | null;
  /** True for `--name=value`. */
  readonly inline: boolean;
  /** True for a single-dash token other than `-h`: lth has no short flags. */
  readonly short: boolean;
}

/** A command line split into flags and positional arguments, before flags are known. */
export interface ScannedArgv {
  readonly flags: readonly FlagOccurrence[];
  readonly positionals: readonly string[];
  /** Whether `-h` or `--help` was given. */
  readonly help: boolean;
}

/**
 * Splits `argv` leniently. `--name=value` always carries its value; `--name value` takes the
 * next token as its value unless `isBoolean(name)` or that token is another `--flag` (a value
 * may start with one dash: `--lr -1`). Everything else, before or after flags, is positional;
 * everything after `--` is positional.
 */
export function scanArgv(argv: readonly string[], isBoolean: (name: string) => boolean): ScannedArgv {
  const flags: FlagOccurrence[] = [];
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (token === '--help' || token === '-h') {
      help = true;
    } else if (token.startsWith('--')) {
      const eq = token.indexOf('=');
      if (eq >= 0) {
        flags.push({ name: token.slice(2, eq), value: token.slice(eq + 1), inline: true, short: false });
        continue;
      }
      const name = token.slice(2);
      const next = argv[i + 1];
      const takesNext = !isBoolean(name) && next !== undefined && !next.startsWith('--') && next !== '-h';
      flags.push({ name, value: takesNext ? next : null, inline: false, short: false });
      if (takesNext) i++;
    } else if (token.startsWith('-') && token.length > 1) {
      flags.push({ name: token, value: null, inline: false, short: true });
    } else {
      positionals.push(token);
    }
  }
  return { flags, positionals, help };
}

/** The value of the last occurrence of `--name`, if it had one. */
export function lastValue(scan: ScannedArgv, name: string): string | undefined {
  for (let i = scan.flags.length - 1; i >= 0; i--) {
    const f = scan.flags[i];
    if (f.name === name && !f.short) return f.value ?? undefined;
  }
  return undefined;
}

/** Whether `--name` occurs. */
export function hasFlag(scan: ScannedArgv, name: string): boolean {
  return scan.flags.some((f) => f.name === name && !f.short);
}

/**
 * The selectors declared in `specs`, read from a lenient scan: a `str` selector's last value, a
 * `bool` selector's presence (true), absent when not given; and the positionals.
 */
export function selectorsOf(scan: ScannedArgv, specs: SelectorSpecs): Selectors {
  const out: Record<string, string | boolean | readonly string[]> = { positionals: scan.positionals };
  for (const [name, kind] of Object.entries(specs)) {
    if (kind === 'bool' ? hasFlag(scan, name) : lastValue(scan, name) !== undefined) out[name] = kind === 'bool' ? true : lastValue(scan, name)!;
  }
  return out as Selectors;
}
