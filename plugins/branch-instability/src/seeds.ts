/** Why `--seeds` is invalid, or undefined when it is two different non-negative integers, comma-separated. */
export function seedsComplaint(s: string): string | undefined {
  if (!/^\d+,\d+$/.test(s)) return "give the two copies' data order seeds as two integers separated by a comma, such as '1,2'";
  const [a, b] = parseSeeds(s);
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b)) return 'the seeds must be integers below 2^53';
  if (a === b) return 'the two copies need different data order seeds, such as \'1,2\'';
  return undefined;
}

/** The two seeds of a valid `--seeds` value. */
export function parseSeeds(s: string): [number, number] {
  const [a, b] = s.split(',').map(Number);
  return [a, b];
}
