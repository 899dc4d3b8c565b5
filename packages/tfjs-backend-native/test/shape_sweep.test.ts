import { expect } from 'chai';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { isAvailable } from '../src';

interface SweepReport {
  cases: number;
  mismatches: string[];
  stats: Record<string, { native: number; fallback: number }>;
}

describe('native conv/pool shape sweep (child process)', function () {
  before(function () {
    if (!isAvailable()) this.skip();
  });

  it('matches cpu on 1x1 strided convs, strided pools and a random shape sweep, without corrupting the heap', () => {
    const child = path.join(__dirname, 'shape_sweep_child.js');
    const r = spawnSync(process.execPath, [child], {
      encoding: 'utf8',
      timeout: 110_000,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, MALLOC_CHECK_: '3', MALLOC_PERTURB_: '165' },
    });
    const why = `signal ${r.signal}, status ${r.status}\n${r.stderr}`;
    expect(r.signal, why).to.equal(null);
    expect(r.status, why).to.equal(0);
    const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as SweepReport;
    expect(report.mismatches).to.deep.equal([]);
    expect(report.cases).to.be.greaterThan(300);
    for (const k of ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'MaxPool', 'AvgPool', 'MaxPoolGrad', 'AvgPoolGrad']) {
      expect(report.stats[k]?.native, `${k} ran natively`).to.be.greaterThan(20);
      expect(report.stats[k]?.fallback, `${k} fell back to cpu`).to.equal(0);
    }
  });
});
