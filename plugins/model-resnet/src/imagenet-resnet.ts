import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@lth/kernel';
import { BatchNorm2d, Conv2d, globalAvgPool2d, Linear, maxPool2d, Module, Network, relu, Sequential, type Forward } from '@lth/nn';

/** A residual block of torchvision's ResNet, as `_make_layer` builds it. */
export interface TorchvisionBlock extends Module, Forward {
  forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

/** How `_make_layer` creates a block: `inplanes` channels in, `planes · expansion` out. */
export interface TorchvisionBlockType {
  readonly expansion: number;
  new (inplanes: number, planes: number, stride: number, downsample: Sequential | null, rng: Rng): TorchvisionBlock;
}

function conv3x3(inPlanes: number, outPlanes: number, stride: number, rng: Rng): Conv2d {
  return new Conv2d(inPlanes, outPlanes, 3, rng, { stride, padding: 1, bias: false });
}

function conv1x1(inPlanes: number, outPlanes: number, stride: number, rng: Rng): Conv2d {
  return new Conv2d(inPlanes, outPlanes, 1, rng, { stride, bias: false });
}

function addShortcut(out: tf.Tensor4D, x: tf.Tensor4D, downsample: Sequential | null, training: boolean): tf.Tensor4D {
  const identity = downsample ? (downsample.forward(x, training) as tf.Tensor4D) : x;
  return relu(tf.add(out, identity) as tf.Tensor4D);
}

/**
 * torchvision's `BasicBlock` (ResNet-18 and -34): `conv1` 3×3 with the block's stride, `bn1`,
 * ReLU, `conv2` 3×3, `bn2`, plus the shortcut, ReLU. The shortcut is `downsample`
 * (`Sequential(conv1x1 with stride, BatchNorm2d)`) when given, else the identity.
 */
export class BasicBlock extends Module implements TorchvisionBlock {
  static readonly expansion = 1;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;

  constructor(inplanes: number, planes: number, stride: number, readonly downsample: Sequential | null, rng: Rng) {
    super();
    this.conv1 = this.register('conv1', conv3x3(inplanes, planes, stride, rng));
    this.bn1 = this.register('bn1', new BatchNorm2d(planes));
    this.conv2 = this.register('conv2', conv3x3(planes, planes, 1, rng));
    this.bn2 = this.register('bn2', new BatchNorm2d(planes));
    if (downsample) this.register('downsample', downsample);
  }

  forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const out = this.bn1.forwardWith(this.conv1.forward(x), training, 'relu');
    return addShortcut(this.bn2.forward(this.conv2.forward(out), training), x, this.downsample, training);
  }
}

/**
 * torchvision's `Bottleneck` (ResNet-50 and deeper; expansion 4, "v1.5": the stride sits on the
 * 3×3 `conv2`): `conv1` 1×1 to `planes`, `bn1`, ReLU, `conv2` 3×3 with the block's stride, `bn2`,
 * ReLU, `conv3` 1×1 to `4·planes`, `bn3`, plus the shortcut, ReLU.
 */
export class Bottleneck extends Module implements TorchvisionBlock {
  static readonly expansion = 4;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly conv3: Conv2d;
  readonly bn3: BatchNorm2d;

  constructor(inplanes: number, planes: number, stride: number, readonly downsample: Sequential | null, rng: Rng) {
    super();
    this.conv1 = this.register('conv1', conv1x1(inplanes, planes, 1, rng));
    this.bn1 = this.register('bn1', new BatchNorm2d(planes));
    this.conv2 = this.register('conv2', conv3x3(planes, planes, stride, rng));
    this.bn2 = this.register('bn2', new BatchNorm2d(planes));
    this.conv3 = this.register('conv3', conv1x1(planes, planes * Bottleneck.expansion, 1, rng));
    this.bn3 = this.register('bn3', new BatchNorm2d(planes * Bottleneck.expansion));
    if (downsample) this.register('downsample', downsample);
  }

  forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const a = this.bn1.forwardWith(this.conv1.forward(x), training, 'relu');
    const b = this.bn2.forwardWith(this.conv2.forward(a), training, 'relu');
    return addShortcut(this.bn3.forward(this.conv3.forward(b), training), x, this.downsample, training);
  }
}

/**
 * torchvision's `ResNet` as OpenLTH's `imagenet_resnet.ResNet` rebuilds it with a variable width
 * W: the stem `conv1` (7×7, stride 2, padding 3, no bias), `bn1`, ReLU and a 3×3 max pool with
 * stride 2 and padding 1; stages `layer1`…`layer4` of W, 2W, 4W, 8W planes with strides 1, 2, 2, 2
 * (`_make_layer`: the first block of a stage gets `downsample` when its stride is not 1 or its
 * input is not `planes · expansion` wide); a global average pool; `fc = Linear(8W · expansion,
 * outputs)`.
 */
export class TorchvisionResNet extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly layer1: Sequential;
  readonly layer2: Sequential;
  readonly layer3: Sequential;
  readonly layer4: Sequential;
  readonly fc: Linear;

  constructor(block: TorchvisionBlockType, layers: readonly [number, number, number, number], width: number, inChannels: number, outputs: number, rng: Rng) {
    super();
    let inplanes = width;
    const makeLayer = (planes: number, blocks: number, stride: number): Sequential => {
      const downsample = stride !== 1 || inplanes !== planes * block.expansion ? new Sequential(conv1x1(inplanes, planes * block.expansion, stride, rng), new BatchNorm2d(planes * block.expansion)) : null;
      const items = [new block(inplanes, planes, stride, downsample, rng)];
      inplanes = planes * block.expansion;
      for (let i = 1; i < blocks; i++) items.push(new block(inplanes, planes, 1, null, rng));
      return new Sequential(...items);
    };
    this.conv1 = this.register('conv1', new Conv2d(inChannels, width, 7, rng, { stride: 2, padding: 3, bias: false }));
    this.bn1 = this.register('bn1', new BatchNorm2d(width));
    this.layer1 = this.register('layer1', makeLayer(width, layers[0], 1));
    this.layer2 = this.register('layer2', makeLayer(width * 2, layers[1], 2));
    this.layer3 = this.register('layer3', makeLayer(width * 4, layers[2], 2));
    this.layer4 = this.register('layer4', makeLayer(width * 8, layers[3], 2));
    this.fc = this.register('fc', new Linear(width * 8 * block.expansion, outputs, rng));
  }

  forward(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    let h = maxPool2d(this.bn1.forwardWith(this.conv1.forward(x), training, 'relu'), 3, 2, 1);
    for (const layer of [this.layer1, this.layer2, this.layer3, this.layer4]) h = layer.forward(h, training) as tf.Tensor4D;
    return this.fc.forward(globalAvgPool2d(h));
  }
}

/**
 * OpenLTH's ImageNet ResNet (`models/imagenet_resnet.py`, spec §7.4): a `TorchvisionResNet`
 * held as the child `model`, so every state name starts with `model.` (`model.conv1.weight`,
 * `model.layer1.0.conv1.weight`, `model.layer2.0.downsample.0.weight`, `model.fc.weight`); the
 * output layer is `model.fc.*`. torchvision's own initialization (Kaiming fan-out, batch norm 1
 * and 0) is not drawn: OpenLTH overrides every convolution and batch norm it touches with
 * `model_init` and `batchnorm_init`, as `buildModel` does.
 */
export class ImageNetResNet extends Network {
  readonly outputLayerNames = ['model.fc.weight', 'model.fc.bias'] as const;
  readonly model: TorchvisionResNet;

  constructor(name: string, block: TorchvisionBlockType, layers: readonly [number, number, number, number], width: number, inputShape: readonly [number, number, number], outputs: number, rng: Rng) {
    super(name);
    this.model = this.register('model', new TorchvisionResNet(block, layers, width, inputShape[2], outputs, rng));
  }

  forward(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    return this.model.forward(x, training);
  }
}
