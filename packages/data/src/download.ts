import { createHash, type Hash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import { LthError, ensureDir } from '@lth/kernel';

/** Checksums a download must match, and how patiently to fetch it. */
export interface DownloadOptions {
  readonly md5?: string;
  readonly sha256?: string;
  /** Give up when the server stays silent this long (default 30 s). */
  readonly timeoutMs?: number;
  /** Redirects followed at most (default 5). */
  readonly maxRedirects?: number;
}

let downloadCounter = 0;

function get(url: URL, timeoutMs: number): Promise<http.IncomingMessage> {
  const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : null;
  if (!client) return Promise.reject(new LthError('DOWNLOAD_FAILED', `Cannot download ${url.href}: only http and https URLs are supported.`));
  return new Promise((resolve, reject) => {
    const req = client.get(url, (res) => resolve(res));
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no answer for ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
  });
}

async function open(url: URL, options: DownloadOptions): Promise<http.IncomingMessage> {
  const maxRedirects = options.maxRedirects ?? 5;
  let current = url;
  for (let hop = 0; ; hop++) {
    const res = await get(current, options.timeoutMs ?? 30_000);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      if (hop >= maxRedirects) throw new LthError('DOWNLOAD_FAILED', `Could not download ${url.href}: more than ${maxRedirects} redirects.`);
      current = new URL(res.headers.location, current);
      continue;
    }
    if (status !== 200) {
      res.resume();
      throw new LthError('DOWNLOAD_FAILED', `Could not download ${current.href}: the server answered HTTP ${status}.`);
    }
    return res;
  }
}

async function streamToFile(res: http.IncomingMessage, file: string, hashes: Hash[]): Promise<void> {
  const fd = await fs.promises.open(file, 'w');
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      for (const h of hashes) h.update(chunk);
      await fd.write(chunk);
    }
    if (!res.complete) throw Object.assign(new Error('the connection closed before the end of the file'), { code: 'ECONNRESET' });
    await fd.sync();
  } finally {
    await fd.close();
  }
}

/**
 * Downloads `url` to `dest` atomically: into a temporary file beside `dest`, checked against
 * the given md5 and/or sha256, then renamed into place, so `dest` is either absent or complete
 * and verified. Follows redirects (http and https). A checksum that does not match is a
 * `CHECKSUM_MISMATCH` error and leaves nothing behind; any other failure (no network, HTTP
 * error, timeout) is a `DOWNLOAD_FAILED` error, also leaving nothing behind.
 */
export async function downloadFile(url: string, dest: string, options: DownloadOptions = {}): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LthError('DOWNLOAD_FAILED', `Cannot download '${url}': not a valid URL.`);
  }
  ensureDir(path.dirname(dest));
  const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.${process.pid}.${downloadCounter++}.download`);
  const md5 = options.md5 ? createHash('md5') : null;
  const sha256 = options.sha256 ? createHash('sha256') : null;
  try {
    const res = await open(parsed, options);
    await streamToFile(res, tmp, [md5, sha256].filter((h): h is Hash => h !== null));
    for (const [name, hash, expected] of [['md5', md5, options.md5], ['sha256', sha256, options.sha256]] as const) {
      if (!hash || !expected) continue;
      const actual = hash.digest('hex');
      if (actual.toLowerCase() !== expected.toLowerCase()) {
        throw new LthError('CHECKSUM_MISMATCH', `The download of ${url} has ${name} ${actual}, not the expected ${expected}; it was discarded. The mirror or the connection delivered a different file: try again later, or put a verified copy at ${dest} yourself.`);
      }
    }
    await fs.promises.rename(tmp, dest);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    if (e instanceof LthError) throw e;
    const err = e as NodeJS.ErrnoException;
    const detail = err.code && !err.message.includes(err.code) ? `${err.code} ${err.message}` : err.message;
    throw new LthError('DOWNLOAD_FAILED', `Could not download ${url}: ${detail}`);
  }
}
