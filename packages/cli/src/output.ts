import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { STDOUT, ioError, type Output } from '@lth/kernel';

/** A progress handle that does nothing (quiet runs, or output that is not a terminal). */
const NO_PROGRESS = Object.freeze({ update(): void {}, stop(): void {} });

/** Where console output goes; `process.stdout` unless a test gives another stream. */
export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/**
 * The console a workflow writes to: lines to stdout (none with `--quiet`), and on a terminal
 * cli-progress bars, above which lines keep scrolling. When stdout is not a terminal progress
 * bars are no-ops, so logs and pipes get plain lines only.
 */
export class ConsoleOutput implements Output {
  readonly isTTY: boolean;
  private bars: MultiBar | null = null;
  private active = 0;
  private lastRender = 0;

  constructor(
    readonly quiet: boolean,
    private readonly stream: OutputStream = process.stdout,
  ) {
    this.isTTY = !!stream.isTTY;
  }

  line(text: string): void {
    if (this.quiet) return;
    try {
      if (this.bars && this.active > 0) this.bars.log(text + '\n');
      else this.stream.write(text + '\n');
    } catch (e) {
      throw ioError(e, 'write to', STDOUT);
    }
  }

  /** Printed even with `--quiet`. */
  result(text: string): void {
    if (this.bars && this.active > 0) this.bars.log(text + '\n');
    else this.stream.write(text + '\n');
  }

  progress(total: number, label: string): { update(done: number, info?: string): void; stop(): void } {
    if (this.quiet || !this.isTTY) return NO_PROGRESS;
    this.bars ??= new MultiBar(
      { format: '{label} [{bar}] {value}/{total} {info}', hideCursor: true, clearOnComplete: true, stream: this.stream as NodeJS.WriteStream },
      Presets.shades_classic,
    );
    const bar: SingleBar = this.bars.create(total, 0, { label, info: '' });
    this.active++;
    let stopped = false;
    return {
      update: (done: number, info?: string) => {
        bar.update(done, { info: info ?? '' });
        this.renderNow();
      },
      stop: () => {
        if (stopped) return;
        stopped = true;
        bar.stop();
        this.bars?.remove(bar);
        if (--this.active === 0) {
          this.lastRender = 0;
          this.bars?.stop();
          this.bars = null;
        }
      },
    };
  }

  /**
   * cli-progress redraws on a timer, which never fires while a training epoch keeps the event
   * loop busy; redraw from here instead, at most ten times a second.
   */
  private renderNow(): void {
    const t = Date.now();
    if (this.bars && t - this.lastRender >= 100) {
      this.lastRender = t;
      this.bars.update();
    }
  }
}
