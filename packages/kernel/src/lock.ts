import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';
import { LthError } from './errors';
import { ensureDir } from './fsutil';
import { ioError } from './io-errors';

/** The lock directory inside a locked directory. */
export const LOCK_NAME = '.lth.lock';

/** The holder's record inside the lock directory. */
const OWNER_FILE = 'owner.json';

/** How often a holder refreshes the lock's mtime (when its event loop gets a turn). */
const REFRESH_MS = 30_000;

/** A lock held by a process on another host that has not been refreshed for this long is taken over. */
export const DEFAULT_LOCK_STALE_MS = 10 * 60_000;

/** A lock directory without an owner record (its holder died between the two) is abandoned after this long. */
const OWNERLESS_GRACE_MS = 3_000;

/** Who holds an experiment lock: written by the holder, shown to anyone who finds it taken. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** The command line of the holder (`lth train --default_hparams=...`). */
  readonly command: string;
  /** When it took the lock (ISO 8601, UTC). */
  readonly since: string;
  /** Linux: the boot id and the process start time (clock ticks), so a reused pid is not taken for the holder. */
  readonly bootId?: string | null;
  readonly startTime?: string | null;
}

/** A lock taken with `lockExperiment`. */
export interface ExperimentLock {
  /** The locked directory. */
  readonly dir: string;
  /** The lock directory (`<dir>/.lth.lock`). */
  readonly lockPath: string;
  /** Whether the lock was lost while held (its directory removed or replaced by another process). */
  readonly compromised: boolean;
  /** Releases the lock (idempotent). It is released at process exit too, also on SIGINT/SIGTERM. */
  release(): void;
}

/** Options of `lockExperiment`. */
export interface LockOptions {
  /** What the holder is doing, shown to others (default: `lth` and the process arguments). */
  readonly command?: string;
  /** Staleness for holders on other hosts, in ms (default `DEFAULT_LOCK_STALE_MS`, or `LTH_LOCK_STALE_MS`). */
  readonly staleMs?: number;
  /** How often the holder refreshes the lock's mtime, in ms (default 30 s, at least 1 s). */
  readonly refreshMs?: number;
}

/**
 * Takes the exclusive lock of an experiment directory (a replicate, a branch directory) for
 * this process, or throws `LthError('LOCKED')` naming the holder: pid, host, command and since
 * when, and how to proceed. Every workflow takes it after validating its input and before it
 * writes anything, so two processes never write the same experiment; plugins (a platform that
 * must not run a job twice, say) use the same function on the same directory.
 *
 * The lock is a directory `<dir>/.lth.lock` made atomically with proper-lockfile (mkdir, safe on
 * NFS), holding `owner.json` (a `LockOwner`, written right after the mkdir; a lock directory
 * without a readable record for 3 s is abandoned). The holder refreshes its mtime every 30 s while
 * its event loop turns. A lock whose holder is gone is taken over at once: on the same host
 * when its pid is no longer alive (or is another process: boot id and start time differ), so
 * a SIGKILLed run can be restarted immediately; on another host when its mtime is older than
 * `staleMs`. The lock is released by `release()` and at exit (normal exit, SIGINT, SIGTERM,
 * uncaught errors); a SIGKILL leaves it behind for the next process to take over.
 */
export function lockExperiment(dir: string, options: LockOptions = {}): ExperimentLock {
  ensureDir(dir);
  const target = fs.realpathSync(dir);
  const lockPath = path.join(target, LOCK_NAME);
  const staleMs = options.staleMs ?? envStaleMs() ?? DEFAULT_LOCK_STALE_MS;
  const state = { compromised: false, released: false };
  let unlock = tryLock(target, lockPath, state, options.refreshMs);
  if (!unlock) {
    const owner = readLockOwner(target) ?? awaitOwner(target);
    if (!isAbandoned(lockPath, owner, staleMs) || !takeOver(target, lockPath, owner)) throw lockedError(target, readLockOwner(target) ?? awaitOwner(target));
    unlock = tryLock(target, lockPath, state, options.refreshMs);
    if (!unlock) throw lockedError(target, readLockOwner(target) ?? awaitOwner(target));
  }
  try {
    // proper-lockfile takes a changed mtime for another process's lock: keep the one it recorded.
    const { atime, mtime } = fs.statSync(lockPath);
    fs.writeFileSync(path.join(lockPath, OWNER_FILE), JSON.stringify(selfOwner(options.command), null, 2) + '\n');
    fs.utimesSync(lockPath, atime, mtime);
  } catch (e) {
    unlock();
    throw ioError(e, 'write', path.join(lockPath, OWNER_FILE));
  }
  const release = unlock;
  return {
    dir: target,
    lockPath,
    get compromised() {
      return state.compromised;
    },
    release() {
      if (state.released) return;
      state.released = true;
      if (!state.compromised) release();
    },
  };
}

/** The holder of `dir`'s lock as its `owner.json` says, or null (no lock, or no record yet). */
export function readLockOwner(dir: string): LockOwner | null {
  try {
    const o = JSON.parse(fs.readFileSync(path.join(dir, LOCK_NAME, OWNER_FILE), 'utf8')) as LockOwner;
    return typeof o.pid === 'number' && typeof o.host === 'string' ? o : null;
  } catch {
    return null;
  }
}

/** Whether `dir` is locked by a live holder (one `lockExperiment` would not take over). */
export function isLocked(dir: string, staleMs = envStaleMs() ?? DEFAULT_LOCK_STALE_MS): boolean {
  const lockPath = path.join(dir, LOCK_NAME);
  return fs.existsSync(lockPath) && !isAbandoned(lockPath, readLockOwner(dir), staleMs);
}

/** The `LOCKED` error for `dir`. */
export function lockedError(dir: string, owner: LockOwner | null): LthError {
  const who = owner
    ? `process ${owner.pid} on ${owner.host} (${owner.command}) since ${owner.since}`
    : 'another process that is starting';
  const free = owner && owner.host === os.hostname() ? `wait for it to finish or stop it (kill ${owner.pid})` : 'wait for it to finish or stop it';
  return new LthError('LOCKED', `${dir} is in use by ${who}. Two runs of one experiment would overwrite each other: ${free}, then run again.`);
}

type Unlock = () => void;

function lockFs(): typeof fs {
  return { ...fs, rmdirSync: (p: fs.PathLike) => fs.rmSync(p, { recursive: true }) } as typeof fs;
}

function tryLock(target: string, lockPath: string, state: { compromised: boolean }, refreshMs = REFRESH_MS): Unlock | null {
  try {
    return lockfile.lockSync(target, {
      lockfilePath: lockPath,
      realpath: false,
      stale: 2 ** 40,
      update: Math.max(1000, refreshMs),
      fs: lockFs(),
      onCompromised: () => {
        state.compromised = true;
      },
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOCKED') return null;
    throw e;
  }
}

function isAbandoned(lockPath: string, owner: LockOwner | null, staleMs: number): boolean {
  let mtime: number;
  try {
    mtime = fs.statSync(lockPath).mtimeMs;
  } catch {
    return true;
  }
  if (!owner) return Date.now() - mtime > OWNERLESS_GRACE_MS;
  if (owner.host === os.hostname()) return !sameProcessAlive(owner);
  return Date.now() - mtime > staleMs;
}

/**
 * Removes an abandoned lock, under a short-lived second lock so that two processes taking
 * over the same dead lock at once do not remove each other's new one. Returns false when
 * another process is taking it over.
 */
function takeOver(target: string, lockPath: string, seen: LockOwner | null): boolean {
  let release: Unlock;
  try {
    release = lockfile.lockSync(target, { lockfilePath: `${lockPath}.takeover`, realpath: false, stale: OWNERLESS_GRACE_MS, onCompromised: () => undefined });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOCKED') return false;
    throw e;
  }
  try {
    const now = readLockOwner(target);
    if (JSON.stringify(now) !== JSON.stringify(seen)) return !fs.existsSync(lockPath);
    fs.rmSync(lockPath, { recursive: true, force: true });
    return true;
  } finally {
    release();
  }
}

/** The holder's record, waiting up to a second for a holder that has just made the lock to write it. */
function awaitOwner(dir: string): LockOwner | null {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 20; i++) {
    let age: number;
    try {
      age = Date.now() - fs.statSync(path.join(dir, LOCK_NAME)).mtimeMs;
    } catch {
      return null;
    }
    if (age > OWNERLESS_GRACE_MS) return null;
    Atomics.wait(pause, 0, 0, 50);
    const owner = readLockOwner(dir);
    if (owner) return owner;
  }
  return null;
}

function selfOwner(command?: string): LockOwner {
  return {
    pid: process.pid,
    host: os.hostname(),
    command: command ?? ['lth', ...process.argv.slice(2)].join(' '),
    since: new Date().toISOString(),
    bootId: bootId(),
    startTime: startTime(process.pid),
  };
}

function sameProcessAlive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (owner.bootId && bootId() && owner.bootId !== bootId()) return false;
  if (owner.startTime) {
    const now = startTime(owner.pid);
    if (now && now !== owner.startTime) return false;
  }
  return true;
}

function bootId(): string | null {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
}

/** Field 22 of `/proc/<pid>/stat` (after the parenthesised command name). */
function startTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function envStaleMs(): number | null {
  const v = Number(process.env.LTH_LOCK_STALE_MS);
  return process.env.LTH_LOCK_STALE_MS && Number.isFinite(v) && v > 0 ? v : null;
}
