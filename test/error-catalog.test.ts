import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorCatalog } from '@lth/kernel';

/*
 * The error catalog against the sources and the README: every code thrown is catalogued, every
 * catalogued code is thrown somewhere, and the README's "Errors" table is the catalog's.
 * `LTH_WRITE_README=1` rewrites the table instead of failing on it.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const START = '<!-- error-codes: generated from the catalog by test/error-catalog.test.ts -->';
const END = '<!-- /error-codes -->';

/** Every TypeScript source of the packages and plugins (not their tests), relative to the root. */
function sources(): string[] {
  const files: string[] = [];
  for (const top of ['packages', 'plugins']) {
    for (const pkg of fs.readdirSync(path.join(ROOT, top))) {
      const src = path.join(ROOT, top, pkg, 'src');
      if (!fs.existsSync(src)) continue;
      for (const f of fs.readdirSync(src, { recursive: true }) as string[]) {
        if (f.endsWith('.ts') && !f.endsWith('.d.ts')) files.push(path.join(top, pkg, 'src', f));
      }
    }
  }
  return files.sort();
}

const CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
const declaresCodes = (text: string) => /\baddErrorCodes\(/.test(text) || /const KERNEL_ERROR_CODES\b/.test(text);

/** The codes of `new LthError('CODE', ...)` and `check(cond, 'CODE', ...)`, with where. */
function thrownCodes(files: readonly string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const note = (code: string, where: string) => found.set(code, [...(found.get(code) ?? []), where]);
  for (const f of files) {
    const text = fs.readFileSync(path.join(ROOT, f), 'utf8');
    for (const m of text.matchAll(/\bLthError\(\s*'([^']*)'/g)) note(m[1]!, f);
    for (const m of text.matchAll(/(?<![.\w])check\(\s*[^,()]+,\s*'([^']*)'/g)) note(m[1]!, f);
  }
  return found;
}

/** Loads every module that adds codes to the catalog (plugins' `errors.ts`), from its build. */
function loadPluginCodes(files: readonly string[]): void {
  for (const f of files) {
    if (f.startsWith('packages/kernel/') || !/\baddErrorCodes\(/.test(fs.readFileSync(path.join(ROOT, f), 'utf8'))) continue;
    const [top, pkg, , ...rest] = f.split(path.sep);
    require(path.join(ROOT, top!, pkg!, 'dist', 'src', rest.join(path.sep).replace(/\.ts$/, '.js')));
  }
}

/**
 * The catalog as the sources declare it: the kernel's codes and those the plugins add (tests
 * loaded in the same process may add codes of their own fixtures).
 */
function sourceCatalog(files: readonly string[]): ReturnType<typeof errorCatalog> {
  const declaring = files.map((f) => fs.readFileSync(path.join(ROOT, f), 'utf8')).filter(declaresCodes).join('\n');
  return errorCatalog().filter(([code]) => new RegExp(`^\\s*${code}: \\{ exit:`, 'm').test(declaring));
}

function readmeTable(catalog: ReturnType<typeof errorCatalog>): string {
  const rows = catalog.map(([code, info]) => `| \`${code}\` | ${info.exit} | ${info.meaning.replace(/\|/g, '\\|')} |`);
  return [START, '| code | exit | meaning |', '|---|---|---|', ...rows, END].join('\n');
}

describe('the error catalog', () => {
  const files = sources();
  before(() => loadPluginCodes(files));

  it('catalogues every code the sources throw', () => {
    const catalogued = new Set(errorCatalog().map(([code]) => code));
    const thrown = thrownCodes(files);
    expect(thrown.size, 'the scan found the throws').to.be.above(50);
    expect(sourceCatalog(files).length, 'the scan found the catalog').to.be.above(70);
    const missing = [...thrown].filter(([code]) => !catalogued.has(code as never)).map(([code, where]) => `${code} (${where.join(', ')})`);
    expect(missing, 'thrown but not catalogued').to.deep.equal([]);
    for (const code of thrown.keys()) expect(code).to.match(CODE);
  });

  it('has no code that no source uses', () => {
    const used = new Set<string>();
    for (const f of files) {
      const text = fs.readFileSync(path.join(ROOT, f), 'utf8');
      if (declaresCodes(text)) continue;
      for (const m of text.matchAll(/'([A-Z][A-Z0-9_]*)'/g)) used.add(m[1]!);
    }
    const unused = sourceCatalog(files).map(([code]) => code).filter((code) => !used.has(code));
    expect(unused, 'catalogued but never used').to.deep.equal([]);
  });

  it('gives each code one exit status from 1 to 125 and a one-line meaning', () => {
    for (const [code, info] of sourceCatalog(files)) {
      expect(code).to.match(CODE);
      expect(info.exit, code).to.be.within(1, 125);
      expect(info.meaning, code).to.match(/^[^\n]{10,160}$/);
    }
  });

  it("is the README's Errors table", () => {
    const file = path.join(ROOT, 'README.md');
    const readme = fs.readFileSync(file, 'utf8');
    const table = readmeTable(sourceCatalog(files));
    const at = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(at, 'README.md has the generated table').to.be.at.least(0);
    const current = readme.slice(at, end + END.length);
    if (process.env.LTH_WRITE_README === '1' && current !== table) fs.writeFileSync(file, readme.slice(0, at) + table + readme.slice(end + END.length));
    else expect(current, 'README.md is stale: run this test with LTH_WRITE_README=1').to.equal(table);
  });
});
