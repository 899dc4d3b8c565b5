import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'chai';
import { isLthError } from '@lth/kernel';
import { SlurmPlatformHparams } from '../src/hparams';
import { jobState, readStatus, writeRecord, writeStatus, type JobRecord } from '../src/records';
import { sbatchResourceArgs, slurmSettings } from '../src/settings';
import { runWrapper, type TaskTable } from '../src/wrapper';

const RECORD: JobRecord = { key: 'lottery_x/replicate_1/level_0', jobId: '7_1', command: 'lottery', argv: [], after: null, submitted: '' };

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isLthError(e)) return e.code;
    throw e;
  }
  return 'none';
}

describe('slurm platform: settings, job states, the wrapper', () => {
  it('takes flags over the config, checks the config, and turns the settings into sbatch arguments', () => {
    const flags = SlurmPlatformHparams.create({ cpus: 4 });
    const s = slurmSettings(flags, { root: '/shared/r', slurm: { partition: 'gpu', cpus: 2, mem: '8G', sbatchArgs: ['--qos=long'] } }, {});
    expect(s.root).to.equal('/shared/r');
    expect(sbatchResourceArgs(s)).to.deep.equal(['--partition=gpu', '--cpus-per-task=4', '--mem=8G', '--qos=long']);
    expect(slurmSettings(flags, { root: '/a' }, { LTH_ROOT: '/b' }).root).to.equal('/b');
    const none = SlurmPlatformHparams.create({});
    expect(code(() => slurmSettings(none, { slurm: { cpu: 2 } }, {}))).to.equal('BAD_CONFIG');
    expect(code(() => slurmSettings(none, { slurm: { cpus: 0 } }, {}))).to.equal('BAD_CONFIG');
    expect(code(() => slurmSettings(none, { slurm: { sbatchArgs: '--qos=x' } }, {}))).to.equal('BAD_CONFIG');
  });

  it('tells pending, running, done, failed, cancelled and lost apart from the status file and the queue', () => {
    const run = { jobId: '7_1', node: 'n1', started: '' };
    expect(jobState(RECORD, null, new Map([['7_1', 'PENDING']]))).to.equal('pending');
    expect(jobState(RECORD, null, new Map())).to.equal('cancelled');
    expect(jobState(RECORD, null, null)).to.equal('pending');
    expect(jobState(RECORD, { ...run, state: 'running' }, new Map([['7_1', 'RUNNING']]))).to.equal('running');
    expect(jobState(RECORD, { ...run, state: 'running' }, new Map())).to.equal('lost');
    expect(jobState(RECORD, { ...run, state: 'done', exitCode: 0 }, new Map())).to.equal('done');
    expect(jobState(RECORD, { ...run, state: 'failed', exitCode: 2 }, null)).to.equal('failed');
  });

  it('ignores a status file an earlier job of the same results wrote', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lth-slurm-unit-'));
    try {
      writeRecord(root, RECORD);
      writeStatus(root, RECORD.key, { jobId: '3_1', state: 'failed', node: 'n', started: '', exitCode: 1 });
      expect(readStatus(root, RECORD)).to.equal(null);
      writeStatus(root, RECORD.key, { jobId: '7_1', state: 'done', node: 'n', started: '', exitCode: 0 });
      expect(readStatus(root, RECORD)!.state).to.equal('done');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('the wrapper runs its array task, passes SLURM_CPUS_PER_TASK on as threads, and records the exit', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lth-slurm-unit-'));
    try {
      const script = path.join(root, 'fake-lth.js');
      fs.writeFileSync(script, "console.log('threads=' + process.env.LTH_NATIVE_THREADS + ' root=' + process.env.LTH_ROOT + ' args=' + process.argv.slice(2).join(' ')); process.exit(Number(process.argv[3]));\n");
      const table: TaskTable = {
        root,
        cwd: root,
        lth: [process.execPath, script],
        tasks: { '0': { key: 'a/level_0', command: 'lottery', argv: ['0'] }, '3': { key: 'a/level_1', command: 'lottery', argv: ['5'] } },
      };
      const file = path.join(root, 'table.json');
      fs.writeFileSync(file, JSON.stringify(table));
      const env = { SLURM_ARRAY_JOB_ID: '9', SLURM_CPUS_PER_TASK: '3', SLURMD_NODENAME: 'n7' };
      expect(await runWrapper(file, { ...env, SLURM_ARRAY_TASK_ID: '0' })).to.equal(0);
      expect(await runWrapper(file, { ...env, SLURM_ARRAY_TASK_ID: '3' })).to.equal(5);
      const s0 = JSON.parse(fs.readFileSync(path.join(root, '.slurm', 'a', 'level_0', 'status.json'), 'utf8'));
      const s3 = JSON.parse(fs.readFileSync(path.join(root, '.slurm', 'a', 'level_1', 'status.json'), 'utf8'));
      expect(s0).to.include({ jobId: '9_0', state: 'done', exitCode: 0, node: 'n7' });
      expect(s3).to.include({ jobId: '9_3', state: 'failed', exitCode: 5 });
      const log = fs.readFileSync(path.join(root, '.slurm', 'a', 'level_0', 'log'), 'utf8');
      expect(log).to.contain(`threads=3 root=${root} args=lottery 0 --platform=local`);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
