import type { BranchContext } from './context';

/**
 * A branch: an experiment run off a trunk level of a lottery experiment (OpenLTH's `Branch`,
 * spec §10), such as retraining the level's sparse network from a random reinitialisation.
 *
 * A branch is a class in a plugin. Its `run(context, ...args)` does the work for one level;
 * the parameters after the context are its arguments, each declared with an `arg.*` decorator
 * (type, default, help, or a whole hparams group). From those declarations come the branch's
 * hashed hyperparameters (`Branch Arguments`), its `lth lottery_branch <name>` flags, and the
 * name of its output directory, `level_<L>/lottery_branch_<name>_<md5>`, hashed exactly as
 * OpenLTH hashes branch arguments. The `@branch({ name, description })` class decorator
 * registers it:
 *
 * ```ts
 * @branch({ name: 'randomly_reinitialize', description: 'Randomly reinitialize the model.' })
 * export class RandomlyReinitialize extends Branch {
 *   async run(
 *     context: BranchContext,
 *     @arg.bool('start_at_step_zero', { help: 'Train from step 0 instead of the rewind step.' }) startAtStepZero: boolean,
 *   ): Promise<void> {
 *     const model = context.buildModel('my-seed');
 *     const mask = context.levelMask(model);
 *     await context.train({ model, mask, startStep: startAtStepZero ? context.stepZero : context.trainStartStep });
 *   }
 * }
 * ```
 *
 * The runner calls `validate` for every requested level before anything is written, then, per
 * level, writes the branch's `hparams.log` and `desc.json` and calls `run`. A run that finds its
 * results on disk should return quickly (`context.train` does: finished training is skipped,
 * interrupted training resumes from its checkpoint). After the last level the runner calls
 * `summarize` when the branch has one.
 */
export abstract class Branch {
  /**
   * Checks the arguments against the trunk before anything is written (layer names exist, the
   * files the run needs are there); throws an `LthError` for bad input. Called once per level.
   */
  validate(context: BranchContext, ...args: never[]): void {
    void context;
    void args;
  }

  /**
   * Optional: asynchronous checks before anything is written, after `validate` has passed at
   * every level; called once, with the first requested level's context. For checks that read
   * data: `retrain` loads the dataset it retrains on here, so a missing or corrupt one is one
   * error and no branch directory.
   */
  preflight?(context: BranchContext, ...args: never[]): Promise<void>;

  /** Runs the branch for `context.level` with the arguments in parameter order. */
  abstract run(context: BranchContext, ...args: never[]): Promise<void>;

  /**
   * Optional: called once after `run` has finished at every requested level, with the contexts
   * of those levels in order and the same arguments, before the runner prints the experiment
   * table. A branch whose results are not a training run's accuracy prints its own summary
   * here (`instability` prints one row per level).
   */
  summarize?(contexts: readonly BranchContext[], ...args: never[]): void | Promise<void>;
}
