import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@lth/kernel';
import { flattenNCHW, Linear, ModuleList, Network } from '@lth/nn';

/**
 * OpenLTH's LeNet (`models/mnist_lenet.py`), a fully-connected network: the image flattened
 * (in PyTorch's NCHW order), then `fc_layers.i = Linear(prev, N_i)` each followed by ReLU, then
 * the output layer `fc = Linear(prev, outputs)`. State names: `fc_layers.{i}.weight|bias`,
 * `fc.weight`, `fc.bias`; every weight is prunable; `fc.*` are the output layer. Each hidden
 * layer's matrix product, bias and ReLU run as one fused kernel (`Linear.forwardWith`).
 */
export class LeNet extends Network {
  readonly outputLayerNames = ['fc.weight', 'fc.bias'] as const;
  readonly fcLayers: ModuleList<Linear>;
  readonly fc: Linear;

  constructor(name: string, hidden: readonly number[], inputShape: readonly [number, number, number], outputs: number, rng: Rng) {
    super(name);
    const layers: Linear[] = [];
    let size = inputShape[0] * inputShape[1] * inputShape[2];
    for (const width of hidden) {
      layers.push(new Linear(size, width, rng));
      size = width;
    }
    this.fcLayers = this.register('fc_layers', new ModuleList(layers));
    this.fc = this.register('fc', new Linear(size, outputs, rng));
  }

  forward(x: tf.Tensor4D): tf.Tensor2D {
    let h = flattenNCHW(x);
    for (const layer of this.fcLayers) h = layer.forwardWith(h, 'relu');
    return this.fc.forward(h);
  }
}
