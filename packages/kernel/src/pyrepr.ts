/**
 * Python's `repr` of a float (`0.1`, `1e-05`, `0.0001`, `1.0`, `1e+16`, `inf`, `nan`).
 *
 * OpenLTH hashes `str(value)` of its hyperparameters, so a float must be rendered exactly as
 * CPython renders it: the shortest digits that round-trip (as JavaScript also finds), in
 * fixed notation when the decimal exponent is in [-4, 16), otherwise in scientific notation
 * with a signed, at least two-digit exponent.
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa, expStr] = Math.abs(x).toExponential().split('e');
  const exp = Number(expStr);
  const digits = mantissa.replace('.', '');
  if (exp >= -4 && exp < 16) {
    let s: string;
    if (exp < 0) s = '0.' + '0'.repeat(-exp - 1) + digits;
    else if (digits.length <= exp + 1) s = digits + '0'.repeat(exp + 1 - digits.length) + '.0';
    else s = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
    return sign + s;
  }
  const m = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
  const e = (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
  return `${sign}${m}e${e}`;
}
