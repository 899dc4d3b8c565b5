import * as fs from 'node:fs';
import * as path from 'node:path';
import { SPARSITY_REPORT_FILE } from '@lth/kernel';
import { MetricLogger } from '@lth/training';

/** A run's state on disk. */
export type RunStatus = 'complete' | 'running' | 'not started' | 'unreadable';

/** A pruning mask's counts: prunable weights and those kept, in all and per layer. */
export interface Density {
  readonly total: number;
  readonly unpruned: number;
  readonly layers: Readonly<Record<string, { readonly total: number; readonly unpruned: number }>>;
}

/** What one training run (a trunk level's `main`, a branch directory, a `train` replicate) left on disk. */
export interface RunData {
  readonly dir: string;
  readonly status: RunStatus;
  /** Why the run could not be read (status `unreadable`). */
  readonly problem: string | null;
  /** `test_accuracy` by iteration; `train_loss` and `lr` where the run wrote them. */
  readonly accuracy: ReadonlyArray<readonly [number, number]>;
  readonly trainLoss: ReadonlyArray<readonly [number, number]>;
  readonly lr: ReadonlyArray<readonly [number, number]>;
  /** The last evaluation and the best one (the first iteration that reached it); null before any. */
  readonly final: { readonly accuracy: number; readonly iteration: number } | null;
  readonly best: { readonly accuracy: number; readonly iteration: number } | null;
  /** `sparsity_report.json`, when the run has one. */
  readonly density: Density | null;
}

const MODEL_FILE = /^model_ep(\d+)_it(\d+)\.safetensors$/;

/** The iterations of the model files in `dir` (`model_ep{E}_it{I}`), as epochs and iterations. */
function modelSteps(entries: readonly string[]): Array<{ ep: number; it: number }> {
  return entries
    .map((e) => MODEL_FILE.exec(e))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ ep: Number(m[1]), it: Number(m[2]) }));
}

function readDensity(dir: string): Density | null {
  try {
    const r = JSON.parse(fs.readFileSync(path.join(dir, SPARSITY_REPORT_FILE), 'utf8')) as Density;
    if (typeof r.total !== 'number' || typeof r.unpruned !== 'number' || r.total <= 0) return null;
    return { total: r.total, unpruned: r.unpruned, layers: r.layers && typeof r.layers === 'object' ? r.layers : {} };
  } catch {
    return null;
  }
}

/**
 * Reads a run directory without ever throwing. A run is complete, as the runners decide, when
 * it holds its end model (a model file later than its start's) and its logger (the logger is
 * saved before the end model); running when it has a logger or a checkpoint but is not complete (the logger is written at
 * every epoch boundary, so a run in progress shows its curve so far); `not started` without
 * either; `unreadable` when its logger cannot be parsed.
 */
export function readRun(dir: string): RunData {
  const empty = { dir, problem: null, accuracy: [], trainLoss: [], lr: [], final: null, best: null, density: readDensity(dir) };
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return { ...empty, status: 'not started' };
  }
  if (!entries.includes('logger')) return { ...empty, status: entries.includes('checkpoint.safetensors') ? 'running' : 'not started' };
  let logger: MetricLogger;
  try {
    logger = MetricLogger.createFromFile(dir);
  } catch (e) {
    return { ...empty, status: 'unreadable', problem: (e as Error).message };
  }
  const accuracy = logger.getData('test_accuracy');
  let best: RunData['best'] = null;
  for (const [iteration, a] of accuracy) if (best === null || a > best.accuracy) best = { accuracy: a, iteration };
  const last = accuracy[accuracy.length - 1];
  const final = last ? { accuracy: last[1], iteration: last[0] } : null;
  const steps = modelSteps(entries).map((x) => x.ep * 1e9 + x.it);
  const complete = steps.length >= 2 && Math.min(...steps) < Math.max(...steps);
  return { ...empty, status: complete ? 'complete' : 'running', accuracy, trainLoss: logger.getData('train_loss'), lr: logger.getData('lr'), final, best };
}
