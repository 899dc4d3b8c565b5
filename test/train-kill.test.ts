import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { fullSizeMnistFiles, writeMnistFiles } from '@lth/testing';
import { runAndKill, Scratch } from './lth-binary';

const ARGS = ['train', '--default_hparams=mnist_lenet_32', '--batch_size=32', '--subsample_fraction=0.01', '--training_steps=6ep', '--data_order_seed=7', '--momentum=0.9', '--weight_decay=0.0001'];

function runDir(root: string): string {
  const [hash] = fs.readdirSync(root).filter((d) => d.startsWith('train_'));
  return path.join(root, hash, 'replicate_1', 'main');
}


function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of ['logger', 'model_ep0_it0.safetensors', 'model_ep6_it0.safetensors']) out[f] = fs.readFileSync(path.join(dir, f)).toString('base64');
  return out;
}

describe('lth train killed with SIGKILL and started again (end to end)', function () {
  this.timeout(240_000);
  const reference = new Scratch('kill-ref');
  const killed = new Scratch('kill');

  before(() => {
    const files = fullSizeMnistFiles();
    for (const s of [reference, killed]) writeMnistFiles(path.join(s.dir, 'datasets', 'mnist'), files, true);
  });
  after(() => {
    reference.remove();
    killed.remove();
  });

  it('finishes with the logger and weights of an uninterrupted run, wherever the kills land', async () => {
    const full = await reference.lth(ARGS);
    expect(full.code, full.stderr).to.equal(0);
    const want = snapshot(runDir(reference.root));

    // Kill points: during start-up, and at random moments inside epochs 1, 3 and 4.
    const points: Array<[RegExp, number]> = [
      [/Backend:/, Math.floor(Math.random() * 50)],
      [/ep 001/, Math.floor(Math.random() * 40)],
      [/ep 003/, Math.floor(Math.random() * 40)],
      [/ep 004/, Math.floor(Math.random() * 40)],
    ];
    let kills = 0;
    for (const [when, delay] of points) {
      const r = await runAndKill(killed, ARGS, when, delay);
      if (r.killed) kills++;
      if (fs.existsSync(killed.root)) {
        const leftovers = fs.readdirSync(killed.root, { recursive: true }).map(String).filter((f) => f.endsWith('.tmp') && !f.includes('/.'));
        expect(leftovers, 'no torn files in place of results').to.deep.equal([]);
      }
    }
    expect(kills, 'at least three runs were really killed').to.be.at.least(3);
    const last = await killed.lth(ARGS);
    expect(last.code, last.stderr).to.equal(0);
    expect(last.stdout, 'the last run resumed from a checkpoint rather than starting over').to.not.match(/\tep 000\t/);
    expect(snapshot(runDir(killed.root))).to.deep.equal(want);
  });
});
