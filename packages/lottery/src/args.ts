import { bool, group, Hparams, int, str } from '@lth/kernel';
import { MAX_LEVEL } from './branch/level-list';

/* eslint-disable @typescript-eslint/naming-convention -- field names are OpenLTH's flags */

/**
 * `--levels`: how many times to prune (OpenLTH's "Lottery Ticket Hyperparameters"). Part of
 * the job, not of the experiment's identity: never hashed, so running more levels later
 * continues the same experiment.
 */
@group({ name: 'Lottery Ticket Hyperparameters', description: 'Hyperparameters that control the lottery ticket process.' })
export class LotteryArgs extends Hparams {
  @int({
    help: 'The number of levels of iterative pruning to perform. At each level, the network is trained to completion, pruned, and rewound, preparing it for the next lottery ticket iteration. The full network is trained at level 0, and level 1 is the first level at which pruning occurs. Set this argument to 0 to just train the full network or to N to prune the network N times.',
    validate: (v: number) => (v < 0 ? 'must not be negative' : v > MAX_LEVEL ? `must be at most ${MAX_LEVEL}` : undefined),
  })
  levels!: number;

  /**
   * Hidden: run level L alone (its pretraining and initial weights first at level 0), as a
   * batch scheduler's job of one level does; level L-1 must be trained. Not hashed.
   */
  @int({ default: null, help: 'Run only this level (level L-1 must be trained).', validate: (v: number) => (v < 0 ? 'must not be negative' : undefined), hidden: true })
  level_only!: number | null;
}

/**
 * `--rewinding_steps` and `--pretrain` (OpenLTH's "Rewinding/Pretraining Arguments"). They
 * select how the desc's pretraining groups are built and are not hashed themselves.
 */
@group({ name: 'Rewinding/Pretraining Arguments', description: 'Arguments that control how the network is pre-trained' })
export class RewindingArgs extends Hparams {
  @str({
    default: null,
    help: "The number of steps for which to train the network before the lottery ticket process begins. This is the 'rewinding' step as described in recent lottery ticket research. Can be expressed as a number of epochs ('160ep') or a number of iterations ('50000it'). If this flag is present, no other pretraining arguments may be set. Pretraining will be conducted using the same dataset and training hyperparameters as for the main training run. For the full range of pre-training options, use --pretrain.",
    exclusive: ['pretrain'],
  })
  rewinding_steps!: string | null;

  @bool({ help: 'Pretrain the network prior to running the lottery ticket process.', exclusive: ['rewinding_steps'] })
  pretrain!: boolean;
}
