import type { TorchLayout } from './contracts';

/** PyTorch's shape of a tensor lth holds in `layout` with shape `shape`. */
export function torchShape(shape: readonly number[], layout: TorchLayout): number[] {
  if (layout === 'same') return [...shape];
  const [kh, kw, cin, cout] = shape;
  return [cout, cin, kh, kw];
}

/** lth's shape of a tensor PyTorch holds with shape `tshape`. */
export function lthShape(tshape: readonly number[], layout: TorchLayout): number[] {
  if (layout === 'same') return [...tshape];
  const [cout, cin, kh, kw] = tshape;
  return [kh, kw, cin, cout];
}

/** Copies values from lth's layout to PyTorch's (`[kh,kw,in,out]` → `[out,in,kh,kw]` for conv2d). */
export function toTorchLayout<T extends Float32Array | Int32Array>(data: T, shape: readonly number[], layout: TorchLayout): T {
  return layout === 'same' ? (data.slice() as T) : transposeConv(data, shape, true);
}

/** Copies values from PyTorch's layout to lth's; `shape` is lth's shape. */
export function fromTorchLayout<T extends Float32Array | Int32Array>(data: T, shape: readonly number[], layout: TorchLayout): T {
  return layout === 'same' ? (data.slice() as T) : transposeConv(data, shape, false);
}

/** Moves conv2d weights between HWIO and OIHW; `shape` is lth's (HWIO) shape either way. */
function transposeConv<T extends Float32Array | Int32Array>(data: T, shape: readonly number[], toTorch: boolean): T {
  const [kh, kw, cin, cout] = shape;
  const out = new (data.constructor as new (n: number) => T)(data.length);
  for (let h = 0; h < kh; h++)
    for (let w = 0; w < kw; w++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) {
          const hwio = ((h * kw + w) * cin + i) * cout + o;
          const oihw = ((o * cin + i) * kh + h) * kw + w;
          if (toTorch) out[oihw] = data[hwio];
          else out[hwio] = data[oihw];
        }
  return out;
}
