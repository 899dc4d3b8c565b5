import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Model, StateEntry, Step } from '@lth/kernel';
import { LthError, fromTorchLayout, lthShape, toTorchLayout, torchShape, loadSafetensors, saveSafetensors, type SafeTensor } from '@lth/kernel';

/** `model_ep{E}_it{I}.safetensors`, the name of the model saved at `step` (OpenLTH's `.pth` name, safetensors). */
export function modelFileName(step: Step): string {
  return `model_${step.fileTag}.safetensors`;
}

/** Whether `dir` holds the model saved at `step`. */
export function modelExists(dir: string, step: Step): boolean {
  return fs.existsSync(path.join(dir, modelFileName(step)));
}

/**
 * Every state entry of `model` as PyTorch holds it: PyTorch names in `state_dict()` order,
 * PyTorch layouts, F32 (or I64 for `num_batches_tracked`). What model files and checkpoints store.
 */
export function stateToTorch(model: Model): Array<[string, SafeTensor]> {
  return model.state.map((e) => [e.name, entryToTorch(e)]);
}

function entryToTorch(e: StateEntry): SafeTensor {
  const shape = torchShape(e.variable.shape, e.layout);
  const values = e.variable.dataSync() as Float32Array | Int32Array;
  if (e.torchDtype === 'int64') {
    const ints = values instanceof Int32Array ? values : Int32Array.from(values, Math.round);
    return { dtype: 'I64', shape, data: toTorchLayout(ints, e.variable.shape, e.layout) };
  }
  const floats = values instanceof Float32Array ? values : Float32Array.from(values);
  return { dtype: 'F32', shape, data: toTorchLayout(floats, e.variable.shape, e.layout) };
}

/**
 * Saves the whole state of `model` to `<dir>/model_ep{E}_it{I}.safetensors`, atomically, so
 * that `safetensors.torch.load_file` + `load_state_dict(strict=True)` loads it into OpenLTH's
 * PyTorch model. Returns the file's path. (Only the primary process should call it.)
 */
export function saveModel(model: Model, dir: string, step: Step): string {
  const file = path.join(dir, modelFileName(step));
  saveSafetensors(file, stateToTorch(model), { format: 'pt' });
  return file;
}

/**
 * Sets the state of `model` from PyTorch-named, PyTorch-laid-out tensors (a model file, or the
 * model part of a checkpoint). The names must be exactly the model's and the shapes PyTorch's;
 * anything missing, extra or misshapen is one `BAD_CHECKPOINT` error naming `source` and the
 * tensor, raised before any variable changes.
 */
export function assignStateFromTorch(model: Model, tensors: ReadonlyMap<string, SafeTensor>, source: string): void {
  const want = new Set(model.state.map((e) => e.name));
  for (const e of model.state) {
    const t = tensors.get(e.name);
    if (!t) throw bad(source, `has no tensor '${e.name}', which ${model.name} needs`);
    const expected = torchShape(e.variable.shape, e.layout);
    if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
      throw bad(source, `holds '${e.name}' with shape [${t.shape}], but ${model.name} needs [${expected}]`);
    }
    const dtype = e.torchDtype === 'int64' ? 'I64' : 'F32';
    if (t.dtype !== dtype) throw bad(source, `holds '${e.name}' as ${t.dtype}, but ${model.name} keeps it as ${dtype}`);
  }
  for (const name of tensors.keys()) {
    if (!want.has(name)) throw bad(source, `holds '${name}', which ${model.name} does not have`);
  }
  for (const e of model.state) {
    const t = tensors.get(e.name)!;
    const shape = lthShape(t.shape, e.layout);
    const data = e.variable.dtype === 'int32' ? Int32Array.from(t.data as ArrayLike<number>, Math.round) : Float32Array.from(t.data as ArrayLike<number>);
    const value = tf.tensor(fromTorchLayout(data, shape, e.layout), shape, e.variable.dtype);
    e.variable.assign(value);
    value.dispose();
  }
}

function bad(source: string, what: string): LthError {
  return new LthError('BAD_CHECKPOINT', `${source} ${what}. It was saved from a different model; delete it or choose the matching --model_name.`);
}

/**
 * Loads a model file into `model` (see `assignStateFromTorch`). A truncated or corrupt file is
 * the `CORRUPT_FILE` error of `loadSafetensors`; a missing one `MISSING_FILE`.
 */
export function loadModelState(model: Model, file: string): void {
  assignStateFromTorch(model, loadSafetensors(file).tensors, file);
}
