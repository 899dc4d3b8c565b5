import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { removeTempDirs, tempDir } from '@lth/testing';
import { reportExtensionsOf, reportOf, writeReport } from '../src';
import { registry, writeFixture } from './fixture';

const CHROMIUM = process.env.LTH_CHROMIUM ?? '/usr/bin/chromium';

describe('report.html in headless Chromium', function () {
  this.timeout(120000);
  let browser: Browser;
  let html: string;
  before(async () => {
    const work = tempDir('report-html');
    html = await writeReport(reportOf(writeFixture(path.join(work, 'results')), registry), path.join(work, 'out'), reportExtensionsOf(registry));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => {
    await browser?.close();
    removeTempDirs();
  });

  it('renders the three figures with the expected marks', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1900 } });
    await page.goto(pathToFileURL(html).href);
    const marks = await page.evaluate(() => {
      const count = (fig: string, sel: string) =>
        [...document.querySelectorAll(`#fig-${fig} svg ${sel}`)].filter((e) => {
          const b = (e as SVGGraphicsElement).getBBox();
          return b.width > 0 || b.height > 0;
        }).length;
      const symbols = (fig: string) => [...document.querySelectorAll(`#fig-${fig} svg .mark-symbol.role-mark path`)].map((e) => (e as SVGGraphicsElement).getBoundingClientRect().x);
      return {
        svgs: document.querySelectorAll('figure svg').length,
        lthLines: count('lth', '.mark-line.role-mark path'),
        lthBands: count('lth', '.mark-area.role-mark path'),
        lthPointsX: symbols('lth'),
        curveLines: count('curves', '.mark-line.role-mark path'),
        densityLines: count('density', '.mark-line.role-mark path'),
        legend: [...document.querySelectorAll('#fig-lth svg .role-legend-label text')].map((t) => t.textContent),
        rows: document.querySelectorAll('tbody tr').length,
      };
    });
    expect(marks.svgs).to.equal(3);
    expect(marks.lthLines).to.equal(2);
    expect(marks.lthBands).to.equal(2);
    expect(marks.lthPointsX).to.have.length(8);
    expect(marks.curveLines).to.equal(8);
    expect(marks.densityLines).to.equal(3);
    expect(marks.legend).to.deep.equal(['trunk', 'randomly_reinitialize']);
    expect(marks.rows).to.equal(8);
    const trunkX = marks.lthPointsX.slice(0, 4);
    expect(trunkX, 'weights remaining decrease to the right').to.deep.equal([...trunkX].sort((a, b) => a - b));
    const png = path.join(path.dirname(html), 'screenshot.png');
    await page.screenshot({ path: png, fullPage: true });
    expect(fs.statSync(png).size).to.be.greaterThan(20000);
  });
});
