import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { Scratch } from './lth-binary';

/**
 * The README's quickstart on the real Fashion-MNIST (Debian's dataset-fashion-mnist, which
 * `.ci/run` installs): two epochs of LeNet-300-100 reach at least 83% test accuracy (OpenLTH in
 * PyTorch: 86.2% after 2 epochs, 83-88% from epoch to epoch over the first 10). The README's
 * command draws a random data order; the test fixes `--data_order_seed=1` (84.99% here) so that
 * it cannot fail on an unlucky order (one in many unseeded runs ends near 82.5%).
 */
/** OpenLTH's name for these hyperparameters (checked by golden-hashes.py's rules). */
const TRAIN_HASH = 'train_e3a3ed58a0618a763b47b493903fc744';

describe('quickstart: lth train on the real Fashion-MNIST (end to end)', function () {
  this.timeout(900_000);
  const s = new Scratch('quickstart');
  after(() => s.remove());

  it('reaches at least 83% test accuracy after 2 epochs, with the fastest backend that loads', async () => {
    expect(fs.existsSync('/usr/share/datasets/fashion-mnist'), 'apt-get install dataset-fashion-mnist').to.equal(true);
    const args = ['train', '--default_hparams=mnist_lenet_300_100', '--dataset_name=fashion_mnist', '--training_steps=2ep', '--data_order_seed=1'];
    const r = await s.lth(args, s.dir, { LTH_BACKEND: '' });
    expect(r.code, r.stderr).to.equal(0);
    const dir = path.join(s.root, TRAIN_HASH, 'replicate_1', 'main');
    const logger = fs.readFileSync(path.join(dir, 'logger'), 'utf8').split('\n');
    expect(logger).to.include('test_examples,938,10000.0');
    const acc = Number(logger.find((l) => l.startsWith('test_accuracy,938,'))!.split(',')[2]);
    expect(acc).to.be.at.least(0.83);
    expect(r.stdout).to.match(/Final test accuracy: \d+\.\d\d%/);
    for (const f of ['model_ep0_it0.safetensors', 'model_ep2_it0.safetensors', 'hparams.log', 'desc.json', 'checkpoint.safetensors']) {
      expect(fs.existsSync(path.join(dir, f)), f).to.equal(true);
    }
  });
});
