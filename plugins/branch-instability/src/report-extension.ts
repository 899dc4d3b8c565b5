import * as path from 'node:path';
import { readRun, reportExtension, type LotteryReport, type ReportExtension, type ReportFigure, type RunData } from '@lth/plugin-workflow-report';
import { instabilityFigure, readInstabilityRun } from './report';
import { INSTABILITY_FILE, readJson, type InstabilityRecord } from './results';

/**
 * The `lth report` extension of `instability`: its directories read by `readInstabilityRun`,
 * two columns, `instability_pct` (the instability in percentage points) and `loss_barrier`,
 * averaged over replicates like the accuracies, and the figure `instability.svg`. This module
 * imports `@lth/plugin-workflow-report`, so the plugin requires it only when that is installed.
 */
@reportExtension({ name: 'instability', branch: 'instability', description: 'Instability and loss-barrier columns and the instability figure.' })
export class InstabilityReportExtension implements ReportExtension {
  readRun(dir: string): RunData {
    return readInstabilityRun(dir, readRun);
  }

  metrics(run: RunData): Record<string, number | null> {
    const r = readJson<InstabilityRecord>(path.join(run.dir, INSTABILITY_FILE));
    return r && typeof r.instability === 'number' ? { instability_pct: 100 * r.instability, loss_barrier: r.loss_barrier } : { instability_pct: null, loss_barrier: null };
  }

  figures(report: LotteryReport): ReportFigure[] {
    return [instabilityFigure(report)];
  }
}
