import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Model, TorchLayout } from './contracts';
import { LthError } from './errors';
import { writeFileAtomic } from './fsutil';
import { fromTorchLayout, lthShape, toTorchLayout, torchShape } from './layout';
import { loadSafetensors, saveSafetensors, type SafeTensor } from './safetensors';

/** One tensor of a mask: 0/1 values in lth's layout of the weight it masks. */
export interface MaskEntry {
  readonly data: Float32Array;
  readonly shape: readonly number[];
  readonly layout: TorchLayout;
}

export const MASK_FILE = 'mask.safetensors';
export const SPARSITY_REPORT_FILE = 'sparsity_report.json';

/**
 * A pruning mask: one 0/1 tensor per prunable weight, keyed by the weight's PyTorch name.
 * Files hold PyTorch layouts and int32 values, as OpenLTH's `mask.pth`.
 */
export class Mask {
  readonly entries = new Map<string, MaskEntry>();

  set(name: string, entry: MaskEntry): this {
    if (!name) throw new Error('Mask keys must be non-empty strings');
    const n = entry.shape.reduce((a, b) => a * b, 1);
    if (entry.data.length !== n) throw new Error(`Mask ${name}: ${entry.data.length} values for shape [${entry.shape}]`);
    for (let i = 0; i < entry.data.length; i++) {
      const v = entry.data[i];
      if (v !== 0 && v !== 1) throw new LthError('BAD_MASK', `Mask ${name} holds ${v}; all entries must be 0 or 1.`);
    }
    this.entries.set(name, entry);
    return this;
  }

  get(name: string): MaskEntry | undefined {
    return this.entries.get(name);
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** A copy with its own data arrays, in the same key order. */
  copy(): Mask {
    const out = new Mask();
    for (const [k, e] of this.entries) out.entries.set(k, { data: e.data.slice(), shape: e.shape, layout: e.layout });
    return out;
  }

  /** All ones for every prunable weight of `model`. */
  static onesLike(model: Model): Mask {
    const m = new Mask();
    for (const name of model.prunableLayerNames) {
      const e = model.state.find((s) => s.name === name);
      if (!e) throw new Error(`${model.name} lists ${name} as prunable but has no such tensor`);
      m.set(name, { data: new Float32Array(e.variable.size).fill(1), shape: e.variable.shape, layout: e.layout });
    }
    return m;
  }

  /** Checks that names and shapes are exactly the model's prunable weights. */
  checkAgainst(model: Model): void {
    const want = new Set(model.prunableLayerNames);
    for (const k of this.entries.keys()) {
      if (!want.has(k)) throw new LthError('BAD_MASK', `The mask has ${k}, which is not a prunable weight of ${model.name}.`);
    }
    for (const name of want) {
      const e = this.entries.get(name);
      if (!e) throw new LthError('BAD_MASK', `The mask lacks ${name}, a prunable weight of ${model.name}.`);
      const s = model.state.find((x) => x.name === name)!;
      if (String(s.variable.shape) !== String(e.shape)) {
        throw new LthError('BAD_MASK', `The mask of ${name} has shape [${e.shape}], the weight [${s.variable.shape}].`);
      }
    }
  }

  get numel(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.data.length;
    return n;
  }

  get unpruned(): number {
    let n = 0;
    for (const e of this.entries.values()) for (let i = 0; i < e.data.length; i++) n += e.data[i];
    return n;
  }

  get density(): number {
    return this.unpruned / this.numel;
  }

  get sparsity(): number {
    return 1 - this.density;
  }

  /** OpenLTH's `total`/`unpruned`, plus per-layer counts. */
  sparsityReport(): { total: number; unpruned: number; layers: Record<string, { total: number; unpruned: number }> } {
    const layers: Record<string, { total: number; unpruned: number }> = {};
    for (const [k, e] of this.entries) {
      let u = 0;
      for (let i = 0; i < e.data.length; i++) u += e.data[i];
      layers[k] = { total: e.data.length, unpruned: u };
    }
    return { total: this.numel, unpruned: this.unpruned, layers };
  }

  /** Writes `mask.safetensors` (int32, PyTorch layout) and `sparsity_report.json`, atomically. */
  save(dir: string): void {
    const tensors: Array<[string, SafeTensor]> = [];
    for (const [k, e] of this.entries) {
      const ints = Int32Array.from(e.data);
      tensors.push([k, { dtype: 'I32', shape: torchShape(e.shape, e.layout), data: toTorchLayout(ints, e.shape, e.layout) }]);
    }
    saveSafetensors(path.join(dir, MASK_FILE), tensors);
    this.saveReport(dir);
  }

  /** Writes `sparsity_report.json` alone (it is derived from the mask: recreated when missing). */
  saveReport(dir: string): void {
    const r = this.sparsityReport();
    writeFileAtomic(path.join(dir, SPARSITY_REPORT_FILE), JSON.stringify({ total: r.total, unpruned: r.unpruned, layers: r.layers }, null, 4));
  }

  static exists(dir: string): boolean {
    return fs.existsSync(path.join(dir, MASK_FILE));
  }

  /** Whether `dir` has its mask but not the sparsity report derived from it (a run killed between the two writes). */
  static reportMissing(dir: string): boolean {
    return Mask.exists(dir) && !fs.existsSync(path.join(dir, SPARSITY_REPORT_FILE));
  }

  /** Reads a mask saved by `save`, in the layouts of `model`'s weights, and checks it against the model. */
  static load(dir: string, model: Model): Mask {
    const file = path.join(dir, MASK_FILE);
    if (!fs.existsSync(file)) throw new LthError('MISSING_FILE', `No mask at ${file}.`);
    const { tensors } = loadSafetensors(file);
    const m = new Mask();
    for (const [k, t] of tensors) {
      const s = model.state.find((x) => x.name === k);
      if (!s) throw new LthError('BAD_MASK', `${file} has ${k}, which is not a weight of ${model.name}.`);
      const notBinary = (t.data as ArrayLike<number>).length && Array.prototype.find.call(t.data, (v: number) => v !== 0 && v !== 1);
      if (notBinary !== undefined && notBinary !== false) throw new LthError('BAD_MASK', `${file} has a value ${String(notBinary)} in ${k}; a mask holds only 0 and 1. Delete it to recompute it.`);
      const shape = lthShape(t.shape, s.layout);
      m.set(k, { data: Float32Array.from(fromTorchLayout(Int32Array.from(t.data as ArrayLike<number>), shape, s.layout)), shape, layout: s.layout });
    }
    m.checkAgainst(model);
    return m;
  }
}
