import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LotteryReport, ReportFigure, RunData } from '@lth/plugin-workflow-report';
import { INSTABILITY_FILE, PARTIAL_FILE, readJson, type InstabilityRecord } from './results';

type ReadRun = (dir: string) => RunData;

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The copies' directories: those `instability.json` names, else every `seed_<s>` there is. */
function copyDirs(dir: string, record: InstabilityRecord | null): string[] {
  if (record && Array.isArray(record.copies)) return record.copies.map((c) => path.join(dir, c.dir));
  try {
    return fs
      .readdirSync(dir)
      .filter((e) => /^seed_\d+$/.test(e))
      .sort()
      .map((e) => path.join(dir, e));
  } catch {
    return [];
  }
}

/**
 * An `instability` branch directory as `lth report` shows a run: complete once
 * `instability.json` is there, running while a copy trains or the path is evaluated. Its
 * accuracies are the mean of the two copies' (final, best, and the curve at the iterations
 * both evaluated); its density is the copies' mask's.
 */
export function readInstabilityRun(dir: string, readRun: ReadRun): RunData {
  const record = readJson<InstabilityRecord>(path.join(dir, INSTABILITY_FILE));
  const copies = copyDirs(dir, record).map(readRun);
  const density = copies.find((c) => c.density)?.density ?? null;
  const finals = copies.map((c) => c.final).filter((f) => f !== null);
  const bests = copies.map((c) => c.best).filter((b) => b !== null);
  const together = (xs: ReadonlyArray<{ accuracy: number; iteration: number }>) =>
    xs.length ? { accuracy: mean(xs.map((x) => x.accuracy)), iteration: Math.max(...xs.map((x) => x.iteration)) } : null;
  const curves = copies.map((c) => new Map(c.accuracy.map(([it, a]) => [it, a])));
  const accuracy = copies.length
    ? [...curves[0].keys()].filter((it) => curves.every((c) => c.has(it))).map((it) => [it, mean(curves.map((c) => c.get(it)!))] as const)
    : [];
  const started = copies.some((c) => c.status !== 'not started') || fs.existsSync(path.join(dir, PARTIAL_FILE));
  const complete = record !== null && typeof record.instability === 'number';
  return {
    dir,
    status: complete ? 'complete' : started ? 'running' : 'not started',
    problem: null,
    accuracy,
    trainLoss: [],
    lr: [],
    final: complete ? { accuracy: 1 - record.endpoint_error, iteration: record.end_iteration } : together(finals),
    best: together(bests),
    density,
  };
}

/**
 * The instability figure of a report: the instability (mean over replicates, in percentage
 * points) against the percent of weights remaining (log scale, decreasing to the right), a line
 * per `instability` branch (from the rewind step, from step 0, ...), with the paper's 2% line.
 */
export function instabilityFigure(r: LotteryReport): ReportFigure {
  const values = r.rows
    .filter((row) => row.extra.instability_pct?.mean != null && row.unpruned !== null && row.total)
    .map((row) => ({ line: row.line, level: row.level, remaining: (100 * row.unpruned!) / row.total!, instability: row.extra.instability_pct.mean, n: row.extra.instability_pct.n }));
  const ticks = [...new Set(values.map((v) => Number(v.remaining.toPrecision(3))))].sort((a, b) => b - a);
  return {
    name: 'instability',
    title: 'Instability vs. weights remaining',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: 'Instability (error barrier) vs. weights remaining', subtitle: `${r.hashname}: mean over replicates; stable below 2%` },
      width: 520,
      height: 280,
      config: { font: 'DejaVu Sans, Helvetica, Arial, sans-serif', view: { stroke: null }, axis: { grid: true, gridOpacity: 0.5 } },
      layer: [
        {
          data: { values },
          mark: { type: 'line', point: true, strokeWidth: 2 },
          encoding: {
            x: { field: 'remaining', type: 'quantitative', title: 'Weights remaining (%)', scale: { type: 'log', reverse: true, nice: false, padding: 12 }, axis: { values: ticks, format: '.3~r' } },
            y: { field: 'instability', type: 'quantitative', title: 'Instability (percentage points)' },
            color: { field: 'line', type: 'nominal', title: null, legend: { orient: 'bottom', labelLimit: 400 } },
          },
        },
        { data: { values: [{ y: 2 }] }, mark: { type: 'rule', strokeDash: [4, 4], color: 'gray' }, encoding: { y: { field: 'y', type: 'quantitative' } } },
      ],
    },
  };
}
