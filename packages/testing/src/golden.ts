import { expect } from 'chai';
import * as fs from 'node:fs';

/**
 * A golden table: per case, the canonical hparams string and the hash OpenLTH's hashing gives it,
 * computed independently (by a Python script beside the test that reads the table).
 */
export type GoldenHashes = Readonly<Record<string, { readonly hash: string; readonly canonical: string }>>;

/** Something hashed OpenLTH's way: a `Desc` (`train_<md5>`, `lottery_<md5>`) or a branch's desc. */
export interface OpenLthHashed {
  canonicalString(): string;
  readonly hashname: string;
}

/** Reads a golden table from its JSON file. */
export function readGoldenHashes(file: string): GoldenHashes {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as GoldenHashes;
}

/**
 * Declares the mocha tests of a golden table: one checking that `cases` names exactly the
 * table's cases, and one per case checking that what its function builds has the case's
 * canonical string and hash. Call it inside a `describe`.
 */
export function itMatchesGoldenHashes(cases: Readonly<Record<string, () => OpenLthHashed>>, golden: GoldenHashes): void {
  it('covers every golden case', () => {
    expect(Object.keys(cases).sort()).to.deep.equal(Object.keys(golden).sort());
  });
  for (const [name, make] of Object.entries(cases)) {
    it(name, () => {
      const d = make();
      expect(d.canonicalString()).to.equal(golden[name].canonical);
      expect(d.hashname).to.equal(golden[name].hash);
    });
  }
}
