import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng, TrainingHparams, type Output } from '@lth/kernel';
import { BatchNorm2d, Linear, ModuleList, Network, flatten, relu } from '@lth/nn';
import { DataLoader, InMemoryImageSource } from '@lth/data';

/**
 * A tiny network for tests: batch norm over the single input channel (so there are buffers,
 * including the int64 `num_batches_tracked`), then `fc_layers.0 = Linear(H·W, hidden)`, ReLU,
 * and the output layer `fc = Linear(hidden, classes)`.
 */
export class TinyNet extends Network {
  readonly outputLayerNames = ['fc.weight', 'fc.bias'];
  readonly bn: BatchNorm2d;
  readonly hidden: Linear;
  readonly fc: Linear;

  constructor(inputShape: readonly [number, number, number], classes: number, seed: number | string | Rng, hidden = 8, name = 'tiny_net') {
    super(name);
    const rng = seed instanceof Rng ? seed : new Rng('tiny-net', seed);
    const inputs = inputShape[0] * inputShape[1] * inputShape[2];
    this.bn = this.register('bn', new BatchNorm2d(inputShape[2]));
    this.hidden = this.register('fc_layers', new ModuleList([new Linear(inputs, hidden, rng)])).at(0);
    this.fc = this.register('fc', new Linear(hidden, classes, rng));
  }

  forward(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    return tf.tidy(() => this.fc.forward(relu(this.hidden.forward(flatten(this.bn.forward(x, training))))));
  }
}

/**
 * A small synthetic classification set: `n` images of `shape`, class `k` brightening the
 * k-th band of rows, plus seeded noise; learnable in a few steps.
 */
export function tinySource(n: number, seed: string, shape: readonly [number, number, number] = [4, 4, 1], classes = 3): InMemoryImageSource {
  const rng = new Rng('tiny-data', seed);
  const [h, w, c] = shape;
  const images = new Uint8Array(n * h * w * c);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = rng.int(classes);
    labels[i] = k;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < c; ch++) {
          const band = Math.floor((y * classes) / h) === k ? 150 : 40;
          images[((i * h + y) * w + x) * c + ch] = Math.min(255, band + rng.int(60));
        }
  }
  return new InMemoryImageSource({ images, labels, imageShape: [h, w, c], numClasses: classes, mean: new Array(c).fill(0.4), std: new Array(c).fill(0.25) });
}

export function tinyLoader(n: number, batch: number, seed = 'train'): DataLoader {
  return new DataLoader(tinySource(n, seed), batch);
}

export function trainingHparams(values: Record<string, unknown> = {}): TrainingHparams {
  return TrainingHparams.create({ optimizer_name: 'sgd', lr: 0.1, training_steps: '2ep', data_order_seed: 7, ...values });
}

/** An `Output` that records what it is given. */
export class RecordingOutput implements Output {
  readonly lines: string[] = [];
  readonly bars: Array<{ total: number; label: string; updates: number; stopped: boolean; info: string }> = [];
  constructor(
    readonly quiet = false,
    readonly isTTY = false,
  ) {}
  line(text: string): void {
    this.lines.push(text);
  }
  progress(total: number, label: string): { update(done: number, info?: string): void; stop(): void } {
    const bar = { total, label, updates: 0, stopped: false, info: '' };
    this.bars.push(bar);
    return {
      update: (_done: number, info?: string) => {
        bar.updates++;
        bar.info = info ?? '';
      },
      stop: () => void (bar.stopped = true),
    };
  }
}

/** The values of every state entry, by name. */
export function snapshot(model: Network): Map<string, Float32Array | Int32Array> {
  return new Map(model.state.map((e) => [e.name, e.variable.dataSync() as Float32Array | Int32Array]));
}
