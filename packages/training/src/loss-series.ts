import * as tf from '@tensorflow/tfjs-core';

/** What `TrainingSeries.take` returns: the mean training loss over the steps since the last take, and the last step's learning rate. */
export interface SeriesPoint {
  readonly loss: number;
  readonly lr: number;
  readonly steps: number;
}

/**
 * The training loss and learning rate of the steps since the last epoch boundary. The loss of
 * every step is added on the device (no sync per step) and read once per `take`. A run resumed
 * from a checkpoint (always at an epoch boundary) starts a fresh sum there, so its series is
 * that of an uninterrupted run (every sum starts from +0, so even the sign of a zero loss is).
 */
export class TrainingSeries {
  private sum: tf.Scalar | null = null;
  private steps = 0;
  private lastLr = 0;

  /** Adds one step's loss (taken over: disposed here) and its learning rate. */
  add(loss: tf.Scalar, lr: number): void {
    this.sum ??= tf.scalar(0);
    const next = tf.add(this.sum, loss) as tf.Scalar;
    this.sum.dispose();
    loss.dispose();
    this.sum = next;
    this.steps++;
    this.lastLr = lr;
  }

  /**
   * The mean loss and last learning rate since the previous take, then starts again from a
   * zero sum (so the series holds one tensor from the first step to `dispose`); null when no
   * step was added.
   */
  take(): SeriesPoint | null {
    if (!this.sum || this.steps === 0) return null;
    const point = { loss: this.sum.dataSync()[0] / this.steps, lr: this.lastLr, steps: this.steps };
    this.sum.dispose();
    this.sum = tf.scalar(0);
    this.steps = 0;
    return point;
  }

  dispose(): void {
    this.sum?.dispose();
    this.sum = null;
    this.steps = 0;
  }
}
