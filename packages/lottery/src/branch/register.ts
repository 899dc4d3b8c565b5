import { LthError, registry, type Contribution, type HparamsClass } from '@lth/kernel';
import { declaredArgs, type BranchArgSpec } from './arg';
import { Branch } from './branch';
import { branchFlagsClass, branchHparamsClass } from './branch-hparams';

/** What `@branch` records about a branch class, as the registry's `meta` of kind `branch`. */
export interface BranchMeta {
  /** The branch's arguments in parameter order. */
  readonly args: readonly BranchArgSpec[];
  /** The hashed hyperparameters (`Branch Arguments`). */
  readonly hparams: HparamsClass;
  /** The hparams class its flags are parsed into (the hashed class unless an argument defaults to a trunk group). */
  readonly flags: HparamsClass;
}

/** A registered branch: its name, description, plugin, instance and `BranchMeta`. */
export type RegisteredBranch = Contribution<Branch> & { readonly meta: BranchMeta };

const NAME = /^[a-z][a-z0-9_]*$/;

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
    const instance = registry.container.resolve(cls as unknown as new () => Branch);
    registry.add('branch', info.name, instance, info.description, meta as unknown as Record<string, unknown>);
  };
}

/** The registered branches, in registration order. */
export function listBranches(): RegisteredBranch[] {
  return registry.list<Branch>('branch') as RegisteredBranch[];
}

/** `name: description` of every branch, joined for one-line messages. */
export function branchMenu(): string {
  const all = listBranches();
  return all.length ? all.map((b) => `${b.name} (${b.description.replace(/\.$/, '')})`).join('; ') : '(no branch plugin is loaded)';
}

/** The branch registered as `name`, or an `UNKNOWN_BRANCH` error listing the known ones. */
export function registeredBranch(name: string): RegisteredBranch {
  const found = registry.find<Branch>('branch', name);
  if (!found) {
    const known = listBranches().map((b) => b.name);
    throw new LthError('UNKNOWN_BRANCH', `Unknown branch '${name}'. Known branches: ${known.length ? known.join(', ') : '(none: no branch plugin is loaded)'}. Run lth lottery_branch to see what each does.`, 1);
  }
  return found as RegisteredBranch;
}
