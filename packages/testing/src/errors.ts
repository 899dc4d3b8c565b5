import { expect } from 'chai';
import { isLthError, LthError, type ErrorCode } from '@lth/kernel';

/**
 * Checks that `f()` throws, synchronously, an `LthError` (the kernel's class, not just an error
 * named like it) whose `code` is `code`, whose message is one line (as every user-facing error
 * must be), and, when `text` is given, whose message matches `text`. Fails when `f` returns.
 *
 * Use {@link expectLthRejection} for code that may fail asynchronously: this one treats a
 * returned (even rejected) promise as "did not throw".
 */
export function expectLthError(f: () => unknown, code: ErrorCode, text?: RegExp): void {
  try {
    f();
  } catch (e) {
    checkLthError(e, code, text);
    return;
  }
  expect.fail(`expected an LthError ${expected(code, text)}`);
}

/**
 * The asynchronous {@link expectLthError}: awaits `p` (a promise, or a function whose result is
 * awaited, so it may throw synchronously or reject), then checks the failure the same way.
 */
export async function expectLthRejection(p: Promise<unknown> | (() => unknown), code: ErrorCode, text?: RegExp): Promise<void> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    checkLthError(e, code, text);
    return;
  }
  expect.fail(`expected an LthError ${expected(code, text)}`);
}

function expected(code: ErrorCode, text: RegExp | undefined): string {
  return text ? `${code} matching ${String(text)}` : code;
}

function checkLthError(e: unknown, code: ErrorCode, text: RegExp | undefined): void {
  const seen = e instanceof Error ? (e.stack ?? String(e)) : String(e);
  expect(isLthError(e), `expected LthError ${code}, got ${seen}`).to.equal(true);
  expect(e, seen).to.be.instanceOf(LthError);
  expect((e as LthError).code, (e as Error).message).to.equal(code);
  expect((e as Error).message).to.not.contain('\n');
  if (text) expect((e as Error).message).to.match(text);
}
