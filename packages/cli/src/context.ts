import type { OutputStream } from './output';
import { openSession, type Session } from './session';

let session: Session | undefined;
let stdout: OutputStream | undefined;

/**
 * The session of this process, opened on first use from `cwd` (the oclif `init` hook opens it);
 * later `main` calls in the same process (the in-process CLI tests) reuse it, since plugins
 * register into the one registry once.
 */
export function useSession(cwd: string = process.cwd()): Session {
  session ??= openSession(cwd);
  return session;
}

/** The open session (commands run after the `init` hook opened it). */
export function currentSession(): Session {
  return useSession();
}

/** Where the running `main` writes its standard output (workflow commands write there). */
export function setCommandStdout(stream: OutputStream | undefined): void {
  stdout = stream;
}

/** The standard output of the running `main`: its `io.stdout`, else `process.stdout`. */
export function commandStdout(): OutputStream {
  return stdout ?? process.stdout;
}
