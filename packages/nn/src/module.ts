import { engine, tidy, type Tensor, type Variable } from '@tensorflow/tfjs-core';
import type { StateEntry, StateRole, TorchLayout } from '@lth/kernel';

/** A module that maps one tensor to another (what `Sequential` chains). */
export interface Forward {
  forward(x: Tensor, training: boolean): Tensor;
}

/**
 * A node of a network, as PyTorch's `nn.Module`: it owns parameters and buffers (tfjs
 * variables) and named children, so that the state names come out as PyTorch's
 * (`fc_layers.0.weight`, `blocks.3.shortcut.1.running_mean`).
 *
 * Subclasses create their parameters with `addParameter` / `addBuffer` and their children with
 * `register`, all in the constructor and in PyTorch's declaration order: `stateEntries` lists,
 * like `state_dict()`, a module's own parameters, then its own buffers, then each child's
 * entries in registration order. A module's `forward` takes the `training` flag where its
 * behaviour depends on it (batch norm).
 */
export abstract class Module {
  private readonly params: StateEntry[] = [];
  private readonly buffers: StateEntry[] = [];
  private readonly children: Array<[string, Module]> = [];

  /** Adds a trainable parameter called `name` (`weight`, `bias`). */
  protected addParameter<V extends Variable>(name: string, variable: V, role: StateRole, layout: TorchLayout = 'same', fanIn?: number): V {
    this.checkFree(name);
    this.params.push({ name, variable, role, layout, torchDtype: 'float32', fanIn });
    return variable;
  }

  /** Adds a buffer (`running_mean`): state that is saved but never trained. */
  protected addBuffer<V extends Variable>(name: string, variable: V, torchDtype: 'float32' | 'int64' = 'float32'): V {
    this.checkFree(name);
    variable.trainable = false;
    this.buffers.push({ name, variable, role: 'buffer', layout: 'same', torchDtype });
    return variable;
  }

  /** Adds a child module under `name` (`fc`, `0`, `shortcut`) and returns it. */
  protected register<M extends Module>(name: string, module: M): M {
    this.checkFree(name);
    this.children.push([name, module]);
    return module;
  }

  private checkFree(name: string): void {
    if (!name || name.includes('.')) throw new Error(`Module names must be non-empty and contain no '.': '${name}'`);
    if (this.params.some((p) => p.name === name) || this.buffers.some((b) => b.name === name) || this.children.some(([n]) => n === name)) {
      throw new Error(`${this.constructor.name} already has a member called '${name}'`);
    }
  }

  /** This module and all below it with their dotted names, in PyTorch's `named_modules()` order (pre-order). */
  namedModules(prefix = ''): Array<[string, Module]> {
    const out: Array<[string, Module]> = [[prefix, this]];
    for (const [n, child] of this.children) out.push(...child.namedModules(prefix ? `${prefix}.${n}` : n));
    return out;
  }

  /** The direct children, in registration order. */
  namedChildren(): ReadonlyArray<readonly [string, Module]> {
    return this.children;
  }

  /** Every parameter and buffer below this module, named and ordered as PyTorch's `state_dict()`. */
  stateEntries(prefix = ''): StateEntry[] {
    const full = (n: string) => (prefix ? `${prefix}.${n}` : n);
    const out: StateEntry[] = [];
    for (const e of [...this.params, ...this.buffers]) out.push({ ...e, name: full(e.name) });
    for (const [n, child] of this.children) out.push(...child.stateEntries(full(n)));
    return out;
  }

  /** Disposes every variable below this module. */
  dispose(): void {
    for (const e of this.stateEntries()) if (!e.variable.isDisposed) e.variable.dispose();
  }
}

/** Children called `0`, `1`, ... that `forward` applies in order (PyTorch's `nn.Sequential`). */
export class Sequential extends Module implements Forward {
  private readonly layers: Array<Module & Forward>;

  constructor(...layers: Array<Module & Forward>) {
    super();
    this.layers = layers.map((m, i) => this.register(String(i), m));
  }

  get length(): number {
    return this.layers.length;
  }

  at(i: number): Module & Forward {
    return this.layers[i];
  }

  /**
   * With no layers this is the identity (an empty `nn.Sequential`, as ResNet's plain shortcut).
   * In evaluation with no gradient being recorded, each layer's intermediates are freed as soon
   * as the next layer has its input (as PyTorch frees them under `no_grad`), so an evaluation
   * batch holds a layer's activations at a time rather than the whole network's.
   */
  forward(x: Tensor, training: boolean): Tensor {
    let y = x;
    const freeEarly = !training && !engine().isTapeOn();
    for (const m of this.layers) {
      if (!freeEarly) {
        y = m.forward(y, training);
        continue;
      }
      const next = tidy(() => m.forward(y, training));
      if (y !== x && next !== y) y.dispose();
      y = next;
    }
    return y;
  }
}

/** Children called `0`, `1`, ... with no forward of their own (PyTorch's `nn.ModuleList`). */
export class ModuleList<M extends Module = Module> extends Module implements Iterable<M> {
  private readonly items: M[];

  constructor(items: readonly M[]) {
    super();
    this.items = items.map((m, i) => this.register(String(i), m));
  }

  get length(): number {
    return this.items.length;
  }

  at(i: number): M {
    return this.items[i];
  }

  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }
}
