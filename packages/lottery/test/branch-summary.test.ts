import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeTempDirs, tempDir } from '@lth/testing';
import { summarizeExperiment } from '../src';

/** A run directory as lth leaves it: a logger (written at every epoch boundary), and its start model, and with `done` its end model. */
function run(dir: string, accuracy: number, done: boolean): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'logger'), `test_loss,0,2.0\ntest_accuracy,0,0.1\ntest_examples,0,100.0\ntest_loss,16,1.0\ntest_accuracy,16,${accuracy}\ntest_examples,16,100.0`);
  fs.writeFileSync(path.join(dir, 'sparsity_report.json'), JSON.stringify({ total: 100, unpruned: 80 }));
  fs.writeFileSync(path.join(dir, 'model_ep0_it0.safetensors'), '');
  if (done) fs.writeFileSync(path.join(dir, 'model_ep2_it0.safetensors'), '');
}

describe('summarizeExperiment', () => {
  after(removeTempDirs);

  it('leaves out levels and branches still training (a logger and a start model, no end model yet)', () => {
    const rep = path.join(tempDir('branch-summary'), 'replicate_1');
    run(path.join(rep, 'level_0', 'main'), 0.5, true);
    run(path.join(rep, 'level_1', 'main'), 0.6, false);
    run(path.join(rep, 'level_0', 'lottery_branch_x_0123456789abcdef0123456789abcdef'), 0.4, false);
    let s = summarizeExperiment(rep);
    expect(s.trunk.map((t) => t.level)).to.deep.equal([0]);
    expect(s.branches).to.deep.equal([]);
    run(path.join(rep, 'level_1', 'main'), 0.6, true);
    run(path.join(rep, 'level_0', 'lottery_branch_x_0123456789abcdef0123456789abcdef'), 0.4, true);
    s = summarizeExperiment(rep);
    expect(s.trunk.map((t) => [t.level, t.finalAccuracy])).to.deep.equal([
      [0, 0.5],
      [1, 0.6],
    ]);
    expect(s.branches.map((b) => [b.level, b.finalAccuracy])).to.deep.equal([[0, 0.4]]);
  });
});
