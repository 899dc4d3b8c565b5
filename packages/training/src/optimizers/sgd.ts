import type * as tf from '@tensorflow/tfjs-core';
import { sgdUpdate } from '@lth/nn';
import { Optimizer, type OptimizerParam } from './optimizer';

/** Settings of `SgdOptimizer`, as PyTorch's `torch.optim.SGD` takes them (dampening 0). */
export interface SgdOptions {
  readonly momentum: number;
  readonly nesterov: boolean;
  /** Coupled L2 weight decay: `g += weightDecay * w`. */
  readonly weightDecay: number;
}

/**
 * Stochastic gradient descent exactly as `torch.optim.SGD`:
 * `g = grad + wd*w`; with momentum `buf = mu*buf + g` (the first step sets `buf = g`) and
 * `g = nesterov ? g + mu*buf : buf`; then `w -= lr*g`. State slot: `momentum_buffer`.
 */
export class SgdOptimizer extends Optimizer {
  readonly kind = 'sgd';

  constructor(params: readonly OptimizerParam[], readonly options: SgdOptions) {
    super(params);
    if (options.nesterov && options.momentum <= 0) throw new Error('Nesterov momentum requires a momentum above zero');
  }

  protected get slotNames(): readonly string[] {
    return ['momentum_buffer'];
  }

  protected update(p: OptimizerParam, grad: tf.Tensor, lr: number): void {
    const prev = this.options.momentum !== 0 ? this.slot('momentum_buffer', p) ?? null : null;
    const next = sgdUpdate(p.variable, grad, prev, p.mask ?? null, { lr, ...this.options });
    if (next.buf) this.setSlot('momentum_buffer', p, next.buf, true);
    p.variable.assign(next.w);
  }
}
