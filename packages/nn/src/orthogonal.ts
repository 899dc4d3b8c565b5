/**
 * The orthonormal factor Q of the thin QR decomposition of `a` (`rows × cols`, row-major,
 * rows ≥ cols), with R's diagonal positive: the Q that PyTorch's `orthogonal_` keeps after its
 * sign correction (`q *= sign(diag(r))`). Gram–Schmidt with re-orthogonalisation, in float64;
 * returns Q row-major, `rows × cols`.
 */
export function orthonormalColumns(a: Float64Array, rows: number, cols: number): Float64Array {
  if (rows < cols) throw new Error(`orthonormalColumns needs rows >= cols (got ${rows}x${cols})`);
  const q: Float64Array[] = [];
  for (let j = 0; j < cols; j++) {
    const v = new Float64Array(rows);
    for (let i = 0; i < rows; i++) v[i] = a[i * cols + j];
    for (let pass = 0; pass < 2; pass++) {
      for (const qk of q) {
        let r = 0;
        for (let i = 0; i < rows; i++) r += qk[i] * v[i];
        for (let i = 0; i < rows; i++) v[i] -= r * qk[i];
      }
    }
    let norm = 0;
    for (let i = 0; i < rows; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    if (!(norm > 0)) throw new Error('orthonormalColumns: the matrix is rank-deficient');
    for (let i = 0; i < rows; i++) v[i] /= norm;
    q.push(v);
  }
  const out = new Float64Array(rows * cols);
  for (let j = 0; j < cols; j++) for (let i = 0; i < rows; i++) out[i * cols + j] = q[j][i];
  return out;
}
