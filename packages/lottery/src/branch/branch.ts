import type { Branch as BranchContract } from '@lth/kernel';
import type { BranchContext } from './context';

/**
 * The base class of every branch (the kernel's `Branch` contract, documented there): a plugin
 * extends it, declares `run`'s arguments with `arg.*` and registers it with `@branch`.
 * `validate` defaults to no checks.
 */
export abstract class Branch implements BranchContract<BranchContext> {
  validate(context: BranchContext, ...args: never[]): void {
    void context;
    void args;
  }

  preflight?(context: BranchContext, ...args: never[]): Promise<void>;

  abstract run(context: BranchContext, ...args: never[]): Promise<void>;

  summarize?(contexts: readonly BranchContext[], ...args: never[]): void | Promise<void>;
}
