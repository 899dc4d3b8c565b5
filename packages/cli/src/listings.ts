import * as path from 'node:path';
import { KERNEL_VERSION, type Contribution, type DatasetFamily, type PlatformKey, type Registry } from '@lth/kernel';
import type { Session } from './session';

/** How `lth plugins` titles each kind of contribution, in the order it lists them. */
const KIND_TITLES: ReadonlyArray<[string, string]> = [
  ['dataset', 'datasets'],
  ['model', 'model families'],
  ['strategy', 'pruning strategies'],
  ['branch', 'branches'],
  ['platform', 'platforms'],
  ['workflow', 'workflows'],
  ['report_extension', 'report extensions'],
  ['initializer', 'initializers'],
  ['batchnorm_initializer', 'batch-norm initializers'],
];

function contributionLabel(c: Contribution): string {
  return c.kind === 'model' && typeof c.meta.pattern === 'string' ? `${c.name} (${c.meta.pattern})` : c.name;
}

/** The platform settings `contributions` declare, one line each: `  platform setting imagenetRoot (or $LTH_IMAGENET_ROOT): ...`. */
function platformKeyLines(contributions: readonly Contribution[]): string[] {
  const keys = new Map<string, PlatformKey>();
  for (const c of contributions) for (const [key, k] of Object.entries((c.meta.platformKeys ?? {}) as Record<string, PlatformKey>)) keys.set(key, k);
  return [...keys].map(([key, k]) => `    platform setting ${key}${k.env ? ` (or $${k.env})` : ''}: ${k.help}`);
}

/** The lines listing `contributions` grouped by kind: `  datasets: mnist, fashion_mnist`. */
function contributionLines(contributions: readonly Contribution[]): string[] {
  const lines: string[] = [];
  for (const [kind, title] of KIND_TITLES) {
    const own = contributions.filter((c) => c.kind === kind);
    if (own.length) lines.push(`    ${title}: ${own.map(contributionLabel).join(', ')}`);
  }
  lines.push(...platformKeyLines(contributions));
  const other = contributions.filter((c) => !KIND_TITLES.some(([k]) => k === c.kind));
  if (other.length) lines.push(`    other: ${other.map((c) => `${c.kind} ${c.name}`).join(', ')}`);
  return lines.length ? lines : ['    (contributes nothing)'];
}

/**
 * `lth plugins`: the configuration file in use, then each loaded plugin with its version,
 * whether it is built in or comes from the configuration, the file it was loaded from, its
 * description, and what it contributes grouped by kind; then what the kernel registers itself.
 */
export function renderPlugins(session: Session): string {
  const cfg = session.config.file ? `configuration ${session.config.file}` : 'no configuration file (built-in defaults)';
  const lines = [`${session.plugins.length} plugin${session.plugins.length === 1 ? '' : 's'} loaded; ${cfg}.`];
  for (const p of session.plugins) {
    const origin = session.builtins.has(p.spec) ? 'built-in' : `from ${session.config.file ? path.basename(session.config.file) : 'the configuration'}`;
    lines.push('', `${p.manifest.name} ${p.manifest.version}  [${origin}]  ${p.file}`);
    if (p.manifest.description) lines.push(`    ${p.manifest.description}`);
    lines.push(...contributionLines(p.contributions));
  }
  const kernel = session.registry.contributionsOf('(kernel)');
  if (kernel.length) lines.push('', `@lth/kernel ${KERNEL_VERSION}  [kernel]`, ...contributionLines(kernel));
  if (session.missingBuiltins.length) lines.push('', `Built-in plugins not installed: ${session.missingBuiltins.join(', ')}.`);
  return lines.join('\n');
}

/** A `*` / `?` wildcard pattern as a whole-string regular expression. */
export function wildcard(pattern: string): RegExp {
  return new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
}

function table(rows: readonly string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => '  ' + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 2))).join('').trimEnd());
}

/**
 * `lth models [pattern]`: the model families of `registry` with the names they accept. A pattern
 * with `*` or `?` filters families by name or name pattern (`lth models 'cifar_*'`); a plain
 * model name shows the family that builds it (`lth models cifar_resnet_20`).
 */
export function renderModels(registry: Registry, pattern?: string): string {
  const all = registry.list('model');
  const hits = !pattern
    ? all
    : /[*?]/.test(pattern)
      ? all.filter((c) => wildcard(pattern).test(c.name) || wildcard(pattern).test(String(c.meta.pattern ?? '')))
      : all.filter((c) => c.name === pattern || c.instance.isValidModelName(pattern));
  if (!hits.length) return pattern ? `No model family matches '${pattern}'. Run lth models to list them all.` : 'No model families are loaded.';
  const rows = hits.map((c) => [String(c.meta.pattern ?? c.name), c.description, `[${c.plugin}]`]);
  return ['Model families:', ...table(rows)].join('\n');
}

function datasetSummary(c: Contribution<DatasetFamily>): string {
  try {
    const i = c.instance.info(c.name);
    return `${i.numTrainExamples} train / ${i.numTestExamples} test, ${i.numClasses} classes, ${i.imageShape.join('x')}`;
  } catch {
    return '';
  }
}

/** `lth datasets [pattern]`: the dataset names of `registry` with their sizes; `*` and `?` filter. */
export function renderDatasets(registry: Registry, pattern?: string): string {
  const hits = registry.list('dataset', pattern);
  if (!hits.length) return pattern ? `No dataset matches '${pattern}'. Run lth datasets to list them all.` : 'No datasets are loaded.';
  const rows = hits.map((c) => [c.name, datasetSummary(c), `[${c.plugin}]`]);
  return ['Datasets:', ...table(rows)].join('\n');
}
