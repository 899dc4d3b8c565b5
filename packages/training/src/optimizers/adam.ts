import * as tf from '@tensorflow/tfjs-core';
import type { SafeTensor } from '@lth/kernel';
import { Optimizer, type OptimizerParam } from './optimizer';

/** Settings of `AdamOptimizer`; the defaults are PyTorch's. */
export interface AdamOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** Coupled L2 weight decay (`g += weightDecay * w`), as `torch.optim.Adam`'s `weight_decay`. */
  readonly weightDecay: number;
}

/**
 * Adam exactly as `torch.optim.Adam` (amsgrad off): with `t` the parameter's step count,
 * `m = b1*m + (1-b1)*g`, `v = b2*v + (1-b2)*g²`,
 * `w -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)`.
 * State slots: `exp_avg`, `exp_avg_sq` and the scalar `step`.
 */
export class AdamOptimizer extends Optimizer {
  readonly kind = 'adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly steps = new Map<string, number>();

  constructor(params: readonly OptimizerParam[], options: AdamOptions) {
    super(params);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay;
  }

  protected get slotNames(): readonly string[] {
    return ['step', 'exp_avg', 'exp_avg_sq'];
  }

  protected override get scalarSlotNames(): readonly string[] {
    return ['step'];
  }

  /** How many updates parameter `name` has had (PyTorch's `state['step']`). */
  stepCount(name: string): number {
    return this.steps.get(name) ?? 0;
  }

  override loadState(tensors: ReadonlyMap<string, SafeTensor>): void {
    super.loadState(tensors);
    this.steps.clear();
    for (const p of this.params) {
      const s = this.slot('step', p);
      if (s) this.steps.set(p.name, s.dataSync()[0]);
    }
  }

  protected update(p: OptimizerParam, rawGrad: tf.Tensor, lr: number): void {
    const grad = this.maskGradient(p, rawGrad);
    const { beta1, beta2, eps, weightDecay } = this;
    const w = p.variable;
    const t = this.stepCount(p.name) + 1;
    this.steps.set(p.name, t);
    this.setSlot('step', p, tf.scalar(t, 'float32'));
    const g = weightDecay !== 0 ? tf.add(grad, tf.mul(w, weightDecay)) : grad;
    const prevM = this.slot('exp_avg', p);
    const prevV = this.slot('exp_avg_sq', p);
    const m = this.setSlot('exp_avg', p, tf.add(prevM ? tf.mul(prevM, beta1) : tf.zerosLike(g), tf.mul(g, 1 - beta1)));
    const v = this.setSlot('exp_avg_sq', p, tf.add(prevV ? tf.mul(prevV, beta2) : tf.zerosLike(g), tf.mul(tf.mul(g, g), 1 - beta2)));
    const stepSize = lr / (1 - beta1 ** t);
    const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(1 - beta2 ** t)), eps);
    w.assign(tf.add(w, tf.mul(tf.div(m, denom), -stepSize)));
    this.maskWeight(p);
  }
}
