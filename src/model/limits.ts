/**
 * A variable's `limits: [lo, hi]`: the range its values can physically take (a count is
 * never below 0, a humidity never above 100). Every value the variable takes is clamped
 * into it — clean rows, anomalous rows and the clean twin alike — where it is made:
 * after its kind fills a block (variables/limits.ts) and as each anomaly kind writes a
 * row (anomaly/kinds/apply.ts), so a value is a pure function of its row as before (D2).
 * A null (dropout) stays null; NaN is no value and is left as it is.
 */
import { getInt64, putInt64, type ColumnData, type DType } from '../columns/columns.js';

/** [lo, hi]; null is an open end. Validation ensures lo < hi, and whole numbers for integer columns. */
export type Limits = [number | null, number | null];

/** x clamped into `limits` (NaN stays NaN: neither comparison holds). */
export function clampValue(x: number, limits: Limits): number {
  const lo = limits[0];
  const hi = limits[1];
  if (lo !== null && x < lo) return lo;
  if (hi !== null && x > hi) return hi;
  return x;
}

const f32 = new Float32Array(1);
const f32bits = new Int32Array(f32.buffer);

/** The float32 next to float32 `f` toward −∞ (`down`) or +∞. */
function float32Step(f: number, down: boolean): number {
  f32[0] = f;
  if (f === 0) f32bits[0] = down ? -2147483647 : 1; // the smallest subnormals, either side of 0
  else f32bits[0]! += f > 0 === down ? -1 : 1;
  return f32[0]!;
}

/**
 * `limits` as a column of `dtype` can hold them: for float32, the float32 values nearest
 * inside them. A limit of 0.1 is no float32, and the nearest one, 0.10000000149…, lies
 * above it: a clamped value stored as that would read back above its upper limit.
 */
export function columnLimits(dtype: DType, limits: Limits): Limits {
  if (dtype !== 'float32') return limits;
  const [lo, hi] = limits;
  const up = (x: number) => (Math.fround(x) < x ? float32Step(Math.fround(x), false) : Math.fround(x));
  const down = (x: number) => (Math.fround(x) > x ? float32Step(Math.fround(x), true) : Math.fround(x));
  return [lo === null ? null : up(lo), hi === null ? null : down(hi)];
}

/** Clamps cells [from, to) of a numeric column into `limits` (as the column holds them, columnLimits; idempotent), in place. */
export function clampCells(data: ColumnData, dtype: DType, from: number, to: number, given: Limits): void {
  const limits = columnLimits(dtype, given);
  if (dtype === 'int64') {
    const pairs = data as Int32Array;
    for (let i = from; i < to; i++) {
      const x = getInt64(pairs, i);
      const y = clampValue(x, limits);
      if (y !== x) putInt64(pairs, i, y);
    }
    return;
  }
  for (let i = from; i < to; i++) {
    const x = data[i]!;
    const y = clampValue(x, limits);
    if (y !== x) data[i] = y;
  }
}

/** A value as a column of `dtype` stores it (float32 columns round to the nearest float32). */
export function storedAs(dtype: DType, x: number): number {
  return dtype === 'float32' ? Math.fround(x) : x;
}
