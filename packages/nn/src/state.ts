import type { Variable } from '@tensorflow/tfjs-core';
import type { Model, StateEntry } from '@lth/kernel';

/** The state entries that are parameters (everything but buffers), in state order. */
export function parameterEntries(model: Model): StateEntry[] {
  return model.state.filter((e) => e.role !== 'buffer');
}

/**
 * The variables an optimizer updates: parameters that are not frozen (`trainable`), in state
 * order. Pass these as `varList` to `tf.variableGrads`: without a list tfjs takes every
 * trainable variable of the process, other models' included.
 */
export function trainableVariables(model: Model): Variable[] {
  return parameterEntries(model)
    .filter((e) => e.variable.trainable)
    .map((e) => e.variable);
}

/** The number of parameter values (buffers excluded), as OpenLTH counts (266,610 for `mnist_lenet_300_100`). */
export function countParameters(model: Model): number {
  return parameterEntries(model).reduce((n, e) => n + e.variable.size, 0);
}

/** The state entry called `name`, or an error naming the model. */
export function stateEntry(model: Model, name: string): StateEntry {
  const e = model.state.find((s) => s.name === name);
  if (!e) throw new Error(`${model.name} has no tensor called '${name}'`);
  return e;
}
