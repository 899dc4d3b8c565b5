import type * as tf from '@tensorflow/tfjs-core';
import type { Model, StateEntry } from '@lth/kernel';
import { Conv2d } from './conv2d';
import { crossEntropy } from './functional';
import { Linear } from './linear';
import { Module } from './module';

/**
 * The root module of a model family's network: a `Module` that satisfies the `Model` contract.
 *
 * A subclass registers its layers in its constructor (PyTorch names and order), implements
 * `forward` from NHWC images to logits, and names its output layer's parameters. The state, the
 * prunable names (`<module>.weight` of every `Conv2d` and `Linear`, in `named_modules()` order,
 * output layer included) and the loss (mean cross-entropy) come from here. The state is listed
 * once, on first use, so every layer must be registered by the end of the constructor.
 */
export abstract class Network extends Module implements Model {
  private stateCache: readonly StateEntry[] | null = null;
  private prunableCache: readonly string[] | null = null;

  constructor(readonly name: string) {
    super();
  }

  /** The output layer's parameter names (`fc.weight`, `fc.bias`). */
  abstract readonly outputLayerNames: readonly string[];

  abstract forward(x: tf.Tensor4D, training: boolean): tf.Tensor2D;

  get state(): readonly StateEntry[] {
    this.stateCache ??= Object.freeze(this.stateEntries());
    return this.stateCache;
  }

  get prunableLayerNames(): readonly string[] {
    this.prunableCache ??= Object.freeze(
      this.namedModules()
        .filter(([, m]) => m instanceof Linear || m instanceof Conv2d)
        .map(([n]) => `${n}.weight`),
    );
    return this.prunableCache;
  }

  loss(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
    return crossEntropy(logits, labels);
  }
}
