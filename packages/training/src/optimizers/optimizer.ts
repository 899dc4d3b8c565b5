import * as tf from '@tensorflow/tfjs-core';
import { fromTorchLayout, torchShape, toTorchLayout, type SafeTensor, type TorchLayout } from '@lth/kernel';

/**
 * One tensor an optimizer updates: a trainable model parameter, its PyTorch name and layout
 * (for checkpoint files), and an optional 0/1 mask of the same shape. A masked parameter's
 * pruned entries stay exactly zero: their gradient, weight decay and optimizer state are
 * zeroed before the update and the weight is multiplied by the mask after it.
 */
export interface OptimizerParam {
  readonly name: string;
  readonly variable: tf.Variable;
  readonly layout: TorchLayout;
  readonly mask?: tf.Tensor | null;
}

/** Gradients keyed by `variable.name` (as `tf.variableGrads` returns them); null or absent means no gradient. */
export type GradientMap = Readonly<Record<string, tf.Tensor | null | undefined>>;

/** Prefix of optimizer state tensors in checkpoints: `optimizer.<slot>.<parameter name>`. */
export const OPTIMIZER_STATE_PREFIX = 'optimizer.';

/**
 * An optimizer with PyTorch's update rules and PyTorch-shaped state. State lives in tfjs
 * variables (slots) per parameter, created at a parameter's first update (PyTorch's lazy
 * state), and is saved to and loaded from checkpoint tensors named
 * `optimizer.<slot>.<parameter>` in PyTorch layout.
 *
 * A parameter whose gradient is missing is skipped entirely, as PyTorch skips parameters
 * whose `grad` is None (frozen ones are never passed in at all).
 */
export abstract class Optimizer {
  /** `sgd` or `adam`. */
  abstract readonly kind: string;
  protected readonly slots = new Map<string, Map<string, tf.Variable>>();

  constructor(readonly params: readonly OptimizerParam[]) {
    const seen = new Set<string>();
    for (const p of params) {
      if (seen.has(p.name)) throw new Error(`Parameter ${p.name} is given to the optimizer twice`);
      seen.add(p.name);
      if (p.mask && String(p.mask.shape) !== String(p.variable.shape)) {
        throw new Error(`The mask of ${p.name} has shape [${p.mask.shape}], the parameter [${p.variable.shape}]`);
      }
    }
  }

  /** Names of the per-parameter state slots, in the order they are saved. */
  protected abstract get slotNames(): readonly string[];

  /** Slots holding one number per parameter (Adam's `step`) rather than a tensor of its shape. */
  protected get scalarSlotNames(): readonly string[] {
    return [];
  }

  /**
   * Updates one parameter; runs inside `tf.tidy`. `grad` is the raw gradient: a masked
   * parameter's update must use `maskGradient` and `maskWeight` (or do the same itself).
   */
  protected abstract update(p: OptimizerParam, grad: tf.Tensor, lr: number): void;

  /** One optimizer step at learning rate `lr`. */
  step(grads: GradientMap, lr: number): void {
    for (const p of this.params) {
      const g = grads[p.variable.name];
      if (g) tf.tidy(() => this.update(p, g, lr));
    }
  }

  /** `grad` with the pruned entries of `p` zeroed. */
  protected maskGradient(p: OptimizerParam, grad: tf.Tensor): tf.Tensor {
    return p.mask ? tf.mul(grad, p.mask) : grad;
  }

  /** Zeroes the pruned entries of `p`'s weight. */
  protected maskWeight(p: OptimizerParam): void {
    if (p.mask) p.variable.assign(tf.mul(p.variable, p.mask));
  }

  /** The slot variable `slot` of `p`, or undefined before its first update. */
  protected slot(slot: string, p: OptimizerParam): tf.Variable | undefined {
    return this.slots.get(slot)?.get(p.name);
  }

  /** Sets a slot's value (masked when the parameter is masked), creating the variable the first time. */
  protected setSlot(slot: string, p: OptimizerParam, value: tf.Tensor, masked = false): tf.Variable {
    const v = p.mask && !masked && value.rank > 0 ? tf.mul(value, p.mask) : value;
    let m = this.slots.get(slot);
    if (!m) this.slots.set(slot, (m = new Map()));
    const existing = m.get(p.name);
    if (existing) {
      existing.assign(v);
      return existing;
    }
    const created = tf.variable(v, false);
    m.set(p.name, created);
    return created;
  }

  /** The state as checkpoint tensors (`optimizer.<slot>.<param>`, PyTorch layout, float32). */
  stateTensors(): Array<[string, SafeTensor]> {
    const out: Array<[string, SafeTensor]> = [];
    for (const slot of this.slotNames) {
      for (const p of this.params) {
        const v = this.slots.get(slot)?.get(p.name);
        if (!v) continue;
        const data = v.dataSync() as Float32Array;
        out.push([`${OPTIMIZER_STATE_PREFIX}${slot}.${p.name}`, { dtype: 'F32', shape: torchShape(v.shape, slotLayout(v, p)), data: toTorchLayout(data, v.shape, slotLayout(v, p)) }]);
      }
    }
    return out;
  }

  /**
   * Replaces the state with the `optimizer.*` tensors of a checkpoint. Everything is checked
   * before anything changes; a mismatch throws an Error describing it.
   */
  loadState(tensors: ReadonlyMap<string, SafeTensor>): void {
    const byName = new Map(this.params.map((p) => [p.name, p]));
    const staged: Array<{ slot: string; p: OptimizerParam; shape: number[]; data: Float32Array }> = [];
    for (const [key, t] of tensors) {
      if (!key.startsWith(OPTIMIZER_STATE_PREFIX)) continue;
      const rest = key.slice(OPTIMIZER_STATE_PREFIX.length);
      const dot = rest.indexOf('.');
      const slot = rest.slice(0, dot);
      const p = byName.get(rest.slice(dot + 1));
      if (dot < 0 || !this.slotNames.includes(slot) || !p) throw new Error(`${key} is not state of this ${this.kind} optimizer`);
      if (t.dtype !== 'F32') throw new Error(`${key} has dtype ${t.dtype}, expected F32`);
      const scalar = this.scalarSlotNames.includes(slot);
      const layout = scalar ? 'same' : p.layout;
      const want = scalar ? [] : torchShape(p.variable.shape, p.layout);
      if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
        throw new Error(`${key} has shape [${t.shape}], expected [${want}]`);
      }
      const shape = scalar ? [] : [...p.variable.shape];
      staged.push({ slot, p, shape, data: fromTorchLayout(Float32Array.from(t.data as Float32Array), shape, layout) });
    }
    this.disposeSlots();
    for (const s of staged) tf.tidy(() => void this.setSlot(s.slot, s.p, tf.tensor(s.data, s.shape, 'float32')));
  }

  private disposeSlots(): void {
    for (const m of this.slots.values()) for (const v of m.values()) v.dispose();
    this.slots.clear();
  }

  /** Frees the state variables (not the parameters or masks). */
  dispose(): void {
    this.disposeSlots();
  }
}

function slotLayout(v: tf.Tensor, p: OptimizerParam): TorchLayout {
  return v.rank === 0 ? 'same' : p.layout;
}
