import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'chai';
import { LthError, ioError, removeStaleTempFiles, writeFileAtomic } from '../src';

function sysError(code: string, syscall: string, file?: string): Error {
  return Object.assign(new Error(`${code}: ${syscall}`), { code, syscall, ...(file ? { path: file } : {}) });
}

const KERNEL = path.join(__dirname, '..', 'src');

describe('ioError: one mapping from errno to a one-line LthError', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['ENOSPC', 'NO_SPACE', /no space is left on the device \(ENOSPC\)\. Free some space/],
    ['EDQUOT', 'NO_SPACE', /quota/],
    ['EFBIG', 'FILE_TOO_BIG', /ulimit -f/],
    ['EIO', 'IO_ERROR', /input\/output error \(EIO\)/],
    ['ENAMETOOLONG', 'PATH_TOO_LONG', /shorter results root/],
    ['ELOOP', 'SYMLINK_LOOP', /loop of symbolic links/],
    ['ENOTDIR', 'NOT_A_DIRECTORY', /is a file, not a directory/],
    ['EMFILE', 'TOO_MANY_FILES', /ulimit -n/],
    ['EROFS', 'NOT_WRITABLE', /read-only/],
    ['EWHATEVER', 'IO_ERROR', /EWHATEVER/],
  ];
  for (const [errno, code, text] of cases) {
    it(`${errno} is ${code}, naming the path and what to do`, () => {
      const e = ioError(sysError(errno, 'open', '/r/x/checkpoint.safetensors'), 'write') as LthError;
      expect(e).to.be.instanceOf(LthError);
      expect(e.code).to.equal(code);
      expect(e.message).to.match(/^Cannot write \/r\/x\/checkpoint\.safetensors: /);
      expect(e.message).to.match(text);
      expect(e.message).to.not.contain('\n');
    });
  }

  it('a deleted current directory is NO_CWD; other errors pass through unchanged', () => {
    expect((ioError(sysError('ENOENT', 'uv_cwd')) as LthError).code).to.equal('NO_CWD');
    const plain = new Error('not a system error');
    expect(ioError(plain)).to.equal(plain);
    const lth = new LthError('IO_ERROR', 'y');
    expect(ioError(lth)).to.equal(lth);
  });
});

describe('writeFileAtomic on failure', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lth-atomic-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('removes its temporary file and keeps the old file when the rename fails', () => {
    const file = path.join(dir, 'f');
    fs.writeFileSync(file, 'old');
    fs.mkdirSync(path.join(dir, 'd'));
    fs.writeFileSync(path.join(dir, 'd', 'x'), '');
    expect(() => writeFileAtomic(path.join(dir, 'd'), 'new')).to.throw(LthError, /Cannot write .*\/d: /);
    expect(fs.readdirSync(dir).sort()).to.deep.equal(['d', 'f']);
    expect(fs.readFileSync(file, 'utf8')).to.equal('old');
  });

  it('names the file in a one-line error when the process runs out of file descriptors (EMFILE, real)', function () {
    this.timeout(60_000);
    const target = path.join(dir, 'result.json');
    const script = `
      const fs = require('fs');
      const { writeFileAtomic } = require(${JSON.stringify(KERNEL)});
      const held = [];
      try { for (;;) held.push(fs.openSync('/dev/null', 'r')); } catch {}
      try { writeFileAtomic(${JSON.stringify(target)}, 'x'); console.log('no error'); }
      catch (e) { console.log(e.code + ' ' + e.message); }`;
    const r = spawnSync('sh', ['-c', `ulimit -n 64 && exec "${process.execPath}" -e "$0"`, script], { encoding: 'utf8' });
    expect(r.stdout.trim(), r.stderr).to.match(new RegExp(`^TOO_MANY_FILES Cannot write ${target}: .*\\(EMFILE\\)\\. Raise the limit \\(ulimit -n 4096\\)`));
    expect(fs.readdirSync(dir)).to.deep.equal([]);
  });

  it('a rerun removes the temporary files of dead processes, recursively, and keeps those of live ones', () => {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const dead = Number(child.stdout.toString());
    fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'a', 'b', `.checkpoint.safetensors.${dead}.3.tmp`), 'torn');
    fs.writeFileSync(path.join(dir, `.logger.${dead}.0.tmp`), 'torn');
    fs.writeFileSync(path.join(dir, `.logger.${process.ppid}.0.tmp`), 'in progress');
    expect(removeStaleTempFiles(dir, true).sort()).to.deep.equal([`.logger.${dead}.0.tmp`, `a/b/.checkpoint.safetensors.${dead}.3.tmp`]);
    expect(fs.existsSync(path.join(dir, `.logger.${process.ppid}.0.tmp`))).to.equal(true);
  });
});
