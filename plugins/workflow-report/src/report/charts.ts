import type { ReportFigure } from '../extensions';
import type { LotteryReport } from './model';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const CONFIG = { font: 'DejaVu Sans, Helvetica, Arial, sans-serif', view: { stroke: null }, axis: { grid: true, gridOpacity: 0.5 } };

/**
 * (a) The lottery ticket figure: test accuracy at the end of training against the percent of
 * weights remaining (log scale, decreasing to the right), one line per trunk or branch (the mean
 * over replicates, a point per level) over a band of ± one standard deviation.
 */
/** The lines in the report's order: the trunk, then the branches. */
function lineOrder(r: LotteryReport): string[] {
  return [...new Set(r.rows.map((x) => x.line))].sort((a, b) => (a === 'trunk' ? -1 : b === 'trunk' ? 1 : 0));
}

export function lthFigure(r: LotteryReport): ReportFigure {
  const ticks = [...new Set(r.points.map((p) => Number(p.remaining.toPrecision(3))))].sort((a, b) => b - a);
  const values = r.points.map((p) => ({ ...p, remaining: p.remaining }));
  return {
    name: 'lth',
    title: 'Test accuracy vs. weights remaining',
    spec: {
      $schema: SCHEMA,
      title: { text: 'Final test accuracy vs. weights remaining', subtitle: `${r.hashname}: mean ± std over replicates` },
      width: 520,
      height: 320,
      config: CONFIG,
      data: { values },
      encoding: {
        x: {
          field: 'remaining',
          type: 'quantitative',
          title: 'Weights remaining (%)',
          scale: { type: 'log', reverse: true, nice: false, padding: 12 },
          axis: { values: ticks, format: '.3~r' },
        },
        color: { field: 'line', type: 'nominal', title: null, scale: { domain: lineOrder(r) }, legend: { orient: 'bottom', labelLimit: 400, symbolOpacity: 1, symbolType: 'stroke', symbolStrokeWidth: 3 } },
      },
      layer: [
        { mark: { type: 'errorband', extent: 'stdev', opacity: 0.2 }, encoding: { y: { field: 'final', type: 'quantitative', title: 'Final test accuracy' } } },
        {
          mark: { type: 'line', point: true, strokeWidth: 2 },
          encoding: {
            y: { aggregate: 'mean', field: 'final', type: 'quantitative', title: 'Final test accuracy', scale: { zero: false }, axis: { format: '.1%' } },
          },
        },
      ],
    },
  };
}

/** (b) Test accuracy against training iterations, a panel per trunk or branch, a line per level (mean over replicates). */
export function curvesFigure(r: LotteryReport): ReportFigure {
  return {
    name: 'curves',
    title: 'Test accuracy vs. iteration, per level',
    spec: {
      $schema: SCHEMA,
      title: { text: 'Test accuracy during training', subtitle: 'mean over replicates; one line per level' },
      config: CONFIG,
      data: { values: r.curves },
      facet: { column: { field: 'line', type: 'nominal', title: null, sort: lineOrder(r), header: { labelFontSize: 12 } } },
      spec: {
        width: 300,
        height: 220,
        mark: { type: 'line', point: { size: 18 } },
        encoding: {
          x: { field: 'iteration', type: 'quantitative', title: 'Iteration' },
          y: { aggregate: 'mean', field: 'accuracy', type: 'quantitative', title: 'Test accuracy', scale: { zero: false }, axis: { format: '.0%' } },
          color: { field: 'level', type: 'ordinal', title: 'Level', scale: { scheme: 'viridis' } },
        },
      },
      resolve: { scale: { y: 'shared' } },
    },
  };
}

/** (c) The trunk's per-layer density at each level (fraction of the layer's weights kept). */
export function densityFigure(r: LotteryReport): ReportFigure {
  return {
    name: 'density',
    title: 'Per-layer density per level',
    spec: {
      $schema: SCHEMA,
      title: { text: 'Per-layer density of the trunk', subtitle: 'fraction of each layer\'s weights the mask keeps' },
      width: 520,
      height: 260,
      config: CONFIG,
      data: { values: r.density },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'level', type: 'ordinal', title: 'Level', axis: { labelAngle: 0 } },
        y: { field: 'density', type: 'quantitative', title: 'Density', axis: { format: '.0%' }, scale: { domain: [0, 1] } },
        color: { field: 'layer', type: 'nominal', title: 'Layer', legend: { labelLimit: 300 } },
      },
    },
  };
}

/** The built-in figures, in the order `report.html` shows them. */
export function builtinFigures(r: LotteryReport): ReportFigure[] {
  return [lthFigure(r), curvesFigure(r), densityFigure(r)];
}
