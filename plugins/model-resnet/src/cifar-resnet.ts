import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@lth/kernel';
import { avgPool2d, BatchNorm2d, Conv2d, flattenNCHW, Linear, Module, Network, relu, Sequential, type Forward } from '@lth/nn';

/** One stage of a CIFAR ResNet: `filters` channels in each of `blocks` residual blocks. */
export interface CifarResNetStage {
  readonly filters: number;
  readonly blocks: number;
}

/**
 * A residual block of OpenLTH's CIFAR ResNet (`cifar_resnet.Model.Block`):
 * `relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))`, both convolutions 3×3 without bias,
 * `conv1` with stride 2 when the block downsamples.
 *
 * The shortcut is a projection, `Sequential(Conv2d 1×1 without bias, BatchNorm2d)` (option B),
 * when the block downsamples or changes the channel count, and otherwise the identity (an empty
 * `Sequential`, so it has no state). OpenLTH hard-codes stride 2 in the projection; here it takes
 * the block's stride (quirk 43), which is the same thing for every network a name can describe.
 * State names: `conv1.weight`, `bn1.*`, `conv2.weight`, `bn2.*`, `shortcut.0.weight`, `shortcut.1.*`.
 */
export class CifarResNetBlock extends Module implements Forward {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly shortcut: Sequential;

  constructor(fIn: number, fOut: number, downsample: boolean, rng: Rng) {
    super();
    const stride = downsample ? 2 : 1;
    this.conv1 = this.register('conv1', new Conv2d(fIn, fOut, 3, rng, { stride, padding: 1, bias: false }));
    this.bn1 = this.register('bn1', new BatchNorm2d(fOut));
    this.conv2 = this.register('conv2', new Conv2d(fOut, fOut, 3, rng, { stride: 1, padding: 1, bias: false }));
    this.bn2 = this.register('bn2', new BatchNorm2d(fOut));
    const projection = downsample || fIn !== fOut;
    this.shortcut = this.register('shortcut', projection ? new Sequential(new Conv2d(fIn, fOut, 1, rng, { stride, bias: false }), new BatchNorm2d(fOut)) : new Sequential());
  }

  forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const out = this.bn1.forwardWith(this.conv1.forward(x), training, 'relu');
    const residual = this.bn2.forward(this.conv2.forward(out), training);
    return relu(tf.add(residual, this.shortcut.forward(x, training)) as tf.Tensor4D);
  }
}

/**
 * OpenLTH's ResNet for CIFAR-10 (`models/cifar_resnet.py`, spec §7.4).
 *
 * The stem `conv` (3×3, stride 1, padding 1, no bias) and `bn`, then ReLU; then the blocks of
 * every stage in one `Sequential` called `blocks`, the first block of each stage after the first
 * downsampling; then an average pool whose kernel is the feature map's width (8×8 → 1×1 on
 * 32×32 images), flattening, and the output layer `fc = Linear(last stage's filters, outputs)`.
 * State names: `conv.weight`, `bn.*`, `blocks.{k}.…` (see `CifarResNetBlock`), `fc.weight`,
 * `fc.bias`; the output layer is `fc.*`. The stem takes as many channels as the images have
 * (OpenLTH: always 3).
 */
export class CifarResNet extends Network {
  readonly outputLayerNames = ['fc.weight', 'fc.bias'] as const;
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;
  readonly blocks: Sequential;
  readonly fc: Linear;

  constructor(name: string, plan: readonly CifarResNetStage[], inputShape: readonly [number, number, number], outputs: number, rng: Rng) {
    super(name);
    let current = plan[0].filters;
    this.conv = this.register('conv', new Conv2d(inputShape[2], current, 3, rng, { stride: 1, padding: 1, bias: false }));
    this.bn = this.register('bn', new BatchNorm2d(current));
    const blocks: CifarResNetBlock[] = [];
    plan.forEach((stage, s) => {
      for (let b = 0; b < stage.blocks; b++) {
        blocks.push(new CifarResNetBlock(current, stage.filters, s > 0 && b === 0, rng));
        current = stage.filters;
      }
    });
    this.blocks = this.register('blocks', new Sequential(...blocks));
    this.fc = this.register('fc', new Linear(plan[plan.length - 1].filters, outputs, rng));
  }

  forward(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    const stem = this.bn.forwardWith(this.conv.forward(x), training, 'relu');
    const features = this.blocks.forward(stem, training) as tf.Tensor4D;
    const pooled = avgPool2d(features, features.shape[2]);
    return this.fc.forward(flattenNCHW(pooled));
  }
}
