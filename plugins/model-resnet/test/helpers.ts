import type * as tf from '@tensorflow/tfjs-core';
import { ModelHparams, torchShape, type Model } from '@lth/kernel';
import { buildModel } from '@lth/nn';
import { maxAbsDiff, openTestSession } from '@lth/testing';

export type Shape = [number, number, number];

/** A session with the ResNet families loaded (and the kernel's initializers). */
export const { registry } = openTestSession({ plugins: ['@lth/plugin-model-resnet'] });

/** CIFAR-10's build options: 10 classes, 32×32 RGB. */
export const CIFAR = { outputs: 10, inputShape: [32, 32, 3] as Shape, seed: 'replicate_1', registry };

/** Model hparams with the families' default initializers, overridden by `v`. */
export function modelHparams(name: string, v: Record<string, unknown> = {}): ModelHparams {
  return ModelHparams.create({ model_name: name, model_init: 'kaiming_normal', batchnorm_init: 'uniform', ...v });
}

/** Builds `name` with CIFAR-10's options, overridden by `options`. */
export function build(name: string, hp: Record<string, unknown> = {}, options: Partial<typeof CIFAR> = {}): Model {
  return buildModel(modelHparams(name, hp), { ...CIFAR, ...options });
}

/** The values of the state entry `name`. */
export function values(m: Model, name: string): Float32Array {
  const e = m.state.find((s) => s.name === name);
  if (!e) throw new Error(`${m.name} has no ${name}`);
  return e.variable.dataSync() as Float32Array;
}

/** `[name, PyTorch shape]` of every state entry. */
export function torchShapes(m: Model): Array<[string, number[]]> {
  return m.state.map((e) => [e.name, torchShape(e.variable.shape, e.layout)]);
}

/** Largest absolute difference of two tensors' values. */
export function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return maxAbsDiff(a.dataSync(), b.dataSync());
}
