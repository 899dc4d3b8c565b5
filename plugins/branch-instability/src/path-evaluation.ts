import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Model } from '@lth/kernel';
import { loadModelState } from '@lth/nn';
import { DataLoader, loadSplit } from '@lth/data';
import type { BranchContext } from '@lth/lottery';
import { datasetContext, evaluate } from '@lth/training';
import { recomputeBatchNorm } from './batchnorm';
import { interpolateInto, pathAlphas } from './interpolate';
import { PARTIAL_FILE, readJson, savePartial, type PartialPath, type PathPoint } from './results';

/** md5 of a file's bytes. */
export function fileMd5(file: string): string {
  return createHash('md5').update(fs.readFileSync(file)).digest('hex');
}

/** A network of the trunk's architecture holding the weights of `file`. */
export function loadNetwork(context: BranchContext, file: string): Model {
  const model = context.buildModel();
  try {
    loadModelState(model, file);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/** What `evaluatePath` needs: the two end model files and how many points. */
export interface PathOptions {
  readonly endFiles: readonly [string, string];
  readonly points: number;
  /** Where the partial results go (the branch directory). */
  readonly dir: string;
  /** Recompute each network's batch-norm running statistics on training batches (see `recomputeBatchNorm`) instead of keeping the interpolated ones. */
  readonly recomputeBatchNorm?: boolean;
}

/**
 * Evaluates the networks `(1 - alpha) * A + alpha * B` on the trunk's test set, at the alphas of
 * `pathAlphas(points)`, with their interpolated batch-norm statistics or, with
 * `recomputeBatchNorm`, statistics recomputed on training batches (the ends too). After every point the points so far are saved in `instability.partial.json`
 * (atomically, with the md5 of both end files), so a killed run resumes at the next point; a
 * partial file of other end weights is ignored.
 */
export async function evaluatePath(context: BranchContext, o: PathOptions): Promise<PathPoint[]> {
  const md5s = o.endFiles.map(fileMd5);
  const alphas = pathAlphas(o.points);
  const partial = readJson<PartialPath>(path.join(o.dir, PARTIAL_FILE));
  const done: PathPoint[] = [];
  if (partial && Array.isArray(partial.path) && String(partial.end_model_md5) === String(md5s)) {
    for (const p of partial.path) {
      if (done.length < alphas.length && p.alpha === alphas[done.length]) done.push(p);
      else break;
    }
  }
  if (done.length === alphas.length) return done;
  const dataset = context.desc.dataset_hparams;
  const ctx = datasetContext(context.platform, context.out);
  const source = await loadSplit(dataset, 'test', ctx, context.registry);
  const trainSource = o.recomputeBatchNorm ? await loadSplit(dataset, 'train', ctx, context.registry) : null;
  const a = loadNetwork(context, o.endFiles[0]);
  const b = loadNetwork(context, o.endFiles[1]);
  const mid = context.buildModel();
  try {
    const loader = new DataLoader(source, dataset.batch_size);
    const trainLoader = trainSource ? new DataLoader(trainSource, dataset.batch_size, { augment: !dataset.do_not_augment }) : null;
    if (done.length) context.log(`Resuming the path at point ${done.length + 1} of ${alphas.length}.`);
    else context.log(`Evaluating ${alphas.length} networks on the linear path between the copies on the test set.`);
    for (let i = done.length; i < alphas.length; i++) {
      interpolateInto(mid, a, b, alphas[i]);
      if (trainLoader) await recomputeBatchNorm(mid, trainLoader);
      const ev = await evaluate(mid, loader);
      done.push({ alpha: alphas[i], test_error: 1 - ev.accuracy, test_loss: ev.loss, test_accuracy: ev.accuracy });
      if (context.platform.isPrimary) savePartial(o.dir, { end_model_md5: md5s, path: done });
    }
  } finally {
    a.dispose();
    b.dispose();
    mid.dispose();
    await source.close?.();
    if (trainSource && trainSource !== source) await trainSource.close?.();
  }
  return done;
}
