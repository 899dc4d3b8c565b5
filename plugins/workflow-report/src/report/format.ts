import type { Stat } from '../stats';
import type { LotteryReport, ReportRow } from './model';

function pct(x: number | null, digits = 2): string {
  return x === null ? '-' : `${(100 * x).toFixed(digits)}%`;
}

/** `84.74% ± 0.12%`; without a std (one run) `84.74%`; `-` without runs. */
export function formatStat(s: Stat, asPercent = true): string {
  if (s.mean === null) return '-';
  const f = (x: number) => (asPercent ? pct(x) : x.toPrecision(4));
  return s.std === null ? f(s.mean) : `${f(s.mean)} ± ${f(s.std)}`;
}

function remaining(r: ReportRow): string {
  if (r.unpruned === null || r.total === null) return '-';
  return `${Math.round(r.unpruned)} (${pct(r.unpruned / r.total)})`;
}

function runs(r: ReportRow): string {
  return `${r.complete}${r.running ? ` (+${r.running} running)` : ''}`;
}

/**
 * The report as text: a title block (the experiment, its hyperparameters), then one table
 * with a row per level and line (trunk first, then branches): weights remaining, final and
 * best test accuracy as mean ± std over the replicates, and n (complete runs, and those in
 * progress). Rows whose numbers come from runs in progress are marked `*`.
 */
export function formatReportTable(r: LotteryReport): string {
  const header = ['Level', 'Weights remaining', 'Line', 'Final test acc', 'Best test acc', ...r.extraColumns, 'n'];
  const cells = r.rows.map((row) => [
    String(row.level),
    remaining(row),
    row.line + (row.partial ? ' *' : ''),
    formatStat(row.final),
    formatStat(row.best),
    ...r.extraColumns.map((c) => (row.extra[c] ? formatStat(row.extra[c], false) : '-')),
    runs(row),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i === 2 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('   ');
  const out = [
    `Lottery experiment ${r.hashname} (replicates ${r.replicates.join(', ') || 'none'}${r.plannedLevels !== null ? `, levels 0-${r.plannedLevels}` : ''})`,
    `  ${r.summary}`,
    `  ${r.dir}`,
    '',
    line(header),
    ...cells.map(line),
  ];
  if (r.rows.some((x) => x.partial)) out.push('', '* no complete run yet: the numbers are those of the runs in progress, at their last evaluation.');
  if (!r.rows.length) out.push('(no level has a test evaluation yet)');
  return out.join('\n');
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The rows as CSV: one line per level and line, accuracies as fractions, std empty below two runs. */
export function formatReportCsv(r: LotteryReport): string {
  const extra = r.extraColumns.flatMap((c) => [`${c}_mean`, `${c}_std`, `${c}_n`]);
  const header = ['level', 'line', 'key', 'unpruned', 'total', 'remaining_fraction', 'final_mean', 'final_std', 'final_n', 'best_mean', 'best_std', 'best_n', ...extra, 'complete', 'running', 'partial'];
  const rows = r.rows.map((row) => [
    row.level,
    row.line,
    row.key,
    row.unpruned,
    row.total,
    row.unpruned !== null && row.total ? row.unpruned / row.total : null,
    row.final.mean,
    row.final.std,
    row.final.n,
    row.best.mean,
    row.best.std,
    row.best.n,
    ...r.extraColumns.flatMap((c) => [row.extra[c]?.mean ?? null, row.extra[c]?.std ?? null, row.extra[c]?.n ?? 0]),
    row.complete,
    row.running,
    row.partial,
  ]);
  return [header, ...rows].map((x) => x.map(csvCell).join(',')).join('\n');
}

/** The whole report as JSON (rows, the LTH figure's points, every curve, the densities). */
export function formatReportJson(r: LotteryReport): string {
  return JSON.stringify(r, null, 2);
}
