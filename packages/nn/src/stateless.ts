import type * as tf from '@tensorflow/tfjs-core';
import { avgPool2d, maxPool2d, relu } from './functional';
import { Module, type Forward } from './module';

/** PyTorch's `nn.ReLU()`: no state, but it takes an index in a `Sequential`. */
export class ReLU extends Module implements Forward {
  forward<T extends tf.Tensor>(x: T): T {
    return relu(x);
  }
}

/** PyTorch's `nn.MaxPool2d(kernel, stride, padding)` (see `maxPool2d`). */
export class MaxPool2d extends Module implements Forward {
  constructor(
    readonly kernel: number,
    readonly stride = kernel,
    readonly padding = 0,
  ) {
    super();
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return maxPool2d(x, this.kernel, this.stride, this.padding);
  }
}

/** PyTorch's `nn.AvgPool2d(kernel, stride)` without padding (see `avgPool2d`). */
export class AvgPool2d extends Module implements Forward {
  constructor(
    readonly kernel: number,
    readonly stride = kernel,
  ) {
    super();
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return avgPool2d(x, this.kernel, this.stride);
  }
}
