import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'chai';
import { LOCK_NAME, LthError, isLocked, lockExperiment, readLockOwner } from '../src';

function scratch(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'lth-lock-'));
}

function lockedBy(fn: () => unknown): LthError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(LthError);
    expect((e as LthError).code).to.equal('LOCKED');
    return e as LthError;
  }
  throw new Error('expected LOCKED');
}

/** Writes a lock directory as a holder with `owner` would have left it. */
function fakeLock(dir: string, owner: Record<string, unknown> | null, ageMs = 0): void {
  const lock = path.join(dir, LOCK_NAME);
  fs.mkdirSync(lock, { recursive: true });
  if (owner) fs.writeFileSync(path.join(lock, 'owner.json'), JSON.stringify(owner));
  const t = new Date(Date.now() - ageMs);
  fs.utimesSync(lock, t, t);
}

const KERNEL = path.join(__dirname, '..', 'src');

describe('lockExperiment', () => {
  let dir: string;
  beforeEach(() => (dir = scratch()));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is exclusive, names its holder, and is free again once released', () => {
    const lock = lockExperiment(dir, { command: 'lth train --x' });
    const e = lockedBy(() => lockExperiment(dir));
    expect(e.message).to.contain(`process ${process.pid} on ${os.hostname()} (lth train --x) since `);
    expect(e.message).to.contain(dir);
    expect(e.exitCode).to.equal(3);
    expect(readLockOwner(dir)?.pid).to.equal(process.pid);
    expect(isLocked(dir)).to.equal(true);
    lock.release();
    lock.release();
    expect(fs.existsSync(path.join(dir, LOCK_NAME))).to.equal(false);
    lockExperiment(dir).release();
  });

  it('takes over at once the lock of a dead process on this host', () => {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(child.stdout.toString());
    fakeLock(dir, { pid: deadPid, host: os.hostname(), command: 'lth lottery', since: new Date().toISOString() });
    expect(isLocked(dir)).to.equal(false);
    const lock = lockExperiment(dir);
    expect(readLockOwner(dir)?.pid).to.equal(process.pid);
    lock.release();
  });

  it('does not take the lock of a live process whose pid it shares with a record of another start time', () => {
    fakeLock(dir, { pid: process.pid, host: os.hostname(), command: 'lth train', since: 'then', startTime: '1' });
    expect(isLocked(dir), 'a reused pid is not the holder').to.equal(false);
    fakeLock(dir, { pid: process.ppid, host: os.hostname(), command: 'lth train', since: 'then' });
    lockedBy(() => lockExperiment(dir));
  });

  it('takes over a lock of another host only once its mtime is older than staleMs', () => {
    const owner = { pid: 1, host: 'elsewhere.example', command: 'lth train', since: '2026-01-01T00:00:00Z' };
    fakeLock(dir, owner, 5_000);
    const e = lockedBy(() => lockExperiment(dir, { staleMs: 60_000 }));
    expect(e.message).to.contain('process 1 on elsewhere.example (lth train) since 2026-01-01T00:00:00Z');
    fakeLock(dir, owner, 120_000);
    lockExperiment(dir, { staleMs: 60_000 }).release();
  });

  it('treats a lock directory without a record as a holder starting up, for a few seconds', () => {
    fakeLock(dir, null);
    expect(lockedBy(() => lockExperiment(dir)).message).to.contain('another process that is starting');
    fakeLock(dir, null, 60_000);
    lockExperiment(dir).release();
  });

  it('stays held through its mtime refreshes and is removed on release', async function () {
    this.timeout(20_000);
    const lock = lockExperiment(dir, { refreshMs: 1000 });
    const before = fs.statSync(path.join(dir, LOCK_NAME)).mtimeMs;
    await new Promise((r) => setTimeout(r, 3500));
    expect(fs.statSync(path.join(dir, LOCK_NAME)).mtimeMs, 'refreshed').to.be.greaterThan(before);
    expect(lock.compromised, 'writing owner.json must not look like another holder to proper-lockfile').to.equal(false);
    lockedBy(() => lockExperiment(dir));
    lock.release();
    expect(fs.existsSync(path.join(dir, LOCK_NAME))).to.equal(false);
  });

  it('names a holder that writes its record a moment after making the lock', async function () {
    this.timeout(20_000);
    fakeLock(dir, null);
    const record = JSON.stringify({ pid: process.ppid, host: os.hostname(), command: 'lth late', since: 'now' });
    const writer = spawn(process.execPath, ['-e', `setTimeout(() => require('fs').writeFileSync(${JSON.stringify(path.join(dir, LOCK_NAME, 'owner.json'))}, ${JSON.stringify(record)}), 300)`]);
    const exited = new Promise((r) => writer.on('exit', r));
    const e = lockedBy(() => lockExperiment(dir));
    await exited;
    expect(e.message).to.contain(`process ${process.ppid} on ${os.hostname()} (lth late)`);
  });

  it('of a SIGKILLed holder is taken over immediately; a live holder in another process keeps it', async function () {
    this.timeout(30_000);
    const script = `require(${JSON.stringify(KERNEL)}).lockExperiment(${JSON.stringify(dir)}, { command: 'holder' }); console.log('locked'); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve()));
    const e = lockedBy(() => lockExperiment(dir));
    expect(e.message).to.contain(`process ${child.pid} on ${os.hostname()} (holder)`);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    expect(fs.existsSync(path.join(dir, LOCK_NAME)), 'SIGKILL leaves the lock behind').to.equal(true);
    const lock = lockExperiment(dir);
    expect(readLockOwner(dir)?.pid).to.equal(process.pid);
    lock.release();
  });

  it('is released when its holder is interrupted (SIGINT, SIGTERM)', async function () {
    this.timeout(30_000);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const script = `require(${JSON.stringify(KERNEL)}).lockExperiment(${JSON.stringify(dir)}); console.log('locked'); setInterval(() => {}, 1000);`;
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve()));
      child.kill(signal);
      await new Promise((resolve) => child.on('exit', resolve));
      expect(fs.existsSync(path.join(dir, LOCK_NAME)), signal).to.equal(false);
    }
  });
});
