import * as tf from '@tensorflow/tfjs-core';
import type { Model, StateEntry } from '@lth/kernel';

let built = 0;

/** A model that only holds named weights (no forward pass): enough to prune. */
export function toyModel(name: string, weights: Array<[string, number[], ArrayLike<number>]>, outputs: string[] = []): Model {
  const state: StateEntry[] = weights.map(([n, shape, values]) => ({
    name: n,
    variable: tf.variable(tf.tensor(Float32Array.from(values), shape), true, `${name}.${n}.${built++}`),
    role: 'linear.weight',
    layout: 'same',
    torchDtype: 'float32',
  }));
  return {
    name,
    state,
    prunableLayerNames: state.map((s) => s.name),
    outputLayerNames: outputs,
    forward: () => {
      throw new Error('toy model has no forward');
    },
    loss: () => {
      throw new Error('toy model has no loss');
    },
    dispose: () => state.forEach((s) => s.variable.dispose()),
  };
}
