/**
 * Python's `'{:.Nf}'.format(x)`: fixed notation with `digits` decimals, rounding the exact
 * binary value half to even (JavaScript's `toFixed` rounds exact ties up).
 */
export function pyFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const s = x.toFixed(digits);
  const exact = Math.abs(x).toFixed(Math.min(100, digits + 60));
  const cut = exact.indexOf('.') + 1 + digits;
  if (exact[cut] !== '5' || /[1-9]/.test(exact.slice(cut + 1))) return s;
  const down = (Math.sign(x) * (Math.trunc(Math.abs(x) * 10 ** digits) / 10 ** digits)).toFixed(digits);
  const lastDigit = Number((digits > 0 ? down.replace('.', '') : down).slice(-1));
  return lastDigit % 2 === 0 ? down : s;
}

/** Seconds as `'{:.2f}'`. */
export function seconds(ms: number): string {
  return pyFixed(ms / 1000, 2);
}
