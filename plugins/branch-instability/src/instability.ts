import * as path from 'node:path';
import { LthError, type Step } from '@lth/kernel';
import { modelFileName } from '@lth/nn';
import { arg, Branch, branch, type BranchContext } from '@lth/lottery';
import { BATCHNORM_STATS, batchnormPolicy, runningStatEntries } from './batchnorm';
import { evaluatePath, fileMd5 } from './path-evaluation';
import { formatLevelsTable, formatPath, INSTABILITY_FILE, readJson, saveInstability, summarizePath, type CopyRecord, type InstabilityRecord } from './results';
import { parseSeeds, seedsComplaint } from './seeds';

const START_POINTS = ['rewind', 'init'] as const;


/** The directory of the copy trained with data order seed `seed`, inside the branch directory. */
export function copyDirName(seed: number): string {
  return `seed_${seed}`;
}

/**
 * `instability`: linear mode connectivity and instability analysis (Frankle, Dziugaite, Roy and
 * Carbin, 2020, "Linear Mode Connectivity and the Lottery Ticket Hypothesis").
 *
 * 1. Two copies of the level's sparse network start from the same weights: the level's weights
 *    at the rewind step (`--start_at=rewind`, the default), or the trunk's initialisation with
 *    the level's mask (`--start_at=init`, step 0). Each trains in its own directory,
 *    `seed_<s>/`, with the trunk's dataset and training hyperparameters except the data order
 *    seed (`--seeds`, default `1,2`), which also seeds augmentation: the two copies see
 *    different SGD noise. The level's mask is kept exact in both. Finished copies are not
 *    trained again; an interrupted one resumes from its checkpoint.
 * 2. The networks `(1 - alpha) * A + alpha * B` at `--points` alphas from 0 to 1 inclusive are
 *    evaluated on the test set. Every state entry is interpolated, batch-norm running
 *    statistics included; with `--batchnorm_stats=recompute` the statistics of every network
 *    on the path (its ends too) are then recomputed on training batches. A pruned weight is
 *    zero in both copies, so it is zero on the path.
 * 3. The instability is the highest test error on the path minus the mean of the two end
 *    networks' test errors (the error barrier; about 0 when the copies are linearly mode
 *    connected). `instability.json` and `instability.csv` in the branch directory hold it, the
 *    path and the copies; the path is printed as a table and, once every level has run, one row
 *    per level.
 */
@branch({ name: 'instability', description: 'Linear mode connectivity: train two copies with different data orders and measure the error barrier between them.' })
export class InstabilityBranch extends Branch {
  override validate(context: BranchContext, seeds: string, points: number, startAt: string, batchnormStats: string): void {
    void seeds;
    void points;
    if (batchnormStats === 'recompute') {
      const model = context.buildModel();
      const has = runningStatEntries(model).length > 0;
      model.dispose();
      if (!has) throw new LthError('BAD_HPARAM', `--batchnorm_stats=recompute: ${context.desc.model_hparams.model_name} has no batch norm, so there are no running statistics to recompute. Leave the flag out.`);
    }
    const file = startAt === 'init' ? context.trunkWeightsFile('init') : context.levelWeightsFile(context.trainStartStep);
    if (!context.exists(file)) {
      throw new LthError('MISSING_FILE', `instability --start_at=${startAt} starts both copies from ${file}, which is not there. Let lth lottery train level ${startAt === 'init' ? 0 : context.level} first.`);
    }
  }

  async run(
    context: BranchContext,
    @arg.str('seeds', { default: '1,2', validate: seedsComplaint, help: "The data order seeds of the two copies, such as '1,2' (they also seed augmentation)." })
    seeds: string,
    @arg.int('points', { default: 30, validate: (n: number) => (n >= 2 && n <= 10000 ? undefined : 'use between 2 and 10000 points'), help: 'Points on the linear path between the copies, its ends included.' })
    points: number,
    @arg.str('start_at', {
      default: 'rewind',
      choices: START_POINTS,
      help: "Where both copies start: rewind (the level's weights at the rewind step) or init (the trunk's initialisation with the level's mask, from step 0).",
    })
    startAt: string,
    @arg.str('batchnorm_stats', {
      default: 'interpolate',
      choices: BATCHNORM_STATS,
      help: 'Batch-norm running statistics of the networks on the path: interpolate them with the weights, or recompute them on 100 training batches in training mode.',
    })
    batchnormStats: string,
  ): Promise<void> {
    const dir = context.branchRoot;
    const startStep = startAt === 'init' ? context.stepZero : context.trainStartStep;
    const copies: string[] = [];
    const pair = parseSeeds(seeds);
    for (const [i, seed] of pair.entries()) copies.push(await trainCopy(context, seed, startAt, startStep, i));
    const endFiles = [copies[0], copies[1]] as const;
    const existing = readJson<InstabilityRecord>(path.join(dir, INSTABILITY_FILE));
    const md5s = endFiles.map(fileMd5);
    let record: InstabilityRecord;
    if (existing && existing.points === points && String(existing.copies?.map((c) => c.end_model_md5)) === String(md5s)) {
      context.log(`Already complete: ${path.join(dir, INSTABILITY_FILE)} holds the path between these copies.`);
      record = existing;
    } else {
      const pathPoints = await evaluatePath(context, { endFiles, points, dir, recomputeBatchNorm: batchnormStats === 'recompute' });
      const summary = summarizePath(pathPoints);
      const copyRecords: CopyRecord[] = pair.map((seed, i) => ({
        seed,
        dir: copyDirName(seed),
        end_model: path.relative(dir, endFiles[i]),
        end_model_md5: md5s[i],
        test_error: i === 0 ? pathPoints[0].test_error : pathPoints[pathPoints.length - 1].test_error,
      }));
      record = {
        level: context.level,
        replicate: context.replicate,
        start_at: startAt,
        start_iteration: startStep.iteration,
        end_iteration: context.trainEndStep.iteration,
        points,
        batchnorm: batchnormPolicy(batchnormStats),
        ...summary,
        copies: copyRecords,
        path: pathPoints,
      };
      if (context.platform.isPrimary) saveInstability(dir, record);
    }
    for (const line of formatPath(record).split('\n')) context.log(line);
  }

  /** After every level: one row per level that has results. */
  override summarize(contexts: readonly BranchContext[]): void {
    const records: InstabilityRecord[] = [];
    const weights = new Map<number, { unpruned: number; total: number }>();
    for (const c of contexts) {
      const r = readJson<InstabilityRecord>(path.join(c.branchRoot, INSTABILITY_FILE));
      if (!r) continue;
      records.push(r);
      const report = readJson<{ unpruned: number; total: number }>(path.join(c.levelRoot, 'sparsity_report.json'));
      if (report) weights.set(c.level, report);
    }
    if (!records.length || !contexts.length) return;
    const c = contexts[0];
    const title = `Instability (Replicate ${c.replicate}, ${records[0].start_at === 'init' ? 'from step 0' : 'from the rewind step'}): ${path.basename(c.branchRoot)}`;
    if (c.platform.isPrimary && !c.out.quiet) for (const line of formatLevelsTable(records, weights, title).split('\n')) c.out.line(line);
  }
}

/**
 * Trains the copy with data order seed `seed` in `seed_<seed>/` (its mask saved beside it) and
 * returns its end model file. Training that finished is skipped; interrupted training resumes.
 */
async function trainCopy(context: BranchContext, seed: number, startAt: string, startStep: Step, index: number): Promise<string> {
  const dir = path.join(context.branchRoot, copyDirName(seed));
  const model = startAt === 'init' ? context.trunkWeights('init') : context.levelWeights(context.trainStartStep);
  try {
    context.log(`Copy ${index + 1} of 2: data order seed ${seed}, from ${startAt} (iteration ${startStep.iteration}), in ${dir}`);
    const result = await context.train({
      model,
      mask: context.levelMask(model),
      outputLocation: dir,
      training: context.desc.training_hparams.with({ data_order_seed: seed }),
      startStep,
    });
    return path.join(dir, modelFileName(result.endStep));
  } finally {
    model.dispose();
  }
}
