import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'chai';
import { LthError, loadConfig } from '../src';

/** Writes `name` with `text` in a fresh directory and loads the configuration from there. */
function load(name: string, text: string): ReturnType<typeof loadConfig> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lth-config-'));
  try {
    fs.writeFileSync(path.join(dir, name), text);
    return loadConfig(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function rejects(name: string, text: string, message: RegExp): void {
  let error: unknown;
  try {
    load(name, text);
  } catch (e) {
    error = e;
  }
  expect(error, text).to.be.instanceOf(LthError);
  expect((error as LthError).code).to.equal('BAD_CONFIG');
  expect((error as LthError).message).to.match(message);
  expect((error as LthError).message).not.to.include('\n');
}

describe('lth.config.ts', () => {
  it('loads a valid configuration', () => {
    const c = load('lth.config.ts', "export default { builtins: true, plugins: ['x'], platform: { name: 'local', root: '/tmp/r' } };\n");
    expect(c.config).to.deep.equal({ builtins: true, plugins: ['x'], platform: { name: 'local', root: '/tmp/r' } });
    expect(c.file).to.match(/lth\.config\.ts$/);
  });

  it('rejects unknown keys with the closest known one, also a platform setting written at the top', () => {
    rejects('lth.config.ts', 'export default { plugin: [] };', /unknown key 'plugin'\. Did you mean 'plugins'\?/);
    rejects('lth.config.ts', 'export default { rooot: "/x" };', /unknown key 'rooot'\. Did you mean 'platform\.root'\?/);
    rejects('lth.config.ts', 'export default { zzzzzz: 1 };', /unknown key 'zzzzzz'\. The keys are plugins, builtins, platform/);
  });

  it('rejects values of the wrong type', () => {
    rejects('lth.config.ts', "export default { platform: 'local' };", /'platform' must be an object .* Write platform: \{ name: "local" \}/);
    rejects('lth.config.ts', "export default { builtins: 'no' };", /'builtins' must be true or false \(got "no"\)/);
    rejects('lth.config.ts', "export default { plugins: 'x' };", /'plugins' must be a list/);
    rejects('lth.config.ts', 'export default { platform: { name: 3 } };', /'platform\.name' must be a platform name/);
    rejects('lth.config.ts', 'export default 3;', /must export an object/);
  });

  it('says where a syntax error is, for TypeScript and JSON', () => {
    rejects('lth.config.ts', "export default {\n  platform: { root: '/x' \n};\n", /lth\.config\.ts: syntax error at line 3, column 2: ',' expected\. Fix the file/);
    rejects('.lthrc.json', '{"platform": {"root": }}', /JSON Error in .*\.lthrc\.json: Unexpected token/);
  });

  it('reports an error the configuration throws while loading', () => {
    rejects('lth.config.js', "throw new Error('boom at load');", /boom at load/);
  });
});
