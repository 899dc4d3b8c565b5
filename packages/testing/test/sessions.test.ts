import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import {
  addErrorCodes,
  declareContribution,
  inject,
  injectable,
  KERNEL_VERSION,
  Mask,
  PruningHparams,
  Registry,
  strategy,
  TOKENS,
  workflow,
  type ErrorCodeInfo,
  type FlagGroup,
  type Job,
  type PruningStrategy,
  type ResolvedConfig,
  type Workflow,
} from '@lth/kernel';
import { expectLthError, openTestSession, removeTempDirs, tempDir, testJob, RecordingOutput, useTestSession } from '../src';

/** A contribution kind this test adds by declaration merging: typed end to end. */
interface Analysis {
  analyze(values: readonly number[]): number;
}

declare module '@lth/kernel' {
  interface ContributionKinds {
    analysis: Analysis;
  }
  interface ErrorCodes {
    UNKNOWN_ANALYSIS: ErrorCodeInfo;
  }
}
addErrorCodes({ UNKNOWN_ANALYSIS: { exit: 2, meaning: 'An analysis name no loaded plugin registers (a test of new contribution kinds).' } });

/** The decorator a plugin adding the `analysis` kind would export. */
function analysis(meta: { name: string; description: string }) {
  return (cls: new () => Analysis): void => {
    declareContribution({ kind: 'analysis', names: [meta.name], cls, description: meta.description, meta: {} });
  };
}

@analysis({ name: 'mean', description: 'The mean of the values.' })
class MeanAnalysis implements Analysis {
  analyze(values: readonly number[]): number {
    return values.reduce((a, b) => a + b, 0) / values.length;
  }
}

/** A strategy whose constructor receives the session's config and registry. */
@injectable()
@strategy({ name: 'di_test_keep', hparams: PruningHparams, description: 'Keeps every weight (a DI test).' })
class KeepStrategy implements PruningStrategy {
  constructor(
    @inject(TOKENS.Config) readonly config: ResolvedConfig,
    @inject(TOKENS.Registry) readonly registry: Registry,
  ) {}

  prune(_hp: PruningHparams, _model: unknown, mask: Mask): Mask {
    return mask;
  }
}

/** A workflow that reports what it was built with and what its job's container holds. */
@injectable()
@workflow({ name: 'di_test_workflow', description: 'Says which strategies its session has (a DI test).' })
class ReportingWorkflow implements Workflow {
  constructor(@inject(TOKENS.Registry) private readonly registry: Registry) {}

  flagGroups(): FlagGroup[] {
    return [];
  }

  outputLocations(): string[] {
    return [];
  }

  async run(job: Job): Promise<void> {
    job.out.line(`strategies: ${this.registry.list('strategy').map((s) => s.name).join(',')}`);
    job.out.line(`same platform: ${job.container.resolve(TOKENS.Platform) === job.platform}`);
  }
}

/** A contribution whose constructor needs something but says nothing of how to inject it. */
@strategy({ name: 'di_test_unresolvable', hparams: PruningHparams })
class Unresolvable implements PruningStrategy {
  constructor(readonly what: string) {}

  prune(_hp: PruningHparams, _model: unknown, mask: Mask): Mask {
    return mask;
  }
}

const INLINE = { name: 'di-test-plugin', classes: [KeepStrategy, ReportingWorkflow, MeanAnalysis] };

/** A plain-JavaScript plugin package whose strategy injects the registry (through the host's tsyringe). */
function writeJsPlugin(root: string): string {
  const dir = path.join(root, 'lth-plugin-js');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'lth-plugin-js', version: '1.0.0', main: 'index.js', lth: { kernel: `^${KERNEL_VERSION}` } }));
  fs.writeFileSync(
    path.join(dir, 'index.js'),
    `const { injectable, inject } = require('tsyringe');
const { strategy, PruningHparams, TOKENS } = require('@lth/kernel');
class JsStrategy {
  constructor(registry) { this.registry = registry; }
  prune(hp, model, mask) { return mask; }
}
inject(TOKENS.Registry)(JsStrategy, undefined, 0);
injectable()(JsStrategy);
strategy({ name: 'js_keep', hparams: PruningHparams })(JsStrategy);
exports.JsStrategy = JsStrategy;
`,
  );
  return dir;
}

describe('sessions: one container and registry each, contributions built by injection', () => {
  after(removeTempDirs);

  describe('a session of an inline plugin', () => {
    const s = useTestSession({ plugins: [INLINE], config: { platform: { name: 'local', root: '/di-test' } } });

    it('builds contributions through its container: constructor parameters receive the config and the registry', () => {
      const keep = s.registry.strategy('di_test_keep').instance as KeepStrategy;
      expect(keep).to.be.instanceOf(KeepStrategy);
      expect(keep.config).to.equal(s.config);
      expect(keep.config.config.platform?.root).to.equal('/di-test');
      expect(keep.registry).to.equal(s.registry);
      expect(s.container.resolve(TOKENS.Registry)).to.equal(s.registry);
    });

    it('runs a workflow in-process with a job container holding the platform and output', async () => {
      const job = await (async () => {
        const j = testJob(s, { groups: {} });
        await s.registry.workflow('di_test_workflow').instance.run(j);
        return j;
      })();
      expect(job.out.lines).to.deep.equal(['strategies: di_test_keep', 'same platform: true']);
      expect(job.container.resolve(TOKENS.Output)).to.equal(job.out);
      expect(job.container.resolve(TOKENS.Registry)).to.equal(s.registry);
    });

    it('types a contribution kind a package adds by declaration merging, end to end', () => {
      const mean = s.registry.get('analysis', 'mean');
      expect(mean.instance.analyze([1, 2, 6])).to.equal(3);
      expect(mean.plugin).to.equal('di-test-plugin');
      expect(s.registry.list('analysis').map((c) => c.name)).to.deep.equal(['mean']);
      expectLthError(() => s.registry.get('analysis', 'median'), 'UNKNOWN_ANALYSIS', /Unknown analysis 'median'\. Known: mean/);
    });
  });

  it('keeps two sessions apart: contributions, instances, state', async () => {
    const a = openTestSession({ plugins: [INLINE] });
    const b = openTestSession({ plugins: [] });
    const c = openTestSession({ plugins: [INLINE] });
    try {
      expect(a.registry.find('strategy', 'di_test_keep')).to.not.equal(undefined);
      expect(b.registry.find('strategy', 'di_test_keep')).to.equal(undefined);
      expect(b.registry.list('workflow')).to.deep.equal([]);
      const ka = a.registry.strategy('di_test_keep').instance as KeepStrategy;
      const kc = c.registry.strategy('di_test_keep').instance as KeepStrategy;
      expect(ka).to.not.equal(kc);
      expect(ka.registry).to.equal(a.registry);
      expect(kc.registry).to.equal(c.registry);
    } finally {
      await Promise.all([a.dispose(), b.dispose(), c.dispose()]);
    }
    expect(a.registry.list('strategy')).to.deep.equal([]);
  });

  it('loads a package plugin into each session that asks for it, though Node loads its module once', async () => {
    const dir = writeJsPlugin(tempDir('di-plugin'));
    const a = openTestSession({ plugins: [dir] });
    const b = openTestSession({ plugins: [] });
    const c = openTestSession({ plugins: [dir] });
    try {
      const ja = a.registry.strategy('js_keep');
      expect(ja.plugin).to.equal(dir);
      expect((ja.instance as unknown as { registry: Registry }).registry).to.equal(a.registry);
      expect(b.registry.find('strategy', 'js_keep')).to.equal(undefined);
      expect((c.registry.strategy('js_keep').instance as unknown as { registry: Registry }).registry).to.equal(c.registry);
      expect(a.plugins.map((p) => p.manifest.name)).to.deep.equal(['lth-plugin-js']);
    } finally {
      await Promise.all([a.dispose(), b.dispose(), c.dispose()]);
    }
  });

  it('reports a contribution whose constructor cannot be resolved as one PLUGIN_LOAD_FAILED line', () => {
    expectLthError(() => openTestSession({ plugins: [{ name: 'di-bad', classes: [Unresolvable] }] }), 'PLUGIN_LOAD_FAILED', /Plugin di-bad: Unresolvable could not be built .*@injectable\(\) and @inject\(TOKENS/);
  });

  it('opens with every built-in plugin by default, their contributions as lth has them', async () => {
    const s = openTestSession();
    try {
      expect(s.plugins.map((p) => p.manifest.name)).to.include.members(['@lth/nn', '@lth/training', '@lth/lottery', '@lth/plugin-model-lenet']);
      expect(s.registry.workflow('train').plugin).to.equal('@lth/training');
      expect(s.registry.modelFamilyFor('mnist_lenet_300_100').name).to.equal('mnist_lenet');
      expect(s.registry.find('initializer', 'kaiming_normal')?.plugin).to.equal('@lth/nn');
    } finally {
      await s.dispose();
    }
  });

  it('testJob gives a job the session registry and a recording output', () => {
    const s = openTestSession({ plugins: [] });
    try {
      const job = testJob(s, { groups: {}, args: { replicate: 3 } });
      expect(job.registry).to.equal(s.registry);
      expect(job.args.replicate).to.equal(3);
      expect(job.out).to.be.instanceOf(RecordingOutput);
    } finally {
      void s.dispose();
    }
  });
});
