import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@lth/kernel';
import { avgPool2d, BatchNorm2d, Conv2d, flattenNCHW, Linear, MaxPool2d, Module, Network, relu, Sequential, type Forward } from '@lth/nn';

/** One entry of a VGG plan: a `ConvModule` with that many filters, or `'M'`, a 2×2 max pool. */
export type VggPlanEntry = number | 'M';

/**
 * OpenLTH's `cifar_vgg.Model.ConvModule`: `conv` (3×3, padding 1, **with** bias), `bn`, ReLU.
 * State names: `conv.weight`, `conv.bias`, `bn.*`.
 */
export class VggConvModule extends Module implements Forward {
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;

  constructor(inFilters: number, outFilters: number, rng: Rng) {
    super();
    this.conv = this.register('conv', new Conv2d(inFilters, outFilters, 3, rng, { padding: 1 }));
    this.bn = this.register('bn', new BatchNorm2d(outFilters));
  }

  forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return this.bn.forwardWith(this.conv.forward(x), training, 'relu');
  }
}

/**
 * OpenLTH's VGG for CIFAR-10 (`models/cifar_vgg.py`, spec §7.4): the plan's entries in one
 * `Sequential` called `layers` (max pools take up indices, so names skip them:
 * `layers.0.conv.weight`, `layers.2.conv.weight` ...), then a 2×2 average pool (2×2 → 1×1 on
 * 32×32 images), flattening, and the output layer `fc = Linear(512, outputs)`. The first
 * convolution takes as many channels as the images have (OpenLTH: always 3).
 */
export class CifarVgg extends Network {
  readonly outputLayerNames = ['fc.weight', 'fc.bias'] as const;
  readonly layers: Sequential;
  readonly fc: Linear;

  constructor(name: string, plan: readonly VggPlanEntry[], inputShape: readonly [number, number, number], outputs: number, rng: Rng) {
    super(name);
    let filters = inputShape[2];
    const layers: Array<Module & Forward> = [];
    for (const spec of plan) {
      if (spec === 'M') {
        layers.push(new MaxPool2d(2, 2));
      } else {
        layers.push(new VggConvModule(filters, spec, rng));
        filters = spec;
      }
    }
    this.layers = this.register('layers', new Sequential(...layers));
    this.fc = this.register('fc', new Linear(512, outputs, rng));
  }

  forward(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    const features = this.layers.forward(x, training) as tf.Tensor4D;
    return this.fc.forward(flattenNCHW(avgPool2d(features, 2)));
  }
}
