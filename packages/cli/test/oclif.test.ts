import { expect } from 'chai';
import { Parser } from '@oclif/core';
import { bool, group, Hparams, isLthError, JobArgs, str, type FlagGroup } from '@lth/kernel';
import { flagSpecs } from '../src/flag-specs';
import { parseInvocation, planInvocation, type InvocationPlan } from '../src/invocation';
import { commandInput, oclifFlag } from '../src/oclif-flags';
import { lthParseError } from '../src/parse-errors';
import { FakeArgs, FakeVariantArgs } from './fixtures/fake-workflow';
import { fakeSession } from './fixtures/session';

/* eslint-disable @typescript-eslint/naming-convention */
@group({ name: 'Rewinding/Pretraining Arguments', description: 'Two flags that exclude each other.' })
class RewindingArgs extends Hparams {
  @str({ default: null, help: 'Rewind.', exclusive: ['pretrain'] })
  rewinding_steps!: string | null;
  @bool({ help: 'Pretrain.', exclusive: ['rewinding_steps'] })
  pretrain!: boolean;
}

const SESSION = fakeSession({ platform: { name: 'cli_fake_platform', root: '/r' } });

async function jobs(command: string, argv: string[]) {
  return (await parseInvocation(planInvocation(command, argv, SESSION))).jobs;
}

async function failure(argv: string[]): Promise<string> {
  try {
    await jobs('cli_fake', argv);
  } catch (e) {
    if (isLthError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

describe('cli typed oclif flags', () => {
  it('makes each field a real oclif flag: type, description, helpGroup, default, hidden', () => {
    const specs = flagSpecs([{ key: 'job', hparams: JobArgs }, { key: 'fake', hparams: FakeArgs }]);
    const flag = (name: string) => oclifFlag(specs.find((s) => s.name === name)!) as unknown as Record<string, unknown>;
    expect(flag('quiet')).to.include({ type: 'boolean', helpGroup: 'High-Level Arguments', description: 'Suppress output.', hidden: false });
    expect(flag('replicate')).to.include({ type: 'option', helpGroup: 'High-Level Arguments' });
    expect((flag('replicate').default as { points: unknown[] }).points).to.deep.equal([{ text: '1', value: 1 }]);
    expect(flag('levels')).to.include({ type: 'option', helpGroup: 'Fake Arguments', description: 'How many levels.' });
    expect(flag('levels').default).to.equal(undefined);
  });

  it('gives a str field with choices oclif options, split on commas, and a typed parse to the others', async () => {
    const specs = flagSpecs([{ key: 'v', hparams: FakeVariantArgs }]);
    const mode = oclifFlag(specs.find((s) => s.name === 'mode')!) as unknown as Record<string, unknown>;
    expect(mode).to.include({ type: 'option', multiple: true, multipleNonGreedy: true, delimiter: ',' });
    expect(mode.options).to.deep.equal(['x', 'y']);
    const size = oclifFlag(specs.find((s) => s.name === 'inner_size')!) as unknown as { parse: (s: string) => Promise<unknown> };
    expect(await size.parse('1-3')).to.deep.equal({ text: '1-3', points: [{ text: '1', value: 1 }, { text: '2', value: 2 }, { text: '3', value: 3 }] });
  });

  it('declares exclusive from the field and dependsOn from the group', () => {
    const groups: FlagGroup[] = [{ key: 'rewinding', hparams: RewindingArgs, prefix: 'x', dependsOn: ['levels'] }];
    const input = commandInput(flagSpecs(groups), [{ name: 'branch', description: 'A branch.' }]);
    expect(input.flags!.x_rewinding_steps).to.include({ helpGroup: 'Rewinding/Pretraining Arguments' });
    expect(input.flags!.x_rewinding_steps.exclusive).to.deep.equal(['x_pretrain']);
    expect(input.flags!.x_pretrain.exclusive).to.deep.equal(['x_rewinding_steps']);
    expect(input.flags!.x_pretrain.dependsOn).to.deep.equal(['levels']);
    expect(Object.keys(input.args!)).to.deep.equal(['branch']);
    expect(input.strict).to.equal(true);
  });

  it('sweeps a choice flag through oclif, and rejects an item outside its options', async () => {
    const j = await jobs('cli_fake', ['--default_hparams=tiny', '--levels=1', 'v1', '--inner_name=k', '--mode=x,y']);
    expect(j.map((x) => [x.label, x.groups.variant.values().mode])).to.deep.equal([
      ['mode=x', 'x'],
      ['mode=y', 'y'],
    ]);
    expect(j[1].argv).to.deep.equal(['v1', '--default_hparams=tiny', '--levels=1', '--inner_name=k', '--mode=y']);
    expect(await failure(['--default_hparams=tiny', '--levels=1', 'v1', '--inner_name=k', '--mode=x,z'])).to.equal("BAD_HPARAM: --mode='z' is not one of: x, y.");
  });

  it('reads a word after a switch of a group the selectors add as a positional, from the groups\' own switches', async () => {
    const plan = planInvocation('cli_fake', ['--default_hparams=tiny', '--levels', '2', '--loud', 'v1', '--inner_name=k'], SESSION);
    expect(plan.selectors.positionals).to.deep.equal(['v1']);
    const [job] = await jobs('cli_fake', ['--default_hparams=tiny', '--levels', '2', '--loud', 'v1', '--inner_name=k']);
    expect(job.positionals).to.deep.equal(['v1']);
    expect(job.groups.fake.values()).to.include({ levels: 2, loud: true });
    expect(Object.keys(job.groups)).to.deep.equal(['fake', 'dataset', 'variant']);
  });

  it('passes a flag value that starts with a dash, and reports an empty value and a value-less flag as lth errors', async () => {
    expect(await failure(['--default_hparams=tiny', '--levels', '-1', '--fraction='])).to.equal('BAD_FLAG: --fraction= is empty: give it a value (--fraction=<float>) or leave it out.');
    expect(await failure(['--default_hparams=tiny', '--fraction', '--levels=1'])).to.equal('BAD_FLAG: --fraction needs a value: --fraction=<float>.');
    expect(await failure(['--default_hparams=tiny', '--levels=1', '--fraction=0.1,x'])).to.equal("BAD_HPARAM: --fraction expects a finite number, got 'x'.");
  });

  it('declares the flags a switch selector adds with dependsOn that switch, so oclif names the switch they need', async () => {
    expect(await failure(['--default_hparams=tiny', '--levels=1', '--pretrain_batch_size=5'])).to.equal('BAD_FLAG: --pretrain_batch_size needs --pretrain: give it too, or leave --pretrain_batch_size out.');
    expect(await failure(['--default_hparams=tiny', '--levels=1', '--pretrain_batch_size'])).to.equal('BAD_FLAG: --pretrain_batch_size needs a value: --pretrain_batch_size=<int>.');
    const [job] = await jobs('cli_fake', ['--default_hparams=tiny', '--levels=1', '--pretrain', '--pretrain_batch_size=5']);
    expect(job.groups.pre.values().batch_size).to.equal(5);
    expect(planInvocation('cli_fake', ['--default_hparams=tiny'], SESSION).specs.some((f) => f.name.startsWith('pretrain_'))).to.equal(false);
  });

  it("turns oclif's exclusive error into one lth line", async () => {
    const input = commandInput(flagSpecs([{ key: 'r', hparams: RewindingArgs }]), []);
    const plan = { command: 'x', specs: [], conditionalSpecs: [] } as unknown as InvocationPlan;
    let message = '';
    try {
      await Parser.parse(['--rewinding_steps=1ep', '--pretrain'], input);
    } catch (e) {
      message = (lthParseError(e, plan) as Error).message;
    }
    expect(message).to.match(/^--(rewinding_steps|pretrain) and --(pretrain|rewinding_steps) cannot be given together\.$/);
  });
});
