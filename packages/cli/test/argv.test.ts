import { expect } from 'chai';
import { scanArgv, selectorsOf } from '../src/argv';

const bools = new Set(['quiet', 'pretrain', 'display_output_location']);
const scan = (argv: string[]) => scanArgv(argv, (n) => bools.has(n));

describe('cli argv scan (lenient pre-parse)', () => {
  it('reads --name=value and --name value alike', () => {
    const s = scan(['--lr=0.1', '--batch_size', '64']);
    expect(s.flags.map((f) => [f.name, f.value, f.inline])).to.deep.equal([
      ['lr', '0.1', true],
      ['batch_size', '64', false],
    ]);
    expect(s.positionals).to.deep.equal([]);
  });

  it('never gives a switch the next token, so positionals may follow it', () => {
    const s = scan(['--quiet', 'randomly_prune', '--levels', '1-2']);
    expect(s.positionals).to.deep.equal(['randomly_prune']);
    expect(s.flags.map((f) => [f.name, f.value])).to.deep.equal([
      ['quiet', null],
      ['levels', '1-2'],
    ]);
  });

  it('finds positionals before, between and after flags, and everything after --', () => {
    const s = scan(['a', '--lr', '1', 'b', '--', '--c', 'd']);
    expect(s.positionals).to.deep.equal(['a', 'b', '--c', 'd']);
  });

  it('takes a value that starts with one dash, but not another --flag', () => {
    expect(scan(['--training_steps', '-1it']).flags[0].value).to.equal('-1it');
    const s = scan(['--lr', '--quiet']);
    expect(s.flags.map((f) => [f.name, f.value])).to.deep.equal([
      ['lr', null],
      ['quiet', null],
    ]);
  });

  it('notes -h/--help and marks other single-dash tokens as short flags', () => {
    const s = scan(['-h', '-x', '--help']);
    expect(s.help).to.equal(true);
    expect(s.flags).to.deep.equal([{ name: '-x', value: null, inline: false, short: true }]);
  });

  it('reads the selectors a workflow declares (and no other flag), last occurrence winning', () => {
    const specs = { default_hparams: 'str', pruning_strategy: 'str', pretrain: 'bool', rewinding_steps: 'str', trunk: 'str' } as const;
    const sel = selectorsOf(scan(['lottery_branch_x', '--default_hparams', 'a', '--default_hparams=b', '--pretrain', '--pruning_strategy=sparse_global', '--rewinding_steps=1000it', '--trunk=/r/lottery_x', '--lr=0.1']), specs);
    expect(sel).to.deep.equal({ default_hparams: 'b', pruning_strategy: 'sparse_global', pretrain: true, rewinding_steps: '1000it', trunk: '/r/lottery_x', positionals: ['lottery_branch_x'] });
    expect(selectorsOf(scan([]), specs)).to.deep.equal({ positionals: [] });
  });
});
