import type { ErrorCode } from './error-codes';
import { LthError } from './errors';

/** How `ioError` names the standard output as the file it failed on. */
export const STDOUT = 'standard output';

/** What an error of the operating system says, when it is one (`code` such as `ENOSPC`, and the path). */
interface SystemError {
  readonly code: string;
  readonly path?: string;
  readonly dest?: string;
  readonly syscall?: string;
}

function systemError(e: unknown): SystemError | null {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof Error && typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? (e as unknown as SystemError) : null;
}

/** The LthError code and the advice for each errno lth knows; anything else is `IO_ERROR`. */
const ERRNO: Readonly<Record<string, readonly [code: ErrorCode, what: string, advice: string]>> = {
  ENOSPC: ['NO_SPACE', 'no space is left on the device', 'Free some space (or choose another results root) and run again: the run resumes from its last checkpoint.'],
  EDQUOT: ['NO_SPACE', 'the disk quota is exceeded', 'Free some space (or choose another results root) and run again: the run resumes from its last checkpoint.'],
  EFBIG: ['FILE_TOO_BIG', 'the file would be larger than the file system or `ulimit -f` allows', 'Raise the limit (ulimit -f unlimited) or choose a results root on another file system, and run again.'],
  EIO: ['IO_ERROR', 'the device reported an input/output error', 'Check the disk or network file system (dmesg), then run again: files already written are kept.'],
  ENAMETOOLONG: ['PATH_TOO_LONG', 'the path is too long for the file system', 'Choose a shorter results root (platform.root in lth.config.ts or LTH_ROOT).'],
  ELOOP: ['SYMLINK_LOOP', 'the path goes through a loop of symbolic links', 'Fix or remove the symbolic link.'],
  ENOTDIR: ['NOT_A_DIRECTORY', 'a part of the path is a file, not a directory', 'Move that file away or choose another results root.'],
  EISDIR: ['IS_A_DIRECTORY', 'it is a directory, not a file', 'Move the directory away and run again.'],
  EMFILE: ['TOO_MANY_FILES', 'this process has too many open files', 'Raise the limit (ulimit -n 4096) and run again.'],
  ENFILE: ['TOO_MANY_FILES', 'the system has too many open files', 'Close other programs or raise fs.file-max, and run again.'],
  EACCES: ['NOT_WRITABLE', 'permission is denied', 'Fix its permissions or choose another results root.'],
  EPERM: ['NOT_WRITABLE', 'the operation is not permitted', 'Fix its permissions or choose another results root.'],
  EROFS: ['NOT_WRITABLE', 'the file system is read-only', 'Choose a results root on a writable file system.'],
  ENOENT: ['MISSING_FILE', 'it does not exist', 'Check the path; if it is one of lth\'s results, run the command again to recreate it.'],
  EBUSY: ['IO_ERROR', 'the device or resource is busy', 'Wait for the other user of the file to finish, then run again.'],
  ENXIO: ['IO_ERROR', 'there is no such device', 'Use a regular file.'],
  EPIPE: ['OUTPUT_CLOSED', 'the reader of the output went away', 'Keep the pipe\'s reader open (or redirect the output to a file).'],
  EAGAIN: ['IO_ERROR', 'the resource is temporarily unavailable', 'Run again.'],
  ESTALE: ['IO_ERROR', 'the network file system handle is stale', 'Remount the file system or run again.'],
};

/**
 * The one mapping from errors of the operating system to `LthError`s, used by every file
 * operation of lth (`writeFileAtomic`, the readers, the CLI's last resort): one line naming the
 * path, what happened and what to do. `action` says what lth was doing (`write`, `read`,
 * `create the directory`). Errors that are not system errors (and `LthError`s) are returned as
 * they are.
 *
 * | errno | code |
 * |---|---|
 * | ENOSPC, EDQUOT | `NO_SPACE` |
 * | EFBIG | `FILE_TOO_BIG` |
 * | EIO, EBUSY, ENXIO, EAGAIN, ESTALE, others | `IO_ERROR` |
 * | ENAMETOOLONG | `PATH_TOO_LONG` |
 * | ELOOP | `SYMLINK_LOOP` |
 * | ENOTDIR | `NOT_A_DIRECTORY` |
 * | EISDIR | `IS_A_DIRECTORY` |
 * | EMFILE, ENFILE | `TOO_MANY_FILES` |
 * | EACCES, EPERM, EROFS | `NOT_WRITABLE` |
 * | ENOENT | `MISSING_FILE` (`NO_CWD` when it is the current directory that is gone) |
 * | EPIPE | `OUTPUT_CLOSED` |
 */
export function ioError(e: unknown, action?: string, file?: string): unknown {
  if (e instanceof LthError) return e;
  const sys = systemError(e);
  if (!sys) return e;
  if (sys.syscall === 'uv_cwd' || (sys.code === 'ENOENT' && sys.syscall === 'getcwd')) {
    return new LthError('NO_CWD', 'The current directory no longer exists (it was deleted or moved). cd to an existing directory and run again.');
  }
  const where = file ?? sys.path ?? sys.dest;
  const [code, what, known]: readonly [ErrorCode, string, string] = ERRNO[sys.code] ?? ['IO_ERROR', `the system reported ${sys.code}`, 'Check the path and the device, then run again.'];
  const advice = file === STDOUT ? 'Redirect the output to a file system that can take it (or to /dev/null), then run again.' : known;
  const doing = action ?? syscallAction(sys.syscall);
  const subject = where ? `${doing ? `${doing} ` : ''}${where}` : doing || 'an input/output operation';
  return new LthError(code, `Cannot ${subject}: ${what} (${sys.code}). ${advice}`);
}

/** Runs `fn`, turning a system error into `ioError(e, action, file)`. */
export function withIo<T>(action: string, file: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw ioError(e, action, file);
  }
}

/** Whether `e` is an error of the operating system (has an errno `code`). */
export function isSystemError(e: unknown): boolean {
  return systemError(e) !== null;
}

function syscallAction(syscall: string | undefined): string {
  switch (syscall) {
    case 'read':
    case 'stat':
    case 'lstat':
    case 'scandir':
    case 'readlink':
    case 'realpath':
      return 'read';
    case 'write':
    case 'fsync':
    case 'close':
    case 'rename':
    case 'unlink':
    case 'utime':
    case 'rmdir':
      return 'write';
    case 'mkdir':
      return 'create the directory';
    default:
      return syscall ?? '';
  }
}
