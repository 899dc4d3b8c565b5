import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inject, injectable, TOKENS, type Registry } from '@lth/kernel';
import { openTestSession, removeTempDirs, tempDir } from '@lth/testing';
import { formatReportCsv, listRows, readExperiment, reportExtension, reportExtensionsOf, reportOf, stat, type ReportExtension, type RunData } from '../src';
import { accuracy, BRANCH, REPORT_PLUGINS, registry, writeFixture } from './fixture';

/** A test's report extension: twice the final accuracy of each run of the fixture's branch; built with its session's registry. */
@injectable()
@reportExtension({ name: 'test_x2', branch: 'randomly_reinitialize', description: 'Twice the final accuracy (a test).' })
class TwiceFinal implements ReportExtension {
  constructor(@inject(TOKENS.Registry) readonly registry: Registry) {}

  metrics(run: RunData): Record<string, number | null> {
    return { test_extension_final_x2: run.final ? 2 * run.final.accuracy : null };
  }
}

describe('workflow-report: reading results', () => {
  after(removeTempDirs);

  it('tabulates every level of the trunk and the branch as mean ± sample std over the replicates', () => {
    const dir = writeFixture(tempDir('report'));
    const r = reportOf(dir, registry);
    expect(r.rows.map((x) => `${x.level}:${x.line}`)).to.deep.equal([0, 1, 2, 3].flatMap((l) => [`${l}:trunk`, `${l}:randomly_reinitialize`]));
    for (const row of r.rows) {
      const line = row.line === 'trunk' ? 'trunk' : 'branch';
      const a1 = accuracy(line, row.level, 1);
      const a2 = accuracy(line, row.level, 2);
      expect(row.final.n).to.equal(2);
      expect(row.final.mean).to.be.closeTo((a1 + a2) / 2, 1e-12);
      expect(row.final.std).to.be.closeTo(Math.abs(a1 - a2) / Math.SQRT2, 1e-12);
      expect(row.best.mean).to.be.closeTo((a1 + a2) / 2 + 0.01, 1e-12);
      expect(row.unpruned).to.equal(Math.round(235200 * 0.8 ** row.level) + Math.round(30000 * 0.8 ** row.level) + 1000);
      expect(row.total).to.equal(266200);
      expect([row.complete, row.running, row.partial]).to.deep.equal([2, 0, false]);
    }
    expect(r.points).to.have.length(16);
    expect(r.curves).to.have.length(48);
    expect(r.density.filter((d) => d.layer === 'fc_layers.0.weight').map((d) => d.density)).to.deep.equal([0, 1, 2, 3].map((l) => Math.round(235200 * 0.8 ** l) / 235200));
    expect(r.summary).to.equal('mnist_lenet_300_100 dataset_name=fashion_mnist training_steps=2ep data_order_seed=1');
  });

  it('lists the experiment and its branch with levels, status, best accuracy and non-default hyperparameters', () => {
    const root = tempDir('report');
    writeFixture(root);
    const rows = listRows(root, registry);
    expect(rows.map((r) => [r.kind, r.hashname.slice(0, 8), r.replicates.join(','), r.levelsDone, r.levelsPlanned, r.complete])).to.deep.equal([
      ['lottery', 'lottery_', '1,2', 3, 3, true],
      ['branch', 'lottery_', '1,2', null, null, true],
    ]);
    expect(rows[1].hashname).to.equal(BRANCH);
    expect(rows[1].branchLevels).to.deep.equal([0, 1, 2, 3]);
    expect(rows[0].bestAccuracy).to.be.closeTo(accuracy('trunk', 3, 2) + 0.01, 1e-12);
    expect(rows[0].values.dataset_name).to.equal('fashion_mnist');
  });

  it('shows runs in progress: the level is running, its row is over the complete replicate only', () => {
    const root = tempDir('report');
    const dir = writeFixture(root, { inProgress: true });
    const r = reportOf(dir, registry);
    const row = r.rows.find((x) => x.level === 3 && x.line === 'trunk')!;
    expect([row.complete, row.running, row.final.n]).to.deep.equal([1, 1, 1]);
    expect(row.final.mean).to.equal(accuracy('trunk', 3, 1));
    const [lottery] = listRows(root, registry);
    expect([lottery.levelsDone, lottery.complete, lottery.running]).to.deep.equal([2, false, 1]);
    fs.rmSync(path.join(dir, 'replicate_1', 'level_3'), { recursive: true });
    const partial = reportOf(dir, registry).rows.find((x) => x.level === 3 && x.line === 'trunk')!;
    expect([partial.complete, partial.running, partial.partial]).to.deep.equal([0, 1, true]);
    expect(partial.final.mean).to.be.closeTo(accuracy('trunk', 3, 2) + 0.01, 1e-12);
  });

  it('reads a half-written experiment and a corrupt desc.json without throwing', () => {
    const root = tempDir('report');
    const dir = writeFixture(root);
    fs.writeFileSync(path.join(dir, 'replicate_1', 'level_0', 'main', 'desc.json'), '{"hashname": ');
    fs.writeFileSync(path.join(dir, 'replicate_2', 'level_0', 'main', 'desc.json'), '[]');
    fs.mkdirSync(path.join(root, 'train_0123456789abcdef0123456789abcdef', 'replicate_1', 'main'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'replicate_1', 'level_2', 'main', 'logger'), 'not,a\nlogger');
    const rows = listRows(root, registry);
    const lottery = rows.find((r) => r.kind === 'lottery')!;
    expect(lottery.problem).to.match(/desc\.json is not JSON/);
    expect(lottery.complete).to.equal(false);
    const train = rows.find((r) => r.kind === 'train')!;
    expect([train.complete, train.problem]).to.deep.equal([false, train.problem]);
    expect(train.problem).to.match(/Cannot read .*desc\.json/);
    const e = readExperiment(dir, []);
    expect(e.runs.find((x) => x.replicate === 1 && x.level === 2)!.run.status).to.equal('unreadable');
    const r = reportOf(dir, registry);
    expect(r.summary).to.match(/^\(hyperparameters unknown: /);
    expect(r.rows.find((x) => x.level === 2 && x.line === 'trunk')!.final.n).to.equal(1);
  });

  it('writes CSV whose numbers are the rows\'', () => {
    const r = reportOf(writeFixture(tempDir('report')), registry);
    const lines = formatReportCsv(r).split('\n');
    expect(lines).to.have.length(9);
    const header = lines[0].split(',');
    const first = Object.fromEntries(lines[1].split(',').map((v, i) => [header[i], v]));
    expect(Number(first.final_mean)).to.equal(r.rows[0].final.mean);
    expect(Number(first.final_std)).to.equal(r.rows[0].final.std);
    expect(first.line).to.equal('trunk');
  });

  it('an extension (a contribution of its session) adds a column of its branch, averaged like the accuracies', async () => {
    const session = openTestSession({ plugins: [...REPORT_PLUGINS, { name: 'report-extension-test', classes: [TwiceFinal] }] });
    try {
      const [ext] = reportExtensionsOf(session.registry);
      expect([ext.name, ext.meta.branch, ext.plugin]).to.deep.equal(['test_x2', 'randomly_reinitialize', 'report-extension-test']);
      expect((ext.instance as TwiceFinal).registry).to.equal(session.registry);
      const r = reportOf(writeFixture(tempDir('report')), session.registry);
      expect(r.extraColumns).to.deep.equal(['test_extension_final_x2']);
      const row = r.rows.find((x) => x.line === 'randomly_reinitialize' && x.level === 1)!;
      expect(row.extra.test_extension_final_x2.mean).to.be.closeTo(2 * row.final.mean!, 1e-12);
      expect(r.rows.find((x) => x.line === 'trunk')!.extra).to.deep.equal({});
    } finally {
      await session.dispose();
    }
  });

  it("a session does not see another session's report extensions", async () => {
    const other = openTestSession({ plugins: [...REPORT_PLUGINS, { name: 'report-extension-test', classes: [TwiceFinal] }] });
    try {
      expect(reportExtensionsOf(other.registry)).to.have.length(1);
      expect(reportExtensionsOf(registry)).to.deep.equal([]);
      expect(reportOf(writeFixture(tempDir('report')), registry).extraColumns).to.deep.equal([]);
    } finally {
      await other.dispose();
    }
    expect(reportExtensionsOf(other.registry)).to.deep.equal([]);
  });

  it('stat: mean, sample std and n; no std for one value', () => {
    const s = stat([0.5, 0.7, null]);
    expect([s.mean, s.std, s.n]).to.deep.equal([0.6, s.std, 2]);
    expect(s.std).to.be.closeTo(Math.sqrt(0.02), 1e-15);
    expect(stat([0.5])).to.deep.equal({ mean: 0.5, std: null, n: 1 });
    expect(stat([])).to.deep.equal({ mean: null, std: null, n: 0 });
  });
});
