import {
  DatasetHparams,
  fieldsOfClass,
  LthError,
  ModelHparams,
  inject,
  injectable,
  PruningHparams,
  TOKENS,
  TrainingHparams,
  workflow,
  type Registry,
  type FlagGroup,
  type HparamsClass,
  type Job,
  type SelectorSpecs,
  type Selectors,
  type Workflow,
} from '@lth/kernel';
import { LotteryArgs, RewindingArgs } from './args';
import { defaultHparamsFor } from './default-hparams';
import { LotteryDesc } from './desc';
import { LotteryRunner } from './runner';

/**
 * The selectors of `lth lottery` (and of the commands that take a trunk's flags): the defaults
 * of a model family, the pruning strategy (its group), `--pretrain` (the pretraining groups) and
 * `--rewinding_steps` (checked against `--pretrain` before the groups are built).
 */
export const LOTTERY_SELECTORS = { default_hparams: 'str', pruning_strategy: 'str', pretrain: 'bool', rewinding_steps: 'str' } as const satisfies SelectorSpecs;

/** The selectors `LotteryWorkflow.flagGroups` reads. */
export type LotterySelectors = Selectors & {
  readonly default_hparams?: string;
  readonly pruning_strategy?: string;
  readonly pretrain?: boolean;
  readonly rewinding_steps?: string;
};

/**
 * `lth lottery`: a lottery ticket experiment (OpenLTH's `lottery` subcommand). Its flags are
 * OpenLTH's, in OpenLTH's groups and order: `--levels`; `--rewinding_steps` and `--pretrain`;
 * the dataset, model and training groups; the pruning group of the selected strategy (its own
 * hyperparameters appear once `--pruning_strategy`, or the defaults, name it); and with
 * `--pretrain`, the `--pretrain_*` training and dataset groups.
 */
@injectable()
@workflow({ name: 'lottery', description: 'Run a lottery ticket hypothesis experiment.' })
export class LotteryWorkflow implements Workflow {
  readonly selectors = LOTTERY_SELECTORS;

  constructor(@inject(TOKENS.Registry) private readonly registry: Registry) {}

  flagGroups(selectors: LotterySelectors): FlagGroup[] {
    if (selectors.pretrain && selectors.rewinding_steps !== undefined && selectors.rewinding_steps !== null) {
      throw new LthError('BAD_ARGS', 'Cannot set both --rewinding_steps and --pretrain: rewinding pretrains with the main hyperparameters; use --pretrain with --pretrain_* flags for anything else.');
    }
    const defaults = defaultHparamsFor(this.registry, selectors.default_hparams);
    const groups: FlagGroup[] = [
      { key: 'lottery', hparams: LotteryArgs },
      { key: 'rewinding', hparams: RewindingArgs },
      { key: 'dataset', hparams: DatasetHparams, defaults: defaults?.dataset },
      { key: 'model', hparams: ModelHparams, defaults: defaults?.model },
      { key: 'training', hparams: TrainingHparams, defaults: defaults?.training },
      pruningGroup(this.registry, selectors.pruning_strategy, defaults?.pruning),
    ];
    if (selectors.pretrain) {
      groups.push(
        {
          key: 'pretrain_training',
          hparams: TrainingHparams,
          prefix: 'pretrain',
          title: 'Training Hyperparameters for Pretraining',
          defaults: defaults ? { ...defaults.training, training_steps: '0ep' } : undefined,
          dependsOn: ['pretrain'],
        },
        {
          key: 'pretrain_dataset',
          hparams: DatasetHparams,
          prefix: 'pretrain',
          title: 'Dataset Hyperparameters for Pretraining',
          defaults: defaults?.dataset,
          dependsOn: ['pretrain'],
        },
      );
    }
    return groups;
  }

  outputLocations(job: Job): string[] {
    return runnerFor(job).outputLocations();
  }

  async run(job: Job): Promise<void> {
    await runnerFor(job).run();
  }
}

/** The runner a parsed job describes. */
export function runnerFor(job: Job): LotteryRunner {
  const lottery = job.groups.lottery;
  if (!(lottery instanceof LotteryArgs)) throw new Error("The lottery workflow needs its 'lottery' group (--levels)");
  return new LotteryRunner({
    desc: LotteryDesc.fromGroups(job.groups, job.registry),
    levels: lottery.levels,
    ...(lottery.level_only === null ? {} : { onlyLevel: lottery.level_only }),
    replicate: job.args.replicate,
    platform: job.platform,
    out: job.out,
    verbose: !job.args.quiet,
    evaluateEveryEpoch: !job.args.evaluate_only_at_end,
  });
}

/**
 * The pruning group: the selected strategy's hparams class (from `--pruning_strategy`, else
 * the defaults' strategy), with the defaults' values for every field that class declares
 * (another strategy takes those it shares with the defaults' strategy, e.g.
 * `pruning_fraction` and `pruning_layers_to_ignore`; OpenLTH crashed when they differed,
 * quirk 25). With no strategy at all, only `--pruning_strategy` (required). An unknown
 * strategy is an `UNKNOWN_STRATEGY` error.
 */
function pruningGroup(registry: Registry, selected: string | undefined, defaults: Record<string, unknown> | undefined): FlagGroup {
  const name = selected ?? (defaults?.pruning_strategy as string | undefined);
  if (!name) return { key: 'pruning', hparams: PruningHparams };
  const hparams = registry.strategy(name).meta.hparams as HparamsClass;
  const declared = new Set(fieldsOfClass(hparams).map((f) => f.name));
  const shared = Object.entries(defaults ?? {}).filter(([k]) => declared.has(k));
  return { key: 'pruning', hparams, defaults: { ...Object.fromEntries(shared), pruning_strategy: name } };
}
