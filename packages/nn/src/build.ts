import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { BatchNormInitializer, Initializer, Model, StateEntry, ModelHparams, Registry, Step } from '@lth/kernel';
import { LthError, fromTorchLayout, torchShape, Rng } from '@lth/kernel';
import { loadModelState, modelFileName } from './model-files';
import './initializers';

/** What `buildModel` needs besides the model hparams. */
export interface BuildModelOptions {
  /** Size of the output layer: the dataset's class count (4 with rotation labels). */
  readonly outputs: number;
  /** One input example, `[height, width, channels]`. */
  readonly inputShape: readonly [number, number, number];
  /** Seed of every random draw of the initialization: use `modelSeed(hp, replicate)`. */
  readonly seed: number | string;
  /** The session's registry, where the model family and the initializers are looked up. */
  readonly registry: Registry;
}

/**
 * The seed a model's initialization is drawn from: `--model_seed` when given, else
 * `replicate_<R>`, so that each replicate is reproducible and replicates differ (OpenLTH has no
 * seed here at all, quirk 21).
 */
export function modelSeed(hp: ModelHparams, replicate: number): number | string {
  return hp.model_seed ?? `replicate_${replicate}`;
}

/**
 * Builds the model `hp.model_name` as OpenLTH's `models.registry.get` does (spec §7.2):
 * 1. looks up the family (`UNKNOWN_MODEL`), `model_init` (`UNKNOWN_INITIALIZER`) and
 *    `batchnorm_init` (`UNKNOWN_BATCHNORM_INITIALIZER`);
 * 2. creates the network with PyTorch's default values, drawn from `new Rng('model', seed)`;
 * 3. draws every Linear and Conv2d weight with `model_init` (in PyTorch layout) and every batch
 *    norm's weight and bias with `batchnorm_init`, from the same generator; other biases keep
 *    PyTorch's default;
 * 4. freezes what `batchnorm_frozen`, `output_frozen` and `others_frozen` ask
 *    (`variable.trainable = false`).
 */
export function buildModel(hp: ModelHparams, options: BuildModelOptions): Model {
  const family = options.registry.modelFamilyFor(hp.model_name).instance;
  const init = options.registry.initializer(hp.model_init);
  const bnInit = options.registry.batchnormInitializer(hp.batchnorm_init);
  const exceptions = parseExceptions(hp.others_frozen_exceptions);
  const rng = new Rng('model', options.seed);
  const model = family.create(hp.model_name, { outputs: options.outputs, inputShape: options.inputShape, rng });
  try {
    applyInitializers(model, init, bnInit, rng);
    applyFreezing(model, hp, exceptions);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/**
 * OpenLTH's `models.registry.load`: builds the model (see `buildModel`), then loads the state
 * saved at `step` in `dir`.
 */
export function loadModel(hp: ModelHparams, dir: string, step: Step, options: BuildModelOptions): Model {
  const model = buildModel(hp, options);
  try {
    loadModelState(model, path.join(dir, modelFileName(step)));
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

function assign(e: StateEntry, torchValues: Float32Array): void {
  const value = tf.tensor(fromTorchLayout(torchValues, e.variable.shape, e.layout), e.variable.shape, 'float32');
  e.variable.assign(value);
  value.dispose();
}

/**
 * Draws every `linear.weight` / `conv.weight` with `init` and every batch-norm layer's
 * `weight` and `bias` with `bnInit`, in state order, from `rng`.
 */
export function applyInitializers(model: Model, init: Initializer, bnInit: BatchNormInitializer, rng: Rng): void {
  const byName = new Map(model.state.map((e) => [e.name, e]));
  for (const e of model.state) {
    if (e.role === 'linear.weight' || e.role === 'conv.weight') {
      const shape = torchShape(e.variable.shape, e.layout);
      const fanIn = e.fanIn ?? shape.slice(1).reduce((a, b) => a * b, 1);
      assign(e, init(shape, fanIn, rng));
    } else if (e.role === 'bn.weight') {
      const bias = byName.get(e.name.replace(/weight$/, 'bias'));
      if (!bias || bias.role !== 'bn.bias') throw new Error(`${model.name}: batch norm ${e.name} has no matching bias`);
      const { weight, bias: b } = bnInit(e.variable.size, rng);
      assign(e, weight);
      assign(bias, b);
    }
  }
}

function parseExceptions(list: string | null): string[] {
  return list ? list.split(',').map((s) => s.trim()) : [];
}

/**
 * OpenLTH's freezing (spec §7.2), on parameters only: batch-norm weights and biases when
 * `batchnorm_frozen`; otherwise output-layer parameters when `output_frozen`; otherwise, for the
 * remaining parameters, when `others_frozen` unless listed in `others_frozen_exceptions` (every
 * listed name must be a state name, else `BAD_HPARAM`).
 */
export function applyFreezing(model: Model, hp: ModelHparams, exceptions = parseExceptions(hp.others_frozen_exceptions)): void {
  const names = model.state.map((e) => e.name);
  for (const x of exceptions) {
    if (!names.includes(x)) {
      throw new LthError('BAD_HPARAM', `--others_frozen_exceptions names '${x}', which ${model.name} does not have. Valid names: ${names.join(', ')}.`);
    }
  }
  const outputs = new Set(model.outputLayerNames);
  for (const e of model.state) {
    if (e.role === 'buffer') continue;
    const isBn = e.role === 'bn.weight' || e.role === 'bn.bias';
    if (isBn) {
      if (hp.batchnorm_frozen) e.variable.trainable = false;
    } else if (outputs.has(e.name)) {
      if (hp.output_frozen) e.variable.trainable = false;
    } else if (hp.others_frozen && !exceptions.includes(e.name)) {
      e.variable.trainable = false;
    }
  }
}
