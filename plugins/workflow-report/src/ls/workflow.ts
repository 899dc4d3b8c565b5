import * as fs from 'node:fs';
import * as path from 'node:path';
import { bool, group, Hparams, inject, injectable, LthError, str, TOKENS, workflow, type FlagGroup, type Job, type Registry, type Workflow } from '@lth/kernel';
import { reportExtensionsOf } from '../extensions';
import { scanRoot } from '../results/scan';
import { filterHparams, rowMatches } from './filters';
import { formatLsTable, lsRows, type LsRow } from './rows';

/* eslint-disable @typescript-eslint/naming-convention -- field names are the CLI's flags */

/** The options of `lth ls`. */
@group({ name: 'Listing Options', description: 'What lth ls lists and how.' })
export class LsArgs extends Hparams {
  @str({ default: null, help: "The results root to list. Unset: the platform's root (LTH_ROOT, the config's platform.root, else ~/open_lth_data)." })
  root!: string | null;

  @str({ default: null, help: 'Only experiments of this kind.', choices: ['train', 'lottery', 'branch'] })
  kind!: 'train' | 'lottery' | 'branch' | null;

  @bool({ help: 'Only complete experiments.' })
  complete!: boolean;

  @bool({ help: 'Only incomplete experiments (in progress, interrupted, or unreadable).' })
  incomplete!: boolean;

  @bool({ help: 'Print a JSON array (one object per row, every hyperparameter) instead of the table.' })
  json!: boolean;
}

/** The results root a listing or report reads: `--root`, else the platform's; a missing one is `NO_ROOT`. */
export function resultsRoot(given: string | null, job: Job): string {
  const root = path.resolve(given ?? job.platform.root);
  let isDir = false;
  try {
    isDir = fs.statSync(root).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    throw new LthError('NO_ROOT', `The results root ${root} ${fs.existsSync(root) ? 'is not a directory' : 'does not exist'}: run an experiment first, or name another root with --root=<dir> (or LTH_ROOT).`);
  }
  return root;
}

/**
 * `lth ls`: one row per experiment under the results root (`train_<md5>`, `lottery_<md5>`, and
 * each branch under a lottery's levels) with its replicates, levels trained and planned,
 * status, best test accuracy and the hyperparameters that differ from its model's defaults;
 * `--json` for scripts. Filter flags keep the experiments whose hyperparameters have the given
 * values. Trains nothing, so no tensor backend is set up.
 */
@injectable()
@workflow({ name: 'ls', description: 'List the experiments under the results root.' })
export class LsWorkflow implements Workflow {
  readonly needsBackend = false;
  readonly positionals = [];

  constructor(@inject(TOKENS.Registry) private readonly registry: Registry) {}

  flagGroups(): FlagGroup[] {
    return [
      { key: 'ls', hparams: LsArgs },
      { key: 'filters', hparams: filterHparams(this.registry) },
    ];
  }

  outputLocations(): string[] {
    return [];
  }

  async run(job: Job): Promise<void> {
    const args = job.groups.ls as LsArgs;
    if (args.complete && args.incomplete) throw new LthError('BAD_ARGS', 'Give --complete or --incomplete, not both.');
    const root = resultsRoot(args.root, job);
    const filters = Object.fromEntries(Object.entries(job.groups.filters.values()).filter(([, v]) => v !== null)) as Record<string, string>;
    const rows = listRows(root, job.registry).filter(
      (r) => (!args.kind || r.kind === args.kind) && (!args.complete || r.complete) && (!args.incomplete || !r.complete) && rowMatches(r, filters),
    );
    if (args.json) {
      job.out.line(JSON.stringify(rows.map(jsonRow), null, 2));
      return;
    }
    if (!rows.length) {
      const any = listRows(root, job.registry).length > 0;
      job.out.line(any ? `No experiment under ${root} matches.` : `No experiments under ${root}.`);
      return;
    }
    job.out.line(`Results root: ${root}`);
    job.out.line(formatLsTable(rows));
  }
}

/** Every row under `root` (branch directories read with the report extensions of `registry`, a session's). */
export function listRows(root: string, registry: Registry): LsRow[] {
  return scanRoot(root, reportExtensionsOf(registry)).flatMap((e) => lsRows(e, registry));
}

function jsonRow(r: LsRow): Record<string, unknown> {
  return {
    kind: r.kind,
    hashname: r.hashname,
    path: r.kind === 'branch' ? null : r.dir,
    trunk: r.trunk,
    branch: r.branch,
    replicates: r.replicates,
    levels_done: r.levelsDone,
    levels_planned: r.levelsPlanned,
    branch_levels: r.branchLevels,
    complete: r.complete,
    running: r.running,
    best_accuracy: r.bestAccuracy,
    nondefault_hparams: r.hparams,
    hparams: r.values,
    problem: r.problem,
  };
}
