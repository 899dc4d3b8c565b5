import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { lines, Scratch } from './lth-binary';

const TRAIN = ['train', '--default_hparams=mnist_lenet_300_100', '--dataset_name=fashion_mnist', '--training_steps=5it', '--data_order_seed=1', '--evaluate_only_at_end'];

/** The fastest backend that loads, one thread per process (the CPU backend is far slower). */
const FAST = { LTH_BACKEND: 'auto', LTH_NATIVE_THREADS: '1' };

/** Sweeps with the real binary on the real Fashion-MNIST. */
describe('lth sweeps (end to end)', function () {
  this.timeout(300_000);
  const s = new Scratch('sweep');
  after(() => s.remove());

  it('lists every job of a sweep, never splits list-valued flags, and keeps a single value as it was', async () => {
    const lottery = ['lottery', '--default_hparams=mnist_lenet_300_100', '--levels=1'];
    const one = await s.lth([...lottery, '--display_output_location']);
    const same = await s.lth([...lottery, '--replicate=1', '--milestone_steps=1ep,2ep', '--display_output_location']);
    const four = await s.lth([...lottery, '--replicate=1-2', '--lr=0.1,0.05', '--display_output_location']);
    expect(lines(one.stdout)).to.deep.equal([path.join(s.root, 'lottery_184ace1d6901ace6854b0a595cbd6b27', 'replicate_1', 'level_0', 'main')]);
    expect(lines(same.stdout)).to.have.length(1);
    expect(lines(four.stdout).map((l) => path.relative(s.root, l).split(path.sep).slice(0, 2).join('/'))).to.deep.equal([
      'lottery_184ace1d6901ace6854b0a595cbd6b27/replicate_1',
      `${lines(four.stdout)[1].split(path.sep).at(-4)}/replicate_1`,
      'lottery_184ace1d6901ace6854b0a595cbd6b27/replicate_2',
      `${lines(four.stdout)[1].split(path.sep).at(-4)}/replicate_2`,
    ]);
    const bad = await s.lth([...lottery, '--replicate=2-1']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr.trim()).to.equal('Error: --replicate=2-1: the range 2-1 is empty; write it low to high (1-2). [BAD_SWEEP]');
  });

  it('runs a sweep with --jobs=2 in two processes, each line prefixed, with the files of one-after-another runs', async () => {
    const par = await s.lth([...TRAIN, '--replicate=1-2', '--jobs=2'], s.dir, { ...FAST, LTH_ROOT: path.join(s.dir, 'parallel') });
    expect(par.code, par.stderr).to.equal(0);
    expect(par.stdout).to.match(/^\[replicate=1\] Final test accuracy/m);
    expect(par.stdout).to.match(/^\[replicate=2\] Final test accuracy/m);
    const seq = await s.lth([...TRAIN, '--replicate=1-2'], s.dir, { ...FAST, LTH_ROOT: path.join(s.dir, 'sequential') });
    expect(seq.code, seq.stderr).to.equal(0);
    expect(seq.stdout).to.contain('Sweep job 2 of 2: replicate=2');
    for (const r of [1, 2]) {
      const dir = (root: string) => path.join(s.dir, root, fs.readdirSync(path.join(s.dir, root))[0], `replicate_${r}`, 'main');
      const model = 'model_ep0_it5.safetensors';
      expect(fs.readFileSync(path.join(dir('parallel'), model)).equals(fs.readFileSync(path.join(dir('sequential'), model))), `replicate ${r}`).to.equal(true);
    }
  });
});
