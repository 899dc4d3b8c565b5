import { LthError, type TrainingHparams } from '@lth/kernel';
import { AdamOptimizer } from './adam';
import type { Optimizer, OptimizerParam } from './optimizer';
import { SgdOptimizer } from './sgd';

export * from './optimizer';
export * from './sgd';
export * from './adam';

/** The optimizer names `--optimizer_name` accepts. */
export const OPTIMIZER_NAMES: readonly string[] = ['sgd', 'adam'];

/**
 * Checks the optimizer hyperparameters without building anything: a known optimizer name,
 * not both `momentum` and `nesterov_momentum` (OpenLTH silently let momentum win), no
 * `apex_fp16` (NVIDIA Apex is PyTorch-only).
 */
export function validateOptimizerHparams(hp: TrainingHparams): void {
  if (!OPTIMIZER_NAMES.includes(hp.optimizer_name)) {
    throw new LthError('UNKNOWN_OPTIMIZER', `Unknown optimizer '${hp.optimizer_name}'. Known: ${OPTIMIZER_NAMES.join(', ')}.`);
  }
  if (hp.apex_fp16) {
    throw new LthError('UNSUPPORTED_HPARAM', '--apex_fp16 is not supported: NVIDIA Apex mixed precision exists only for PyTorch. Remove the flag to train in float32.');
  }
  if (hp.momentum && hp.nesterov_momentum) {
    throw new LthError('CONFLICTING_HPARAMS', `Set either --momentum (${hp.momentum}) or --nesterov_momentum (${hp.nesterov_momentum}), not both.`);
  }
}

/**
 * OpenLTH's `get_optimizer`: `sgd` with `momentum = momentum || nesterov_momentum || 0`,
 * Nesterov when `nesterov_momentum > 0`, and coupled weight decay; or `adam` with PyTorch's
 * defaults and coupled weight decay (momentum is ignored).
 */
export function createOptimizer(hp: TrainingHparams, params: readonly OptimizerParam[]): Optimizer {
  validateOptimizerHparams(hp);
  const weightDecay = hp.weight_decay || 0;
  if (hp.optimizer_name === 'adam') return new AdamOptimizer(params, { weightDecay });
  return new SgdOptimizer(params, {
    momentum: hp.momentum || hp.nesterov_momentum || 0,
    nesterov: (hp.nesterov_momentum ?? 0) > 0,
    weightDecay,
  });
}
