import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs-core';
import { dataset, isLthError, LthError, type DatasetFamily, type PlatformConfig } from '@lth/kernel';
import { LocalPlatform, LocalPlatformFactory, LocalPlatformHparams, localPlatformSettings } from '../src';
import { openTestSession } from '@lth/testing';


const flags = (v: Record<string, unknown> = {}) => LocalPlatformHparams.create(v);

/** A dataset family declaring the platform key `imagenetRoot`, as @lth/plugin-dataset-imagenet does. */
@dataset({ names: ['declares_imagenet_root'], platformKeys: { imagenetRoot: { help: 'ImageNet', env: 'LTH_IMAGENET_ROOT' } } })
class Declaring implements DatasetFamily {
  info(): never {
    throw new Error('not loadable');
  }
  load(): never {
    throw new Error('not loadable');
  }
}

/** The local platform, and a plugin declaring `imagenetRoot`. */
const { registry } = openTestSession({ plugins: ['@lth/plugin-platform-local', { name: 'platform-local-test', classes: [Declaring] }] });

describe('platform-local settings', () => {

  it('defaults to ~/open_lth_data, ~/open_lth_datasets, no ImageNet, 0 workers, auto', () => {
    const s = localPlatformSettings(flags(), {}, {}, registry);
    expect(s.root).to.equal(path.join(os.homedir(), 'open_lth_data'));
    expect(s.datasetRoot).to.equal(path.join(os.homedir(), 'open_lth_datasets'));
    expect(s.declared.imagenetRoot).to.equal(null);
    expect(s.numWorkers).to.equal(0);
    expect(s.backend).to.equal('auto');
  });

  it('takes roots from the config (expanding ~) and lets LTH_* variables override them', () => {
    const config = { root: '~/r', datasetRoot: '/data/sets', imagenetRoot: '~/inet', numWorkers: 3, backend: 'wasm', onCorruptImage: 'skip' as const };
    const s = localPlatformSettings(flags(), config, {}, registry);
    expect(s).to.deep.equal({ root: path.join(os.homedir(), 'r'), datasetRoot: '/data/sets', declared: { imagenetRoot: path.join(os.homedir(), 'inet') }, numWorkers: 3, backend: 'wasm', onCorruptImage: 'skip' });
    expect(new LocalPlatform(s).setting('imagenetRoot')).to.equal(path.join(os.homedir(), 'inet'));
    const e = localPlatformSettings(flags(), config, { LTH_ROOT: '/tmp/x', LTH_DATASET_ROOT: '/tmp/d', LTH_BACKEND: 'cpu', LTH_IMAGENET_ROOT: '/tmp/i' }, registry);
    expect([e.root, e.datasetRoot, e.backend, e.declared.imagenetRoot]).to.deep.equal(['/tmp/x', '/tmp/d', 'cpu', '/tmp/i']);
  });

  it('lets the flags win over environment and config', () => {
    const s = localPlatformSettings(flags({ backend: 'cpu', num_workers: '2' }), { backend: 'wasm', numWorkers: 5 }, { LTH_BACKEND: 'native' }, registry);
    expect([s.backend, s.numWorkers]).to.deep.equal(['cpu', 2]);
  });

  it('chooses what to do with corrupt images: --on_corrupt_image, then LTH_ON_CORRUPT_IMAGE, then the config, then fail', () => {
    expect(localPlatformSettings(flags(), {}, {}, registry).onCorruptImage).to.equal('fail');
    expect(localPlatformSettings(flags(), { onCorruptImage: 'skip' }, {}, registry).onCorruptImage).to.equal('skip');
    expect(localPlatformSettings(flags(), { onCorruptImage: 'skip' }, { LTH_ON_CORRUPT_IMAGE: 'fail' }, registry).onCorruptImage).to.equal('fail');
    expect(localPlatformSettings(flags({ on_corrupt_image: 'skip' }), {}, { LTH_ON_CORRUPT_IMAGE: 'fail' }, registry).onCorruptImage).to.equal('skip');
    expect(() => localPlatformSettings(flags(), { onCorruptImage: 'ignore' } as unknown as PlatformConfig, {}, registry)).to.throw(/platform.onCorruptImage .* use 'fail' or 'skip'/);
    expect(() => flags({ on_corrupt_image: 'ignore' })).to.throw(/--on_corrupt_image='ignore' is not one of: fail, skip/);
  });

  it('takes the native thread count from --num_threads, else LTH_NATIVE_THREADS (left to the backend), else the config', () => {
    expect(localPlatformSettings(flags(), {}, {}, registry).numThreads).to.equal(undefined);
    expect(localPlatformSettings(flags(), { numThreads: 3 }, {}, registry).numThreads).to.equal(3);
    expect(localPlatformSettings(flags(), { numThreads: 3 }, { LTH_NATIVE_THREADS: '2' }, registry).numThreads).to.equal(undefined);
    expect(localPlatformSettings(flags({ num_threads: '1' }), { numThreads: 3 }, { LTH_NATIVE_THREADS: '2' }, registry).numThreads).to.equal(1);
    expect(() => localPlatformSettings(flags(), { numThreads: 0 }, {}, registry)).to.throw(/platform.numThreads in lth.config.ts must be an integer from 1 to 1024/);
    expect(() => localPlatformSettings(flags(), { numThreads: 1025 }, {}, registry)).to.throw(/platform.numThreads in lth.config.ts must be an integer from 1 to 1024/);
    expect(() => flags({ num_threads: '0' })).to.throw(/--num_threads=0 is invalid/);
    expect(() => flags({ num_threads: '1025' })).to.throw(/--num_threads=1025 is invalid: must be at most 1024/);
    expect(localPlatformSettings(flags(), {}, { LTH_NATIVE_THREADS: '1024' }, registry).numThreads).to.equal(undefined);
  });

  it('rejects a bad LTH_NATIVE_THREADS (BAD_ENV) instead of letting the native backend fail and auto fall back to WASM', () => {
    for (const bad of ['abc', '0', '-2', '1.5', '2000', '1e3']) {
      expect(() => localPlatformSettings(flags(), {}, { LTH_NATIVE_THREADS: bad }, registry), bad).to.throw(LthError, /LTH_NATIVE_THREADS='.*' is not a thread count: set it to an integer from 1 to 1024/);
    }
  });

  it('rejects an unknown key of the platform section with the closest known one, unless the section is another platform\'s', () => {
    expect(() => localPlatformSettings(flags(), { rooot: '/x' }, {}, registry)).to.throw(LthError, /platform.rooot in lth.config.ts is not a setting of the local platform. Did you mean platform.root\?/);
    expect(() => localPlatformSettings(flags(), { name: 'local', numthreads: 2 }, {}, registry)).to.throw(/Did you mean platform.numThreads\?/);
    expect(() => localPlatformSettings(flags(), { imagenetroot: '/x' }, {}, registry), 'a key a plugin declares').to.throw(/Did you mean platform.imagenetRoot\?/);
    expect(() => localPlatformSettings(flags(), { imagenetRoot: 3 } as unknown as PlatformConfig, {}, registry)).to.throw(LthError, /platform.imagenetRoot in lth.config.ts must be a non-empty string \(got 3\)/);
    expect(localPlatformSettings(flags(), { name: 'slurm', partition: 'gpu' }, {}, registry).backend).to.equal('auto');
    expect(localPlatformSettings(flags(), { name: 'local', local: {} }, {}, registry).backend, "a section named after a platform is that platform's").to.equal('auto');
  });

  it('rejects a backend that is not one of the choices, in flags and in the config', () => {
    expect(() => flags({ backend: 'gpu' })).to.throw(/--backend='gpu' is not one of: auto, tensorflow-gpu, tensorflow, native, wasm, cpu/);
    expect(() => localPlatformSettings(flags(), { backend: 'gpu' }, {}, registry)).to.throw(/platform.backend .* is 'gpu'/);
    expect(() => localPlatformSettings(flags(), { numWorkers: -1 }, {}, registry)).to.throw(/numWorkers/);
    expect(() => flags({ num_workers: '-1' })).to.throw(/--num_workers=-1 is invalid/);
  });
});

describe('platform-local platform', () => {
  let previous: string;
  before(() => {
    previous = tf.getBackend();
  });
  after(async () => {
    if (previous) await tf.setBackend(previous);
  });

  it('is registered as the local platform with its hparams class', () => {
    const c = registry.platformFactory('local');
    expect(c.instance).to.be.instanceOf(LocalPlatformFactory);
    expect(c.meta.hparams).to.equal(LocalPlatformHparams);
  });

  it('is a world of one', async () => {
    const p = new LocalPlatformFactory(registry).create(flags(), { root: '/tmp/lth-r' });
    expect([p.name, p.rank, p.worldSize, p.isPrimary, p.isDistributed, p.root]).to.deep.equal(['local', 0, 1, true, false, '/tmp/lth-r']);
    await p.barrier();
  });

  it('sets up a requested backend, prints it once, and has gradients', async () => {
    const p = new LocalPlatformFactory(registry).create(flags({ backend: 'cpu' }), {});
    const lines: string[] = [];
    await p.setup((l) => lines.push(l));
    await p.setup((l) => lines.push(l));
    expect(lines).to.deep.equal(['Backend: cpu']);
    expect(p.backend).to.equal('cpu');
    expect(tf.getBackend()).to.equal('cpu');
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.square(x)))(tf.tensor1d([1, 2, 3]));
    expect(Array.from(g.dataSync())).to.deep.equal([2, 4, 6]);
  });

  it('loads the WASM backend from the package files', async () => {
    const p = new LocalPlatform({ ...localPlatformSettings(flags(), {}, {}, registry), backend: 'wasm' });
    await p.setup(() => undefined);
    expect(tf.getBackend()).to.equal('wasm');
    expect(Array.from(tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync())).to.deep.equal([11]);
  });

  it('fails with BACKEND_UNAVAILABLE and how to install, for a named backend that does not load', async () => {
    const p = new LocalPlatformFactory(registry).create(flags({ backend: 'tensorflow-gpu' }), {});
    let err: unknown;
    await p.setup(() => undefined).catch((e) => (err = e));
    expect(isLthError(err) && err.code).to.equal('BACKEND_UNAVAILABLE');
    expect((err as Error).message).to.match(/tensorflow-gpu backend is not available: @tensorflow\/tfjs-node-gpu is not installed.*npm install @tensorflow\/tfjs-node-gpu/);
  });

  it('runs the native backend on --num_threads threads', async function () {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, as the platform does
    const native = require('@lth/tfjs-backend-native') as { isAvailable(): boolean; register(): boolean; getThreads(): number };
    if (!native.isAvailable()) this.skip();
    try {
      await new LocalPlatformFactory(registry).create(flags({ backend: 'native', num_threads: '1' }), {}).setup(() => undefined);
      expect(native.getThreads()).to.equal(1);
    } finally {
      native.register();
    }
    expect(native.getThreads()).to.be.at.least(1);
  });

  it('auto skips what is missing, saying why only with LTH_DEBUG', async () => {
    const saved = process.env.LTH_DEBUG;
    process.env.LTH_DEBUG = '1';
    try {
      const p = new LocalPlatformFactory(registry).create(flags({ backend: 'auto' }), {});
      const lines: string[] = [];
      await p.setup((l) => lines.push(l));
      expect(lines[0]).to.equal('Backend tensorflow-gpu skipped: @tensorflow/tfjs-node-gpu is not installed.');
      const chosen = lines.filter((l) => l.startsWith('Backend: '));
      expect(chosen).to.have.length(1);
      expect(['native', 'wasm', 'cpu', 'tensorflow']).to.include(p.backend);
    } finally {
      if (saved === undefined) delete process.env.LTH_DEBUG;
      else process.env.LTH_DEBUG = saved;
    }
  });
});

describe('platform-local WASM fallback kernels', () => {
  let previous: string;
  before(() => {
    previous = tf.getBackend();
  });
  after(async () => {
    if (previous) await tf.setBackend(previous);
  });

  it('lets convolutional networks train on WASM: the filter gradient matches the CPU backend', async () => {
    const x = [...Array(2 * 5 * 5 * 3)].map((_, i) => Math.sin(i));
    const w = [...Array(3 * 3 * 3 * 4)].map((_, i) => Math.cos(i));
    const grads = async (backend: 'cpu' | 'wasm') => {
      await new LocalPlatform({ ...localPlatformSettings(flags(), {}, {}, registry), backend }).setup(() => undefined);
      await tf.setBackend(backend);
      const loss = (f: tf.Tensor) => tf.sum(tf.square(tf.conv2d(tf.tensor4d(x, [2, 5, 5, 3]), f as tf.Tensor4D, 1, 'same')));
      const g = tf.grad(loss)(tf.tensor4d(w, [3, 3, 3, 4]));
      return Array.from(await g.data());
    };
    const onCpu = await grads('cpu');
    const onWasm = await grads('wasm');
    expect(tf.getKernelsForBackend('wasm').map((k) => k.kernelName)).to.include('Conv2DBackpropFilter');
    expect(onWasm).to.have.length(onCpu.length);
    onWasm.forEach((v, i) => expect(v).to.be.closeTo(onCpu[i], 1e-3 * Math.max(1, Math.abs(onCpu[i]))));
  });
});
