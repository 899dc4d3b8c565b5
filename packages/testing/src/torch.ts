import { spawnSync } from 'node:child_process';

/** Python defining `read_safetensors(path) -> dict` and `write_safetensors(path, dict)` for torch tensors. */
const SAFETENSORS_PRELUDE = `
import json, struct, sys
import torch
_DT = {'F32': torch.float32, 'F64': torch.float64, 'I32': torch.int32, 'I64': torch.int64}
_TD = {v: k for k, v in _DT.items()}
def read_safetensors(path):
    raw = open(path, 'rb').read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == '__metadata__':
            continue
        a, b = e['data_offsets']
        t = torch.frombuffer(bytearray(raw[8 + n + a:8 + n + b]), dtype=_DT[e['dtype']])
        out[name] = t.reshape(e['shape']).clone()
    return out
def write_safetensors(path, tensors):
    header, chunks, off = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        data = t.numpy().tobytes()
        header[name] = {'dtype': _TD[t.dtype], 'shape': list(t.shape), 'data_offsets': [off, off + len(data)]}
        chunks.append(data)
        off += len(data)
    h = json.dumps(header).encode()
    h += b' ' * ((8 - (len(h) + 8) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(chunks))
`;

/**
 * Runs a Python script with Debian's PyTorch (`/usr/bin/python3`, package python3-torch) and
 * returns what it printed. `json`, `struct`, `sys` and `torch` are imported, and
 * `read_safetensors(path) -> dict` and `write_safetensors(path, dict)` are defined, before the
 * script runs (the `safetensors` package is not installed); `args` become `sys.argv[1:]`.
 * Throws with Python's stderr when the script fails, and says what is missing when Python
 * cannot be started.
 */
export function runTorch(script: string, args: string[] = []): string {
  const r = spawnSync('/usr/bin/python3', ['-c', SAFETENSORS_PRELUDE + script, ...args], { encoding: 'utf8' });
  if (r.error) throw new Error(`Cannot run /usr/bin/python3 (Debian's PyTorch is needed for this test): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`PyTorch script failed (status ${r.status}):\n${r.stderr}`);
  return r.stdout;
}
