import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'chai';
import { REPO } from './lth-binary';

const PACKAGE = 'lth-plugin-magnitude-threshold';

/** The files of the README's "Testing a plugin" example: every code block introduced by "`<file>`:". */
function guideFiles(): Record<string, string> {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const start = readme.indexOf('### Testing a plugin');
  expect(start, "the README's plugin-testing guide").to.be.at.least(0);
  const text = readme.slice(start, readme.indexOf('\n## ', start));
  const files: Record<string, string> = {};
  for (const m of text.matchAll(/^`([^`\n]+)`:\n\n```\w*\n([\s\S]*?)\n```$/gm)) files[m[1]] = m[2] + '\n';
  return files;
}

/**
 * The plugin-author kit from outside the monorepo: the README's example package (a pruning
 * strategy and its mocha test, which depends on @lth/testing) written into a scratch folder,
 * its development dependencies linked from this checkout as `npm install` would place them,
 * compiled with TypeScript, and its own test run with mocha in a process of its own.
 */
describe('@lth/testing from a plugin outside the workspace (the README guide "Testing a plugin")', function () {
  this.timeout(300000);
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lth-plugin-kit-'));
    const pkg = path.join(dir, PACKAGE);
    const files = guideFiles();
    expect(Object.keys(files).sort()).to.deep.equal(['package.json', 'src/index.ts', 'test/threshold.test.ts', 'tsconfig.json']);
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(pkg, name)), { recursive: true });
      fs.writeFileSync(path.join(pkg, name), text);
    }
    const devDependencies = Object.keys((JSON.parse(files['package.json']) as { devDependencies: Record<string, string> }).devDependencies);
    for (const dep of devDependencies) {
      const target = path.join(pkg, 'node_modules', dep);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.symlinkSync(fs.realpathSync(path.join(REPO, 'node_modules', dep)), target);
    }
  });
  after(() => (process.env.KEEP_SCRATCH ? undefined : fs.rmSync(dir, { recursive: true, force: true })));

  it('compiles against the published types and passes its own mocha tests', () => {
    const pkg = path.join(dir, PACKAGE);
    expect(path.relative(REPO, pkg).startsWith('..')).to.equal(true);
    const tsc = spawnSync(process.execPath, [path.join(pkg, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', pkg], { encoding: 'utf8' });
    expect(tsc.status, tsc.stdout + tsc.stderr).to.equal(0);
    const mocha = spawnSync(process.execPath, [path.join(pkg, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--no-config', 'dist/test/**/*.test.js'], { cwd: pkg, encoding: 'utf8' });
    expect(mocha.status, mocha.stdout + mocha.stderr).to.equal(0);
    expect(mocha.stdout).to.match(/4 passing/);
    expect(mocha.stdout).to.contain('prunes the level of a lottery run in-process');
  });
});
