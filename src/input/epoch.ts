/**
 * Epoch numbers as times: a CSV cell such as `1704067200` or `1704067200.25`, a Parquet
 * INT32/INT64/DOUBLE cell, read in the unit the user names (an epoch number does not say
 * its own: seconds, milliseconds and microseconds all look alike) and turned into epoch
 * milliseconds, the unit every time of a source is kept in.
 *
 * The conversion is exact where a double allows. A decimal cell is scaled by moving its
 * decimal point, not by a binary multiplication (1704067200.123 s is 1704067200123 ms, where
 * 1704067200.123 × 1000 is not); a whole number of microseconds or nanoseconds becomes
 * whole milliseconds plus a fraction computed as a Parquet TIMESTAMP of that unit is read
 * (input/arrow-cells.ts), bit for bit, so the same instants give the same times either way.
 * A DOUBLE cell is taken as the decimal it prints as; past 2^53 a double no longer holds
 * every integer, so such a cell's instant was rounded before it was read, and it is refused.
 */

export const EPOCH_UNITS = ['s', 'ms', 'us', 'ns'] as const;
export type EpochUnit = (typeof EPOCH_UNITS)[number];

/** Powers of ten from one unit to a millisecond: ms = value × 10^SHIFT. */
const SHIFT: Record<EpochUnit, number> = { s: 3, ms: 0, us: -3, ns: -6 };

const DECIMAL = /^([+-]?)(\d+)?(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Epoch milliseconds of an epoch number in `unit`, or why not: `'not a number'` (text that
 * is not a decimal number, or not finite), or `'rounded'` (a double of magnitude 2^53 or
 * more). Whether the instant is one a timeline can place is for the caller to decide.
 */
export function epochMs(cell: string | number | bigint, unit: EpochUnit): number | 'not a number' | 'rounded' {
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) return 'not a number';
    if (Number.isInteger(cell) && !Number.isSafeInteger(cell)) return 'rounded';
  }
  const text = typeof cell === 'string' ? cell.trim() : String(cell);
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === undefined && !m[3])) return 'not a number';
  const [, sign, whole = '', frac = '', exp = '0'] = m;
  const e = Number(exp);
  if (!Number.isSafeInteger(e)) return 'not a number';
  const digits = (whole + frac).replace(/^0+(?=\d)/, '');
  if (/^0+$/.test(digits)) return 0;
  // The value is digits × 10^inUnit of the unit, digits × 10^power milliseconds. Far past
  // any instant (1e400 s) it is only said to be so, without a BigInt of that size.
  const inUnit = e - frac.length;
  const power = inUnit + SHIFT[unit];
  if (power > 400) return Number(`${sign}1e400`);
  if (power >= 0) return Number(BigInt(`${sign}${digits}`) * 10n ** BigInt(power));
  if (unit === 'us' || unit === 'ns') {
    // A whole number of the unit: as arrow-cells.ts reads a TIMESTAMP of that unit.
    const zeros = digits.length - digits.replace(/0+$/, '').length;
    if (inUnit >= 0) return wholeMs(BigInt(`${sign}${digits}`) * 10n ** BigInt(inUnit), unit);
    if (zeros >= -inUnit) return wholeMs(BigInt(`${sign}${digits.slice(0, digits.length + inUnit)}`), unit);
  }
  // Otherwise the nearest double to the decimal value (Number rounds a decimal correctly).
  return Number(`${sign}${digits}e${power}`);
}

/** A whole number `v` of microseconds or nanoseconds as milliseconds: the whole quotient, then the remainder as a fraction. */
function wholeMs(v: bigint, unit: 'us' | 'ns'): number {
  const d = unit === 'us' ? 1000n : 1_000_000n;
  let q = v / d;
  let r = v % d;
  if (r < 0n) {
    q -= 1n;
    r += d;
  }
  return Number(q) + Number(r) / Number(d);
}
