import { distance } from 'fastest-levenshtein';
import { declareContribution, LthError, registerDecoratorModule, type BranchMeta, type Contribution, type Registry } from '@lth/kernel';
import { declaredArgs } from './arg';
import { Branch } from './branch';
import { branchFlagsClass, branchHparamsClass } from './branch-hparams';

/** A registered branch: its name, description, plugin, instance and `BranchMeta`. */
export type RegisteredBranch = Contribution<Branch> & { readonly meta: BranchMeta };

export type { BranchMeta } from '@lth/kernel';

const NAME = /^[a-z][a-z0-9_]*$/;
registerDecoratorModule(__filename);

/**
 * Registers a branch class (a subclass of `Branch`) under `name`, which becomes
 * `lth lottery_branch <name>` and the directory prefix `lottery_branch_<name>`. The arguments
 * declared on its `run` become its hparams class. In JavaScript, apply it as a function after
 * the `arg.*` decorators: `branch({ name, description })(MyBranch)`.
 */
export function branch(info: { name: string; description: string }) {
  return (cls: abstract new () => Branch): void => {
    if (!NAME.test(info.name)) {
      throw new Error(`Branch name '${info.name}' must be lower-case letters, digits and underscores, starting with a letter.`);
    }
    if (!(cls.prototype instanceof Branch)) throw new Error(`Branch ${cls.name} must extend the Branch class of @lth/lottery.`);
    const args = declaredArgs(cls);
    const hparams = branchHparamsClass(info.name, args);
    const meta: BranchMeta = { args, hparams, flags: branchFlagsClass(info.name, args, hparams) };
    declareContribution({ kind: 'branch', names: [info.name], cls, description: info.description, meta: meta as unknown as Record<string, unknown> });
  };
}

/** The branches registered in `registry` (a session's), in registration order. */
export function listBranches(registry: Registry): RegisteredBranch[] {
  return registry.list('branch') as RegisteredBranch[];
}

const RULE_WIDTH = 82;

/**
 * The branch menu `lth lottery_branch` prints without a branch name (and above an unknown
 * one's error), in the style of the `lth` command menu and OpenLTH's branch menu: the banner,
 * `Choose a branch to run:`, one `* lth lottery_branch <name> [...] => <description>` line per
 * registered branch, and a closing rule.
 */
export function branchMenu(registry: Registry): string {
  const all = listBranches(registry);
  return [
    '='.repeat(RULE_WIDTH),
    'lth: A Framework for Research on Lottery Tickets and Beyond',
    '-'.repeat(RULE_WIDTH),
    'Choose a branch to run:',
    ...(all.length ? all.map((b) => `    * lth lottery_branch ${b.name} [...] => ${b.description}`) : ['    (none: no branch plugin is loaded)']),
    '='.repeat(RULE_WIDTH),
  ].join('\n');
}

/**
 * The known name `name` is likely a typo of: the closest by edit distance, within a third of
 * its length (at least 2 edits); else the only name containing it or contained in it.
 */
function likelyMeant(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = distance(name, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  if (best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3))) return best;
  const containing = known.filter((k) => name.length >= 3 && (k.includes(name) || name.includes(k)));
  return containing.length === 1 ? containing[0] : undefined;
}

/**
 * The branch registered as `name` in `registry`, or an `UNKNOWN_BRANCH` error (exit status 1) with the branch
 * menu as its details and, in its message, the name it likely meant or else the known names.
 */
export function registeredBranch(registry: Registry, name: string): RegisteredBranch {
  const found = registry.find('branch', name);
  if (!found) {
    const known = listBranches(registry).map((b) => b.name);
    const near = likelyMeant(name, known);
    const hint = near ? `Did you mean ${near}?` : `Known branches: ${known.length ? known.join(', ') : '(none: no branch plugin is loaded)'}.`;
    throw new LthError('UNKNOWN_BRANCH', `Unknown branch '${name}'. ${hint}`, branchMenu(registry));
  }
  return found as RegisteredBranch;
}
