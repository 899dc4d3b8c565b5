import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'chai';
import { emptyRegistry } from '@lth/testing';
import { dataset, declaredPlatformKeys, loadPlugins, LthError, platformSettings, type DatasetFamily, type PlatformKey, type Registry } from '../src';

const PLUGIN = '(platform-keys test)';

/** A registry of its own with a dataset family declaring `platformKeys`, loaded as plugin `PLUGIN`. */
function declare(names: string[], platformKeys: Record<string, PlatformKey>): Registry {
  class Family implements DatasetFamily {
    info(): never {
      throw new Error('not loadable');
    }
    load(): never {
      throw new Error('not loadable');
    }
  }
  dataset({ names, platformKeys })(Family);
  const registry = emptyRegistry();
  loadPlugins([{ name: PLUGIN, classes: [Family] }], process.cwd(), registry);
  return registry;
}

describe('platform keys a plugin declares', () => {
  it('are collected from the dataset families, with the plugin that declared them', () => {
    expect(declaredPlatformKeys(emptyRegistry()).has('pkTestRoot')).to.equal(false);
    const registry = declare(['pk_test_a', 'pk_test_b'], { pkTestRoot: { help: 'A folder.', env: 'LTH_PK_TEST_ROOT' }, pkTestName: { help: 'A name.', kind: 'string' } });
    expect(declaredPlatformKeys(registry).get('pkTestRoot')).to.deep.equal({ help: 'A folder.', env: 'LTH_PK_TEST_ROOT', plugin: PLUGIN });
    expect(registry.find('dataset', 'pk_test_b')?.meta.platformKeys).to.have.keys('pkTestRoot', 'pkTestName');
  });

  it('are read from the environment, else the config, else null; paths expanded and absolute', () => {
    const registry = declare(['pk_test_a'], { pkTestRoot: { help: 'A folder.', env: 'LTH_PK_TEST_ROOT' }, pkTestName: { help: 'A name.', kind: 'string' } });
    const read = (config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => platformSettings(config, registry, env);
    expect(read({})).to.include({ pkTestRoot: null, pkTestName: null });
    expect(read({ pkTestRoot: '~/data', pkTestName: '~x' })).to.include({ pkTestRoot: path.join(os.homedir(), 'data'), pkTestName: '~x' });
    expect(read({ pkTestRoot: 'rel' }).pkTestRoot).to.equal(path.resolve('rel'));
    expect(read({ pkTestRoot: '/c' }, { LTH_PK_TEST_ROOT: '/e' }).pkTestRoot).to.equal('/e');
    expect(read({ other: 'x' })).to.not.have.property('other');
    expect(() => read({ pkTestRoot: 7 })).to.throw(LthError, /^platform\.pkTestRoot in lth\.config\.ts must be a non-empty string \(got 7\)\.$/);
    expect(() => read({ pkTestRoot: '' })).to.throw(LthError, /must be a non-empty string/);
  });

  it('are checked when the plugin loads', () => {
    const bad = (keys: unknown) => () => declare(['pk_test_bad'], keys as Record<string, PlatformKey>);
    expect(bad([])).to.throw(/@dataset\(\.\.\.\) on Family: 'platformKeys' must be an object of settings/);
    expect(bad({ 'Bad-Key': { help: 'x' } })).to.throw(/has 'Bad-Key': a key is a camelCase name/);
    expect(bad({ pkTestRoot: {} })).to.throw(/'pkTestRoot' needs a help text/);
    expect(bad({ pkTestRoot: { help: 'x', env: 'lower' } })).to.throw(/'pkTestRoot' has env "lower": an environment variable name/);
    expect(bad({ pkTestRoot: { help: 'x', kind: 'dir' } })).to.throw(/'pkTestRoot' has kind "dir": use 'path' or 'string'/);
  });
});
