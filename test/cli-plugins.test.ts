import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { FIXTURES, lines, Scratch, type LthRun } from './lth-binary';

function expectPluginError(run: LthRun, pattern: RegExp): void {
  expect(run.code, run.stderr).to.not.equal(0);
  const errs = lines(run.stderr);
  expect(errs, run.stderr).to.have.length(1);
  expect(errs[0]).to.match(pattern);
}

describe('lth with a plugin installed in another project (end to end)', function () {
  this.timeout(180000);
  let s: Scratch;
  let project: string;

  before(() => {
    s = new Scratch('plugin');
    project = path.join(s.dir, 'project');
    fs.mkdirSync(project);
    const npm = (args: string[]) => execFileSync('npm', args, { cwd: project, env: s.env(), stdio: 'pipe' });
    npm(['init', '-y']);
    npm(['install', path.join(FIXTURES, 'plugin-example'), '--install-links', '--offline', '--no-audit', '--no-fund']);
    fs.writeFileSync(path.join(project, 'lth.config.js'), "module.exports = { plugins: ['lth-plugin-example'] };\n");
  });
  after(() => s.remove());

  it('installs the plugin as a copy, not a link to the fixture', () => {
    const installed = path.join(project, 'node_modules', 'lth-plugin-example');
    expect(fs.lstatSync(installed).isSymbolicLink()).to.equal(false);
    expect(fs.existsSync(path.join(installed, 'index.js'))).to.equal(true);
  });

  it('lists the plugin and its contributions', async () => {
    const r = await s.lth(['plugins'], project);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain(`configuration ${path.join(project, 'lth.config.js')}`);
    const block = r.stdout.split('\n\n').find((b) => b.startsWith('lth-plugin-example 0.1.0'));
    expect(block, r.stdout).to.be.a('string');
    expect(block).to.contain('[from lth.config.js]');
    expect(block).to.contain('    datasets: example_blobs');
    expect(block).to.contain('    model families: example_mlp (example_mlp_N)');
    const models = await s.lth(['models', 'example_*'], project);
    expect(lines(models.stdout)).to.have.length(2);
    expect(models.stdout).to.match(/example_mlp_N +One hidden layer/);
  });

  it('shows train --help with the plugin model defaults', async () => {
    const r = await s.lth(['train', '--help', '--default_hparams=example_mlp_16'], project);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/--dataset_name <str> +\(default: example_blobs\)/);
    expect(r.stdout).to.match(/--batch_size <int> +\(default: 32\)/);
  });

  it('trains the plugin model on the plugin dataset for a few iterations', async () => {
    const args = [
      'train',
      '--dataset_name=example_blobs',
      '--model_name=example_mlp_16',
      '--model_init=kaiming_normal',
      '--batchnorm_init=uniform',
      '--optimizer_name=sgd',
      '--lr=0.1',
      '--batch_size=32',
      '--training_steps=12it',
      '--data_order_seed=0',
    ];
    const where = await s.lth([...args, '--display_output_location'], project);
    expect(where.code, where.stderr).to.equal(0);
    const location = where.stdout.trim();
    expect(location.startsWith(path.join(s.root, 'train_'))).to.equal(true);
    const r = await s.lth(args, project);
    expect(r.code, r.stderr).to.equal(0);
    expect(lines(r.stdout)[0]).to.equal('Backend: cpu');
    expect(r.stdout).to.contain(`Output Location: ${location}`);
    expect(fs.existsSync(path.join(location, 'model_ep1_it4.safetensors'))).to.equal(true);
    expect(fs.readFileSync(path.join(location, 'hparams.log'), 'utf8')).to.contain('model_name => example_mlp_16');
  });

  it('reads lth.config.ts: a plugin by relative path, and the platform root with ~', async () => {
    const dir = fs.mkdtempSync(path.join(s.dir, 'ts-'));
    const plugin = path.relative(dir, path.join(FIXTURES, 'plugin-example'));
    const config = `import type { LthConfig } from '@lth/kernel';\n\nexport default {\n  plugins: [${JSON.stringify(plugin)}],\n  platform: { root: '~/my_results' },\n} satisfies LthConfig;\n`;
    fs.writeFileSync(path.join(dir, 'lth.config.ts'), config);
    const r = await s.lth(['train', '--default_hparams=example_mlp_16', '--display_output_location'], dir, { LTH_ROOT: '' });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(new RegExp(`^${path.join(s.home, 'my_results')}/train_[0-9a-f]{32}/replicate_1/main\n$`));
    expect(fs.readdirSync(dir)).to.deep.equal(['lth.config.ts']);
  });

  describe('broken plugin configurations, each one line naming the plugin', () => {
    const withConfig = async (plugins: string[]): Promise<LthRun> => {
      const dir = fs.mkdtempSync(path.join(s.dir, 'cfg-'));
      fs.writeFileSync(path.join(dir, 'lth.config.js'), `module.exports = { plugins: ${JSON.stringify(plugins)} };\n`);
      return s.lth(['plugins'], dir);
    };

    it('a plugin that is not installed', async () => {
      expectPluginError(await withConfig(['lth-plugin-nowhere']), /^Error: Plugin lth-plugin-nowhere was not found .*npm install lth-plugin-nowhere.* \[PLUGIN_NOT_FOUND\]$/);
    });

    it('a plugin that throws while loading', async () => {
      const p = path.join(FIXTURES, 'plugin-throws');
      expectPluginError(await withConfig([p]), new RegExp(`^Error: Plugin ${p} failed while loading: this plugin is broken on purpose \\[PLUGIN_LOAD_FAILED\\]$`));
    });

    it('two plugins registering the same dataset name', async () => {
      const a = path.join(FIXTURES, 'plugin-example');
      const b = path.join(FIXTURES, 'plugin-duplicate');
      expectPluginError(await withConfig([a, b]), new RegExp(`^Error: dataset 'example_blobs' is registered twice: by ${a} and by ${b}\\..* \\[DUPLICATE_NAME\\]$`));
    });

    it('a plugin built for another kernel', async () => {
      expectPluginError(await withConfig([path.join(FIXTURES, 'plugin-old-kernel')]), /^Error: Plugin lth-plugin-old-kernel@3\.0\.0 supports @lth\/kernel \^9\.0\.0, but this is @lth\/kernel 0\.1\.0\..* \[PLUGIN_INCOMPATIBLE\]$/);
    });
  });
});
