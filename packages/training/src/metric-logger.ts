import * as fs from 'node:fs';
import * as path from 'node:path';
import { isLthError, LthError, pyFloatRepr, readTextFileBounded, writeFileAtomic } from '@lth/kernel';

/** The name of the metrics file in an output location (OpenLTH's `logger`). */
export const LOGGER_FILE = 'logger';

/**
 * The metrics of one training run, exactly OpenLTH's `MetricLogger`: values keyed by
 * `(name, iteration)` in insertion order, where a later `add` of the same key replaces the
 * value but keeps its position.
 *
 * The file format is OpenLTH's: one `name,iteration,value` line per record, joined by `\n`
 * with no trailing newline, values written as Python's `str(float)` (`10000.0`, `0.0974`).
 * Metric names OpenLTH writes are `test_loss`, `test_accuracy` and `test_examples`.
 */
export class MetricLogger {
  private readonly records = new Map<string, { name: string; iteration: number; value: number }>();

  /** Records `value` for metric `name` at `iteration`. */
  add(name: string, iteration: number, value: number): void {
    if (name.includes(',') || name.includes('\n')) throw new Error(`Metric names cannot contain commas or newlines: ${JSON.stringify(name)}`);
    if (!Number.isInteger(iteration) || iteration < 0) throw new Error(`Metric iteration must be a non-negative integer, got ${iteration}`);
    const key = `${name}\u0000${iteration}`;
    const prev = this.records.get(key);
    if (prev) prev.value = value;
    else this.records.set(key, { name, iteration, value });
  }

  /** `(iteration, value)` pairs of metric `name`, sorted by iteration. */
  getData(name: string): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (const r of this.records.values()) if (r.name === name) out.push([r.iteration, r.value]);
    return out.sort((a, b) => a[0] - b[0]);
  }

  /** The metric names present, in order of first appearance. */
  names(): string[] {
    return [...new Set([...this.records.values()].map((r) => r.name))];
  }

  get size(): number {
    return this.records.size;
  }

  /** The file contents: `name,iteration,value` lines joined by `\n`, no trailing newline. */
  toString(): string {
    return [...this.records.values()].map((r) => `${r.name},${r.iteration},${pyFloatRepr(r.value)}`).join('\n');
  }

  /** A copy with the same records in the same order. */
  clone(): MetricLogger {
    return MetricLogger.createFromString(this.toString());
  }

  /** Parses the file format; the empty string gives an empty logger. Throws on a malformed line. */
  static createFromString(s: string): MetricLogger {
    const logger = new MetricLogger();
    if (s === '') return logger;
    for (const [i, line] of s.split('\n').entries()) {
      const parts = line.split(',');
      const value = parts.length === 3 ? parsePyFloat(parts[2]) : NaN;
      const iteration = parts.length === 3 && /^\d+$/.test(parts[1]) ? Number(parts[1]) : NaN;
      if (parts.length !== 3 || !parts[0] || Number.isNaN(iteration) || (Number.isNaN(value) && parts[2] !== 'nan')) {
        throw new Error(`line ${i + 1} is not 'name,iteration,value': ${JSON.stringify(line.slice(0, 80))}`);
      }
      logger.add(parts[0], iteration, value);
    }
    return logger;
  }

  /** Writes `<dir>/logger` atomically. */
  save(dir: string): void {
    writeFileAtomic(path.join(dir, LOGGER_FILE), this.toString());
  }

  static exists(dir: string): boolean {
    return fs.existsSync(path.join(dir, LOGGER_FILE));
  }

  /** Reads `<dir>/logger`; a malformed file is a `CORRUPT_LOGGER` error naming it. */
  static createFromFile(dir: string): MetricLogger {
    const file = path.join(dir, LOGGER_FILE);
    let text: string;
    try {
      text = readTextFileBounded(file);
    } catch (e) {
      if (isLthError(e)) throw e;
      throw new LthError('MISSING_FILE', `Cannot read ${file}: ${(e as Error).message}`);
    }
    try {
      return MetricLogger.createFromString(text);
    } catch (e) {
      throw new LthError('CORRUPT_LOGGER', `${file} is not a metrics file (${(e as Error).message}). Delete it and rerun to recompute it.`);
    }
  }
}

/** Parses Python's `str(float)` output, including `inf`, `-inf` and `nan`. */
function parsePyFloat(s: string): number {
  if (s === 'inf') return Infinity;
  if (s === '-inf') return -Infinity;
  if (s === 'nan') return NaN;
  if (!/^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s)) return NaN;
  return Number(s);
}
