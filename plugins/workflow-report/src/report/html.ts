import type { ReportFigure } from '../extensions';
import { formatStat } from './format';
import type { LotteryReport } from './model';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * `report.html`: one self-contained page (no script, no network) with the experiment's
 * hyperparameters, the table, and every figure's SVG inline (each also written beside it as
 * `<name>.svg`, which the page links).
 */
export function reportHtml(r: LotteryReport, figures: ReadonlyArray<{ figure: ReportFigure; svg: string }>): string {
  const head = ['Level', 'Weights remaining', 'Line', 'Final test acc', 'Best test acc', ...r.extraColumns, 'n'];
  const rows = r.rows.map((row) => {
    const rem = row.unpruned !== null && row.total ? `${Math.round(row.unpruned)} (${((100 * row.unpruned) / row.total).toFixed(2)}%)` : '-';
    const cells = [
      String(row.level),
      rem,
      row.line + (row.partial ? ' *' : ''),
      formatStat(row.final),
      formatStat(row.best),
      ...r.extraColumns.map((c) => (row.extra[c] ? formatStat(row.extra[c], false) : '-')),
      `${row.complete}${row.running ? ` (+${row.running} running)` : ''}`,
    ];
    return `<tr>${cells.map((c, i) => `<td${i === 2 ? '' : ' class="num"'}>${esc(c)}</td>`).join('')}</tr>`;
  });
  const figs = figures.map(
    ({ figure, svg }) => `<figure id="fig-${esc(figure.name)}">\n${svg}\n<figcaption><a href="${esc(figure.name)}.svg">${esc(figure.title)}</a></figcaption>\n</figure>`,
  );
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>lth report: ${esc(r.hashname)}</title>
<style>
body { font-family: DejaVu Sans, Helvetica, Arial, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
td, th { padding: 0.25em 0.8em; border-bottom: 1px solid #ddd; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 2em 0; }
figcaption { font-size: 0.9em; color: #555; }
code { background: #f4f4f4; padding: 0.1em 0.3em; }
</style>
</head>
<body>
<h1>Lottery experiment <code>${esc(r.hashname)}</code></h1>
<p>${esc(r.summary)}<br>Replicates ${esc(r.replicates.join(', ') || 'none')}${r.plannedLevels !== null ? `, levels 0-${r.plannedLevels}` : ''}; <code>${esc(r.dir)}</code></p>
<table>
<thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
<p>Accuracies are mean ± sample standard deviation over the replicates; n counts complete runs.${r.rows.some((x) => x.partial) ? ' * no complete run yet: numbers from runs in progress.' : ''}</p>
${figs.join('\n')}
</body>
</html>
`;
}
