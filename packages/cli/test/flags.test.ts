import { expect } from 'chai';
import { DatasetHparams, isLthError, JobArgs, type FlagGroup } from '@lth/kernel';
import { flagSpecs } from '../src/flag-specs';
import { helpPrefix } from '../src/help-text';
import { parseInvocation, planInvocation } from '../src/invocation';
import { closest } from '../src/suggest';
import { FakeArgs, FakeInner, FakeVariantArgs } from './fixtures/fake-workflow';
import { fakeSession } from './fixtures/session';

const SESSION = fakeSession({ platform: { name: 'cli_fake_platform', root: '/r' } });

async function parse(argv: string[]) {
  return (await parseInvocation(planInvocation('cli_fake', argv, SESSION))).jobs[0];
}

async function failure(argv: string[]): Promise<{ code: string; message: string }> {
  try {
    await parse(argv);
  } catch (e) {
    if (isLthError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

describe('cli flag specs', () => {
  it('makes one flag per field, prefixed, with defaults from the group and required where none is left', () => {
    const groups: FlagGroup[] = [
      { key: 'fake', hparams: FakeArgs },
      { key: 'pre', hparams: DatasetHparams, prefix: 'pretrain', defaults: { batch_size: 64 } },
    ];
    const specs = flagSpecs(groups);
    const byName = new Map(specs.map((s) => [s.name, s]));
    expect(specs.map((s) => s.name).slice(0, 6)).to.deep.equal(['levels', 'fraction', 'loud', 'pretrain', 'pretrain_dataset_name', 'pretrain_batch_size']);
    expect(byName.get('levels')!.required).to.equal(true);
    expect(byName.get('fraction')!).to.include({ required: false, default: 0.5, kind: 'float' });
    expect(byName.get('pretrain_batch_size')!).to.include({ required: false, default: 64 });
    expect(byName.get('pretrain_dataset_name')!.required).to.equal(true);
    expect(byName.get('loud')!.kind).to.equal('bool');
  });

  it('expands a nested group into --<field>_<subfield> flags, with nested defaults', () => {
    const specs = flagSpecs([{ key: 'v', hparams: FakeVariantArgs, defaults: { inner: FakeInner.create({ name: 'n' }) } }]);
    expect(specs.map((s) => [s.name, s.required, s.default])).to.deep.equal([
      ['inner_name', false, 'n'],
      ['inner_size', false, 3],
      ['mode', false, 'x'],
    ]);
    expect(flagSpecs([{ key: 'v', hparams: FakeVariantArgs, prefix: 'b' }]).map((s) => s.name)).to.deep.equal(['b_inner_name', 'b_inner_size', 'b_mode']);
  });

  it('rejects two groups defining the same flag, naming both', () => {
    expect(() => flagSpecs([{ key: 'a', hparams: JobArgs }, { key: 'b', hparams: JobArgs, title: 'Again' }])).to.throw(/--replicate is defined twice: by 'High-Level Arguments' .* and by 'Again'/);
  });

  it('prefixes help as OpenLTH: (optional), (required: t), (default: v), (optional: t) for falsy defaults', () => {
    const specs = flagSpecs([{ key: 'd', hparams: DatasetHparams, defaults: { batch_size: 128 } }, { key: 'j', hparams: JobArgs }, { key: 'f', hparams: FakeArgs }]);
    const p = (n: string) => helpPrefix(specs.find((s) => s.name === n)!);
    expect(p('do_not_augment')).to.equal('(optional)');
    expect(p('dataset_name')).to.equal('(required: str)');
    expect(p('batch_size')).to.equal('(default: 128)');
    expect(p('replicate')).to.equal('(default: 1)');
    expect(p('fraction')).to.equal('(default: 0.5)');
    expect(p('subsample_fraction')).to.equal('(optional: float)');
  });
});

describe('cli typo suggestions', () => {
  it('suggests the closest flag by edit distance, and nothing when none is close', () => {
    const names = ['batch_size', 'dataset_name', 'lr', 'levels'];
    expect(closest('batchsize', names)).to.equal('batch_size');
    expect(closest('datset_name', names)).to.equal('dataset_name');
    expect(closest('level', names)).to.equal('levels');
    expect(closest('completely_different', names)).to.equal(undefined);
  });
});

describe('cli strict parse against the plan', () => {
  it('builds every group from --a=b and --a b, filling defaults', async () => {
    const p = await parse(['--levels', '3', '--dataset_name=mnist', '--batch_size', '32', '--loud', '--replicate=2']);
    expect(p.groups.fake.values()).to.deep.equal({ levels: 3, fraction: 0.5, loud: true, pretrain: false });
    expect(String(p.groups.dataset)).to.equal("Hparams(batch_size=32, dataset_name='mnist')");
    expect(p.args.replicate).to.equal(2);
    expect(p.args.quiet).to.equal(false);
    expect(p.platformHparams.values()).to.deep.equal({ fake_ranks: 1 });
    expect(p.displayOutputLocation).to.equal(false);
  });

  it('takes defaults from --default_hparams through the workflow, and flags win over them', async () => {
    const p = await parse(['--default_hparams=tiny', '--levels=1', '--batch_size=7']);
    expect(String(p.groups.dataset)).to.equal("Hparams(batch_size=7, dataset_name='mnist')");
  });

  it('adds the groups selectors ask for: a positional (anywhere) and --pretrain', async () => {
    const p = await parse(['--levels=1', '--pretrain', 'v1', '--default_hparams=tiny', '--inner_name=q', '--pretrain_batch_size=5']);
    expect(p.positionals).to.deep.equal(['v1']);
    expect(p.groups.variant.values().mode).to.equal('x');
    expect(String(p.groups.variant)).to.equal("Hparams(inner=Hparams(name='q'))");
    expect(p.groups.pre.values().batch_size).to.equal(5);
  });

  it('finds a positional after a switch it cannot know yet, even when the workflow rejects the first reading', async () => {
    const plan = planInvocation('cli_fake_branch', ['--fresh', 'fresh_start', '--seed', '4'], SESSION);
    expect(plan.selectors.positionals).to.deep.equal(['fresh_start']);
    const p = (await parseInvocation(plan)).jobs[0];
    expect(p.groups.branch.values()).to.deep.equal({ fresh: true, seed: 4 });
    expect(() => planInvocation('cli_fake_branch', ['--seed', '4', 'other'], SESSION)).to.throw(/Choose a branch: fresh_start \(got other\)/);
    expect(() => planInvocation('cli_fake_branch', ['--seed', '4'], SESSION)).to.throw(/got none/);
  });

  it('lists every missing required flag by name in one error, with the --default_hparams hint', async () => {
    const e = await failure(['v1']);
    expect(e.code).to.equal('MISSING_FLAGS');
    expect(e.message).to.equal('Missing required flags: --levels, --dataset_name, --batch_size, --inner_name (or pass --default_hparams=<model>).');
    const one = await failure(['--default_hparams=tiny']);
    expect(one.message).to.equal('Missing required flag: --levels.');
  });

  it('rejects an unknown flag, suggesting the closest valid name', async () => {
    expect(await failure(['--levels=1', '--batchsize=3'])).to.deep.equal({ code: 'UNKNOWN_FLAG', message: 'Unknown flag --batchsize. Did you mean --batch_size?' });
    expect((await failure(['--zzzzzzzzzzzz'])).message).to.equal('Unknown flag --zzzzzzzzzzzz. Run lth cli_fake --help to see its flags.');
    expect((await failure(['-x'])).code).to.equal('UNKNOWN_FLAG');
    expect((await failure(['--inner_name=q'])).message).to.match(/Unknown flag --inner_name/);
  });

  it('rejects a value on a switch, a value flag without one, a repeated flag, and extra positionals', async () => {
    expect((await failure(['--loud=yes'])).message).to.match(/--loud is a switch and takes no value/);
    expect((await failure(['--levels'])).message).to.equal('--levels needs a value: --levels=<int>.');
    expect((await failure(['--levels=1', '--levels=2'])).message).to.match(/--levels can only be specified once/);
    expect(await failure(['v1', 'extra'])).to.deep.equal({ code: 'UNEXPECTED_ARGUMENT', message: "Unexpected argument 'extra': lth cli_fake takes <variant>." });
  });

  it('reports invalid values with the flag name, and errors the workflow raises for selectors', async () => {
    const base = ['--default_hparams=tiny', '--levels=1'];
    expect((await failure([...base, '--batch_size=0'])).message).to.equal('--batch_size=0 is invalid: must be greater than zero.');
    expect((await failure([...base, '--subsample_fraction=1.5'])).message).to.equal('--subsample_fraction=1.5 is invalid: must be a fraction in (0, 1].');
    expect((await failure(['--default_hparams=tiny', '--levels=x'])).message).to.match(/--levels expects an integer, got 'x'/);
    expect((await failure([...base, 'v1', '--inner_name=a', '--mode=z'])).message).to.match(/--mode='z' is not one of: x, y/);
    expect((await failure(['--default_hparams=big'])).code).to.equal('UNKNOWN_MODEL');
    expect((await failure(['v2'])).code).to.equal('UNKNOWN_VARIANT');
    expect((await failure(['--platform=nowhere'])).code).to.equal('UNKNOWN_PLATFORM');
  });
});
