import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { LthError, Step, loadSafetensors, saveSafetensors, type Model, type SafeTensor } from '@lth/kernel';
import { assignStateFromTorch, stateToTorch } from '@lth/nn';
import { MetricLogger } from './metric-logger';
import { OPTIMIZER_STATE_PREFIX, type Optimizer } from './optimizers';
import { TRAINING_VERSION } from './version';

/** The resume checkpoint of an output location (OpenLTH's `checkpoint.pth`, as safetensors). */
export const CHECKPOINT_FILE = 'checkpoint.safetensors';

const FORMAT = 'lth-training-checkpoint';
const FORMAT_VERSION = '1';

/**
 * What a checkpoint holds besides tensors: where training stood (the step of the next
 * callbacks), the metrics so far, and the base of the per-epoch data order seeds, so that a
 * resumed run sees the same batches as an uninterrupted one.
 */
export interface CheckpointInfo {
  readonly file: string;
  readonly step: Step;
  readonly logger: MetricLogger;
  readonly dataOrderSeed: number;
  readonly optimizerKind: string;
  /** The tensor backend that wrote it (`native`, `wasm` ...); null for checkpoints from before lth recorded it. */
  readonly backend: string | null;
  /** Model tensors (PyTorch names and layouts) and `optimizer.*` tensors. */
  readonly tensors: ReadonlyMap<string, SafeTensor>;
}

export function checkpointPath(dir: string): string {
  return path.join(dir, CHECKPOINT_FILE);
}

/**
 * Writes `checkpoint.safetensors` atomically: the model state (what `saveModel` writes), the
 * optimizer state (`optimizer.<slot>.<param>`), and metadata `ep`, `it`, `iteration`,
 * `iterations_per_epoch`, `logger`, `data_order_seed`, `optimizer`, `lth_version`, `backend`.
 */
export function saveCheckpoint(dir: string, model: Model, optimizer: Optimizer, step: Step, logger: MetricLogger, dataOrderSeed: number): void {
  const tensors: Array<[string, SafeTensor]> = [...stateToTorch(model), ...optimizer.stateTensors()];
  saveSafetensors(checkpointPath(dir), tensors, {
    format: FORMAT,
    format_version: FORMAT_VERSION,
    ep: String(step.ep),
    it: String(step.it),
    iteration: String(step.iteration),
    iterations_per_epoch: String(step.iterationsPerEpoch),
    logger: logger.toString(),
    data_order_seed: String(dataOrderSeed),
    optimizer: optimizer.kind,
    lth_version: TRAINING_VERSION,
    backend: tf.getBackend(),
  });
}

function corrupt(file: string, why: string): LthError {
  return new LthError(
    'CORRUPT_CHECKPOINT',
    `The resume checkpoint ${file} is unusable (${why}). Nothing was changed. Delete it to restart this run from its start (its first saved model) or from scratch: rm '${file}'`,
  );
}

/**
 * Reads and checks the checkpoint in `dir`, or returns null when there is none. Any problem
 * (truncated or corrupt file, missing metadata, another epoch length) is one
 * `CORRUPT_CHECKPOINT` error naming the file; nothing is modified.
 */
export function readCheckpoint(dir: string, iterationsPerEpoch: number): CheckpointInfo | null {
  const file = checkpointPath(dir);
  if (!fs.existsSync(file)) return null;
  let parsed: ReturnType<typeof loadSafetensors>;
  try {
    parsed = loadSafetensors(file);
  } catch (e) {
    const message = (e as Error).message;
    const why = message.replace(/^.*? is not a valid safetensors file \((.*)\)\..*$/s, '$1');
    throw corrupt(file, why !== message ? why : message.replace(`${file} `, 'it ').replace(/ Delete it to recompute it, or restore it from a backup\.$/, '').replace(/\.$/, ''));
  }
  const md = parsed.metadata;
  if (md.format !== FORMAT) throw corrupt(file, 'it is not an lth training checkpoint');
  const int = (key: string): number => {
    const v = md[key];
    if (typeof v !== 'string' || !/^-?\d+$/.test(v)) throw corrupt(file, `its metadata '${key}' is missing or not an integer`);
    return Number(v);
  };
  const ipe = int('iterations_per_epoch');
  if (ipe !== iterationsPerEpoch) throw corrupt(file, `it was written for ${ipe} iterations per epoch, this run has ${iterationsPerEpoch}`);
  const iteration = int('iteration');
  if (iteration < 0 || int('ep') * ipe + int('it') !== iteration) throw corrupt(file, 'its step metadata is inconsistent');
  const dataOrderSeed = int('data_order_seed');
  if (typeof md.logger !== 'string') throw corrupt(file, 'it has no metrics');
  let logger: MetricLogger;
  try {
    logger = MetricLogger.createFromString(md.logger);
  } catch (e) {
    throw corrupt(file, `its metrics are malformed: ${(e as Error).message}`);
  }
  return { file, step: Step.fromIteration(iteration, ipe), logger, dataOrderSeed, optimizerKind: String(md.optimizer), backend: typeof md.backend === 'string' ? md.backend : null, tensors: parsed.tensors };
}

/** The error for a checkpoint whose step lies past the end of training. */
export function checkpointBeyondEnd(file: string, step: Step, end: Step): LthError {
  return corrupt(file, `its step, iteration ${step.iteration}, is past the end of training, iteration ${end.iteration}`);
}

/** The name of the first tensor holding a NaN or an infinity, or undefined. */
function firstNonFinite(tensors: ReadonlyMap<string, SafeTensor>): string | undefined {
  for (const [name, t] of tensors) {
    if (!(t.data instanceof Float32Array || t.data instanceof Float64Array)) continue;
    for (let i = 0; i < t.data.length; i++) if (!Number.isFinite(t.data[i])) return name;
  }
  return undefined;
}

/**
 * Puts a checkpoint's model and optimizer state into `model` and `optimizer`. Every check runs
 * before anything is assigned; a mismatch is a `CORRUPT_CHECKPOINT` error.
 */
export function restoreCheckpoint(ckpt: CheckpointInfo, model: Model, optimizer: Optimizer): void {
  if (ckpt.optimizerKind !== optimizer.kind) throw corrupt(ckpt.file, `it holds ${ckpt.optimizerKind} state, this run uses ${optimizer.kind}`);
  const bad = firstNonFinite(ckpt.tensors);
  if (bad !== undefined) throw corrupt(ckpt.file, `${bad} holds NaN or infinite values`);
  const modelTensors = new Map<string, SafeTensor>();
  const optimizerTensors = new Map<string, SafeTensor>();
  for (const [k, t] of ckpt.tensors) (k.startsWith(OPTIMIZER_STATE_PREFIX) ? optimizerTensors : modelTensors).set(k, t);
  try {
    optimizer.loadState(optimizerTensors);
    assignStateFromTorch(model, modelTensors, ckpt.file);
  } catch (e) {
    throw corrupt(ckpt.file, (e as Error).message);
  }
}
