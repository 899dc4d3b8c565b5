import { expect } from 'chai';
import { isLthError } from '@lth/kernel';
import { parseCommandLine, parseInvocation, planInvocation } from '../src/invocation';
import { runWorkflow } from '../src/run-workflow';
import { fakeRuns } from './fixtures/fake-workflow';
import { fakeSession } from './fixtures/session';

const SESSION = fakeSession({ platform: { name: 'cli_fake_platform', root: '/r' } });

function sink(): { text: string; write(t: string): void } {
  return {
    text: '',
    write(t: string) {
      this.text += t;
    },
  };
}

async function points(argv: string[]) {
  return (await parseInvocation(planInvocation('cli_fake', argv, SESSION))).jobs.map((j) => ({ argv: j.argv, label: j.label }));
}

async function sweepError(argv: string[]): Promise<string> {
  try {
    await points(argv);
  } catch (e) {
    if (isLthError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

describe('cli sweeps', () => {
  it('leaves a command line without lists as one point, unchanged in meaning', async () => {
    const p = await points(['--default_hparams=tiny', '--levels=2', 'v1', '--inner_name=k']);
    expect(p).to.have.length(1);
    expect(p[0]).to.deep.equal({ argv: ['v1', '--default_hparams=tiny', '--levels=2', '--inner_name=k'], label: '' });
  });

  it('expands int ranges, comma lists of ints, floats and strings, the first flag slowest', async () => {
    const p = await points(['--default_hparams=tiny', '--replicate=1-2', '--fraction=0.1,0.05', '--levels=1,3', '--dataset_name=mnist,cifar10']);
    expect(p).to.have.length(16);
    expect(p[0].label).to.equal('replicate=1 fraction=0.1 levels=1 dataset_name=mnist');
    expect(p[1].label).to.equal('replicate=1 fraction=0.1 levels=1 dataset_name=cifar10');
    expect(p[15].label).to.equal('replicate=2 fraction=0.05 levels=3 dataset_name=cifar10');
    expect(p[15].argv).to.deep.equal(['--default_hparams=tiny', '--replicate=2', '--fraction=0.05', '--levels=3', '--dataset_name=cifar10']);
  });

  it('expands a list in a selector flag first, each value planned on its own', async () => {
    const p = await parseCommandLine('cli_fake', ['--default_hparams=tiny,tiny', '--levels=1,2'], SESSION);
    expect(p.map((x) => x.label)).to.deep.equal(['default_hparams=tiny levels=1', 'default_hparams=tiny levels=2', 'default_hparams=tiny levels=1', 'default_hparams=tiny levels=2']);
    expect(p[3].argv).to.deep.equal(['--default_hparams=tiny', '--levels=2']);
  });

  it('rejects an empty range, an empty list item and a sweep of more than 1000 jobs, each with one line', async () => {
    expect(await sweepError(['--levels=3-1'])).to.equal('BAD_SWEEP: --levels=3-1: the range 3-1 is empty; write it low to high (1-3).');
    expect(await sweepError(['--levels=1,,2'])).to.match(/^BAD_SWEEP: --levels=1,,2 has an empty value/);
    expect(await sweepError(['--levels=1-40', '--replicate=1-40'])).to.match(/^BAD_SWEEP: This sweep has 1600 jobs/);
  });

  it('runs every point of a local sweep in turn, and lists every output location', async () => {
    const n = fakeRuns.length;
    const out = sink();
    await runWorkflow('cli_fake', ['--default_hparams=tiny', '--levels=1-3', '--replicate=1,2'], SESSION, out);
    expect(fakeRuns.slice(n).map((j) => [(j.groups.fake as unknown as { levels: number }).levels, j.args.replicate])).to.deep.equal([
      [1, 1], [1, 2], [2, 1], [2, 2], [3, 1], [3, 2],
    ]);
    expect(out.text).to.contain('Sweep job 6 of 6: levels=3 replicate=2');
    const where = sink();
    await runWorkflow('cli_fake', ['--display_output_location', '--default_hparams=tiny', '--levels=1', '--dataset_name=mnist,cifar10'], SESSION, where);
    expect(where.text.trim().split('\n')).to.have.length(4);
  });

  it('checks every point before running any: a bad value in the last point runs nothing', async () => {
    const n = fakeRuns.length;
    let code = '';
    try {
      await runWorkflow('cli_fake', ['--default_hparams=tiny', '--levels=1,x'], SESSION, sink());
    } catch (e) {
      code = isLthError(e) ? e.code : String(e);
    }
    expect(code).to.not.equal('');
    expect(fakeRuns.length).to.equal(n);
  });
});
