/**
 * Whole numbers with comma thousands separators, as `n.toLocaleString('en-US')` writes
 * them. The first toLocaleString of a process sets up ICU's number formatting, which costs
 * about 10 ms: the report at the end of every run (and the progress bar after its first
 * shard) would pay it after the work is done, on the run's critical path.
 */

/** `n` with comma thousands separators (`1234567` → `1,234,567`); non-integers as toLocaleString writes them. */
export function thousands(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = digits.slice(0, digits.length % 3 || 3);
  for (let i = out.length; i < digits.length; i += 3) out += ',' + digits.slice(i, i + 3);
  return n < 0 ? '-' + out : out;
}

/** `n` and a noun, singular for exactly one: `1 row`, `1,000 rows`. */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${thousands(n)} ${n === 1 ? one : many}`;
}
