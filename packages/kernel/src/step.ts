import { LthError } from './errors';

/**
 * A point in training: a total iteration count and the epoch length it is read against
 * (OpenLTH's `Step`). `ep` and `it` are derived: `ep = iteration // ipe`, `it = iteration % ipe`.
 */
export class Step {
  private constructor(
    public readonly iteration: number,
    public readonly iterationsPerEpoch: number,
  ) {}

  static fromIteration(iteration: number, iterationsPerEpoch: number): Step {
    if (!Number.isInteger(iteration) || iteration < 0) {
      throw new LthError('BAD_STEP', `A step cannot be negative (got iteration ${iteration}).`);
    }
    if (!Number.isSafeInteger(iteration)) {
      throw new LthError('BAD_STEP', `A step of ${iteration} iterations is beyond what lth can count exactly (2^53): choose fewer epochs or iterations.`);
    }
    if (!Number.isInteger(iterationsPerEpoch) || iterationsPerEpoch <= 0) {
      throw new LthError('BAD_STEP', `Iterations per epoch must be positive (got ${iterationsPerEpoch}).`);
    }
    return new Step(iteration, iterationsPerEpoch);
  }

  static fromEpoch(ep: number, it: number, iterationsPerEpoch: number): Step {
    return Step.fromIteration(ep * iterationsPerEpoch + it, iterationsPerEpoch);
  }

  static zero(iterationsPerEpoch: number): Step {
    return Step.fromIteration(0, iterationsPerEpoch);
  }

  /** Parses `'160ep'`, `'500it'` or `'2ep100it'` (numbers must be written plainly: no `05ep`). */
  static fromStr(s: string, iterationsPerEpoch: number): Step {
    const [ep, it] = parseStepString(s);
    return Step.fromEpoch(ep, it, iterationsPerEpoch);
  }

  /** True only for the literal strings OpenLTH treats as zero: `0ep`, `0it`, `0ep0it`. */
  static strIsZero(s: string): boolean {
    return s === '0ep' || s === '0it' || s === '0ep0it';
  }

  get ep(): number {
    return Math.floor(this.iteration / this.iterationsPerEpoch);
  }

  get it(): number {
    return this.iteration % this.iterationsPerEpoch;
  }

  private same(other: Step): Step {
    if (!(other instanceof Step) || other.iterationsPerEpoch !== this.iterationsPerEpoch) {
      throw new Error('Steps with different epoch lengths cannot be compared.');
    }
    return other;
  }

  equals(o: Step): boolean {
    return this.iteration === this.same(o).iteration;
  }
  lt(o: Step): boolean {
    return this.iteration < this.same(o).iteration;
  }
  le(o: Step): boolean {
    return this.iteration <= this.same(o).iteration;
  }
  gt(o: Step): boolean {
    return this.iteration > this.same(o).iteration;
  }
  ge(o: Step): boolean {
    return this.iteration >= this.same(o).iteration;
  }

  /** `ep{E}_it{I}`, as used in model file names. */
  get fileTag(): string {
    return `ep${this.ep}_it${this.it}`;
  }

  toString(): string {
    return `(Iteration ${this.iteration}; Iterations per Epoch: ${this.iterationsPerEpoch})`;
  }
}

const STEP_HELP = "use a number of epochs and/or iterations such as '160ep', '500it' or '2ep100it'";

/** Parses a step string into [epochs, iterations]; throws a clear `BAD_STEP` error otherwise. */
export function parseStepString(s: string): [number, number] {
  const m = /^(-?\d+)ep(-?\d+)it$|^(-?\d+)ep$|^(-?\d+)it$/.exec(s ?? '');
  if (!m) throw new LthError('BAD_STEP', `Malformed step '${s}': ${STEP_HELP}.`);
  const ep = Number(m[1] ?? m[3] ?? 0);
  const it = Number(m[2] ?? m[4] ?? 0);
  const back = m[1] !== undefined ? `${ep}ep${it}it` : m[3] !== undefined ? `${ep}ep` : `${it}it`;
  if (back !== s) throw new LthError('BAD_STEP', `Malformed step '${s}': ${STEP_HELP}.`);
  if (ep < 0 || it < 0) throw new LthError('BAD_STEP', `Step '${s}' is negative: ${STEP_HELP}.`);
  return [ep, it];
}

/** Validator for step-string hyperparameters (`training_steps`, `warmup_steps`, ...). */
export function stepString(s: string): string | undefined {
  try {
    parseStepString(s);
    return undefined;
  } catch (e) {
    return (e as Error).message.replace(/\.$/, '').replace(/^Malformed step '[^']*': /, 'not a step: ');
  }
}

/** Validator for comma-separated lists of step strings (`milestone_steps`). */
export function stepList(s: string): string | undefined {
  for (const part of s.split(',')) {
    const bad = stepString(part);
    if (bad) return `'${part}' is ${bad}`;
  }
  return undefined;
}
