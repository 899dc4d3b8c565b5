import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'chai';
import { readmeGuideFiles, REPO } from './lth-binary';

const PACKAGE = 'lth-plugin-magnitude-threshold';

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
    const files = readmeGuideFiles('### Testing a plugin');
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
