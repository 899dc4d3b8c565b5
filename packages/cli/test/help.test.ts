import { expect } from 'chai';
import { renderMenu, renderWorkflowHelp, RULE_WIDTH } from '../src/help-text';
import { planInvocation } from '../src/invocation';
import { fakeSession } from './fixtures/session';

const SESSION = fakeSession({ platform: { name: 'cli_fake_platform' } });
const help = (argv: string[]) => renderWorkflowHelp(planInvocation('cli_fake', argv, SESSION), 100);

/** The lines of the section titled `title`, up to the next title. */
function section(text: string, title: string): string[] {
  const lines = text.split('\n');
  const at = lines.indexOf(`${title}:`);
  if (at < 0) throw new Error(`no section ${title} in\n${text}`);
  const end = lines.findIndex((l, i) => i > at && /^\S.*:$/.test(l));
  return lines.slice(at + 1, end < 0 ? undefined : end);
}

describe('cli workflow help', () => {
  it('opens with the banner, the command and its usage', () => {
    const lines = help([]).split('\n');
    expect(lines.slice(0, 5)).to.deep.equal([
      '='.repeat(RULE_WIDTH),
      'lth: A Framework for Research on Lottery Tickets and Beyond',
      '-'.repeat(RULE_WIDTH),
      'lth cli_fake [...] => A fake workflow for tests.',
      '='.repeat(RULE_WIDTH),
    ]);
    expect(lines).to.include('Usage: lth cli_fake <variant> [flags]');
  });

  it('has one section per group in OpenLTH order: High-Level Arguments, Platform, then the workflow groups', () => {
    const titles = help([]).split('\n').filter((l) => /^\S[^=-].*:$/.test(l) && !l.startsWith('Usage'));
    expect(titles).to.deep.equal(['High-Level Arguments:', 'Fake Platform Hyperparameters:', 'Fake Arguments:', 'Dataset Hyperparameters:']);
    const high = section(help([]), 'High-Level Arguments');
    expect(high[0]).to.equal('  Arguments that determine how the job is run and where it is stored.');
    const flags = high.filter((l) => l.startsWith('  --')).map((l) => l.trim().split(/\s+/)[0]);
    expect(flags).to.deep.equal(['--platform', '--display_output_location', '--jobs', '--replicate', '--default_hparams', '--quiet', '--evaluate_only_at_end']);
  });

  it('shows each flag with its type and OpenLTH prefix, and fills in --default_hparams defaults', () => {
    const before = section(help([]), 'Dataset Hyperparameters').join('\n');
    expect(before).to.match(/ {2}--batch_size <int> +\(required: int\) The size/);
    expect(before).to.match(/ {2}--do_not_augment +\(optional\) If True/);
    const after = section(help(['--default_hparams=tiny']), 'Dataset Hyperparameters').join('\n');
    expect(after).to.match(/ {2}--batch_size <int> +\(default: 128\) The size/);
    expect(after).to.match(/ {2}--dataset_name <str> +\(default: mnist\)/);
    expect(section(help([]), 'High-Level Arguments').join('\n')).to.match(/--platform <str> +\(default: cli_fake_platform\)/);
  });

  it('adds the groups the selectors bring, with titles, nested flags and choices', () => {
    const text = help(['v1', '--pretrain']);
    expect(section(text, 'Dataset Hyperparameters for Pretraining').join('\n')).to.match(/--pretrain_batch_size <int> +\(required: int\)/);
    const variant = section(text, 'Fake Variant Arguments').join('\n');
    expect(variant).to.match(/--inner_name <str> +\(required: str\) Required inside\./);
    expect(variant).to.match(/--inner_size <int> +\(default: 3\) Optional inside\./);
    expect(variant).to.match(/--mode <str> +\(default: x\) Plain\. Choices: x, y\./);
  });

  it('puts a long flag on its own line and wraps help text to the width', () => {
    const lines = help(['v1', '--pretrain']).split('\n');
    const at = lines.findIndex((l) => l.trim() === '--pretrain_random_labels_fraction <float>');
    expect(at).to.be.greaterThan(0);
    expect(lines[at + 1]).to.match(/^ {34}\(optional: float\) Apply random labels/);
    expect(Math.max(...lines.map((l) => l.length))).to.be.at.most(100);
  });
});

describe('cli menu', () => {
  it('lists commands OpenLTH-style with one-line descriptions', () => {
    const text = renderMenu([{ usage: 'train [...]', description: 'Train a model.' }]);
    expect(text.split('\n')).to.deep.equal([
      '='.repeat(82),
      'lth: A Framework for Research on Lottery Tickets and Beyond',
      '-'.repeat(82),
      'Choose a command to run:',
      '    * lth train [...] => Train a model.',
      '='.repeat(82),
      'Run lth <command> --help to see its flags.',
    ]);
    expect(SESSION.registry.workflow('cli_fake').description).to.equal('A fake workflow for tests.');
  });
});
