import * as tf from '@tensorflow/tfjs-core';
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
    const { momentum, nesterov, weightDecay } = this.options;
    const w = p.variable;
    let d = weightDecay !== 0 ? tf.add(grad, tf.mul(w, weightDecay)) : grad;
    if (momentum !== 0) {
      const prev = this.slot('momentum_buffer', p);
      const buf = this.setSlot('momentum_buffer', p, prev ? tf.add(tf.mul(prev, momentum), d) : d);
      d = nesterov ? tf.add(d, tf.mul(buf, momentum)) : buf;
    }
    w.assign(tf.add(w, tf.mul(d, -lr)));
  }
}
