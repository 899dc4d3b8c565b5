import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { emptyRegistry, expectLthError, removeTempDirs, tempDir } from '@lth/testing';
import { KERNEL_VERSION, loadPlugins, packageManifest } from '../src';

/** Writes a plugin package: its package.json (`lth` key included when given) and an index.js. */
function writePlugin(root: string, name: string, pkg: Record<string, unknown>, code: string): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.2.3', main: 'index.js', ...pkg }));
  fs.writeFileSync(path.join(dir, 'index.js'), code);
  return dir;
}

/** Code that records that it ran (the loader must refuse a bad manifest before any of it runs). */
const MARK = (dir: string) => `require('node:fs').writeFileSync(${JSON.stringify(path.join(dir, 'ran'))}, '');\n`;

describe('plugin manifests in package.json', () => {
  let root: string;
  beforeEach(() => (root = tempDir('plugin-manifest')));
  afterEach(removeTempDirs);

  it('reads the name and version of the package and the lth key', () => {
    const dir = writePlugin(root, 'lth-plugin-a', { lth: { kernel: `^${KERNEL_VERSION}`, description: 'A.', dependencies: { 'lth-plugin-b': '^1.0.0' } } }, '');
    expect(packageManifest('a', path.join(dir, 'index.js'))).to.deep.equal({
      name: 'lth-plugin-a',
      version: '1.2.3',
      kernel: `^${KERNEL_VERSION}`,
      description: 'A.',
      dependencies: { 'lth-plugin-b': '^1.0.0' },
    });
    const legacy = writePlugin(root, 'lth-plugin-legacy', {}, '');
    expect(packageManifest('legacy', path.join(legacy, 'index.js'))).to.equal(undefined);
  });

  it('rejects a malformed lth key with PLUGIN_INVALID naming the file', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ lth: 'yes' }, /"lth" key that is not an object/],
      [{ lth: {} }, /no valid "lth\.kernel" range/],
      [{ lth: { kernel: 'newest' } }, /no valid "lth\.kernel" range/],
      [{ lth: { kernel: '^0.1.0', dependencies: ['x'] } }, /"lth\.dependencies" that is not an object/],
      [{ lth: { kernel: '^0.1.0', dependencies: { x: 'any version' } } }, /"lth\.dependencies" that is not an object/],
      [{ version: 'one', lth: { kernel: '^0.1.0' } }, /no valid "version"/],
    ];
    cases.forEach(([pkg, text], i) => {
      const dir = writePlugin(root, `p${i}`, pkg, MARK(root));
      expectLthError(() => packageManifest(`p${i}`, path.join(dir, 'index.js')), 'PLUGIN_INVALID', new RegExp(`${path.join(dir, 'package.json').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} .*${text.source}`));
    });
  });

  it('refuses an incompatible kernel or a missing dependency before any plugin code runs', () => {
    const old = writePlugin(root, 'lth-plugin-old', { lth: { kernel: '^9.0.0' } }, MARK(root));
    expectLthError(() => loadPlugins([old], root, emptyRegistry()), 'PLUGIN_INCOMPATIBLE', /lth-plugin-old@1\.2\.3 supports @lth\/kernel \^9\.0\.0/);
    const needy = writePlugin(root, 'lth-plugin-needy', { lth: { kernel: `^${KERNEL_VERSION}`, dependencies: { 'lth-plugin-base': '^1.0.0' } } }, MARK(root));
    expectLthError(() => loadPlugins([needy], root, emptyRegistry()), 'PLUGIN_DEPENDENCY', /lth-plugin-needy needs plugin lth-plugin-base \(\^1\.0\.0\) loaded before it/);
    expect(fs.existsSync(path.join(root, 'ran'))).to.equal(false);
  });

  it('loads a plugin declared in package.json, and one exporting definePlugin, in dependency order', () => {
    const base = writePlugin(root, 'lth-plugin-base', { lth: { kernel: `^${KERNEL_VERSION}` } }, MARK(root));
    const legacy = writePlugin(root, 'lth-plugin-legacy', {}, `exports.plugin = require('@lth/kernel').definePlugin({ name: 'lth-plugin-legacy', version: '0.0.1', kernel: '^${KERNEL_VERSION}', dependencies: { 'lth-plugin-base': '^1.2.0' } });\n`);
    const loaded = loadPlugins([base, legacy], root, emptyRegistry());
    expect(loaded.map((p) => `${p.manifest.name}@${p.manifest.version}`)).to.deep.equal(['lth-plugin-base@1.2.3', 'lth-plugin-legacy@0.0.1']);
    expect(fs.existsSync(path.join(root, 'ran'))).to.equal(true);
  });
});
