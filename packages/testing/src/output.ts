import type { Output } from '@lth/kernel';

/**
 * An `Output` that records every line a workflow prints (and passes each to `echo` when one is
 * given, to watch a test run); progress bars are no-ops. Not a terminal, not quiet.
 */
export class RecordingOutput implements Output {
  readonly lines: string[] = [];
  readonly quiet = false;
  readonly isTTY = false;

  constructor(private readonly echo: ((line: string) => void) | null = null) {}

  line(text: string): void {
    this.lines.push(text);
    this.echo?.(text);
  }

  progress(): { update(): void; stop(): void } {
    return { update() {}, stop() {} };
  }

  /** Every line so far, joined with newlines. */
  get text(): string {
    return this.lines.join('\n');
  }
}
