import * as fs from 'node:fs';
import * as path from 'node:path';
import { isLthError, LthError, readTextFileBounded, SPARSITY_REPORT_FILE } from '@lth/kernel';
import { framedTable, MetricLogger, summarizeLogger } from '@lth/training';

/** One row of the closing table of `lth lottery`. */
export interface LevelSummary {
  readonly level: number;
  /** Weights the mask keeps and the number of prunable weights (from `sparsity_report.json`). */
  readonly unpruned: number;
  readonly total: number;
  /** Test accuracy (a fraction) at the last evaluation, and its iteration. */
  readonly finalAccuracy: number;
  readonly finalIteration: number;
  /** The highest test accuracy of any evaluation, and the first iteration it was reached. */
  readonly bestAccuracy: number;
  readonly bestIteration: number;
}

/**
 * Reads a trained level's directory (`sparsity_report.json` and `logger`) into its summary row.
 * A level whose files are missing is an `LthError` naming the file.
 */
export function summarizeLevel(level: number, dir: string): LevelSummary {
  const reportFile = path.join(dir, SPARSITY_REPORT_FILE);
  let report: { total: number; unpruned: number };
  try {
    report = JSON.parse(readTextFileBounded(reportFile));
  } catch (e) {
    if (isLthError(e)) throw e;
    throw new LthError('MISSING_FILE', `Cannot read ${reportFile} (${(e as Error).message}). Rerun the lottery command to recreate it.`);
  }
  const s = summarizeLogger(MetricLogger.createFromFile(dir));
  if (s.finalAccuracy === null) throw new LthError('CORRUPT_LOGGER', `${path.join(dir, 'logger')} has no test_accuracy records. Delete it and rerun the lottery command to recompute it.`);
  const { finalAccuracy, finalIteration, bestAccuracy, bestIteration } = s as { [K in keyof typeof s]: number };
  return { level, unpruned: report.unpruned, total: report.total, finalAccuracy, finalIteration, bestAccuracy, bestIteration };
}

/** The closing table: level, weights remaining, final test accuracy, best test accuracy and its iteration. */
export function formatSummaryTable(rows: readonly LevelSummary[], replicate: number): string {
  const header = ['Level', 'Weights remaining', 'Final test acc', 'Best test acc @ iteration'];
  const cells = rows.map((r) => [
    String(r.level),
    `${r.unpruned} (${percent(r.unpruned / r.total, 2)})`,
    percent(r.finalAccuracy, 2),
    `${percent(r.bestAccuracy, 2)} @ ${r.bestIteration}`,
  ]);
  return framedTable(`Lottery Ticket Summary (Replicate ${replicate})`, header, cells);
}

function percent(x: number, digits: number): string {
  return `${(100 * x).toFixed(digits)}%`;
}
