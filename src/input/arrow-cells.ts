/**
 * The cells of a column of a user's Parquet or Arrow file, as the values they mean.
 * Arrow JS's `toArray()` hands out the raw buffer: a null slot keeps whatever bytes the
 * writer left there, timestamps stay in their own unit (DuckDB writes microseconds, pandas
 * nanoseconds), and a DECIMAL is a 128-bit integer without its scale. Read that way, a
 * missing score became a number, every DuckDB timestamp fell in the year 55969 and `5.5`
 * read as 55. This module is the one place that turns such a column into values.
 */
import { TimeUnit, Type, util, type Vector } from 'apache-arrow';

/** One cell: null, a number, a bigint (64-bit integers), a boolean, text, or epoch milliseconds for times. */
export type ArrowCell = null | number | bigint | boolean | string;

/** What a column holds, for messages and for readers that take only some kinds. */
export type ArrowCellKind = 'number' | 'integer' | 'time' | 'bool' | 'text' | 'other';

/** The kind of cells a vector holds. */
export function arrowCellKind(v: Vector): ArrowCellKind {
  switch (v.type.typeId) {
    case Type.Float:
    case Type.Decimal:
      return 'number';
    case Type.Int:
      return 'integer';
    case Type.Timestamp:
    case Type.Date:
      return 'time';
    case Type.Bool:
      return 'bool';
    case Type.Utf8:
    case Type.LargeUtf8:
      return 'text';
    default:
      return 'other';
  }
}

/**
 * The cells of `v`: null where the file has none, timestamps and dates as epoch
 * milliseconds (fractions kept), decimals as numbers, 64-bit integers as bigints. A
 * numeric column without nulls comes back as its typed array (no copy per cell).
 */
export function arrowCells(v: Vector): ArrayLike<ArrowCell> {
  const id = v.type.typeId;
  if ((id === Type.Float || id === Type.Int) && v.nullCount === 0) {
    const a = v.toArray() as ArrayLike<number | bigint>;
    if (a.length === v.length) return a;
  }
  if (id === Type.Timestamp && v.nullCount === 0) {
    const times = wholeTimes(v);
    if (times) return times;
  }
  const out = new Array<ArrowCell>(v.length);
  const scale = id === Type.Decimal ? (v.type as { scale: number }).scale : 0;
  for (let i = 0; i < v.length; i++) {
    const x = v.get(i) as unknown;
    if (x === null || x === undefined) out[i] = null;
    else if (id === Type.Decimal) out[i] = util.bigNumToNumber(x as Parameters<typeof util.bigNumToNumber>[0], scale);
    else if (x instanceof Date) out[i] = x.getTime();
    else if (typeof x === 'number' || typeof x === 'bigint' || typeof x === 'boolean' || typeof x === 'string') out[i] = x;
    else out[i] = String(x);
  }
  return out;
}

/**
 * A timestamp column as epoch milliseconds straight from its 64-bit words, without the
 * BigInt per cell that `get` computes through. Seconds and milliseconds are whole numbers
 * of milliseconds. Microseconds (DuckDB's unit) and nanoseconds (pandas') give what `get`
 * gives, bit for bit: the whole quotient q and the remainder r of the value by 1,000 or
 * 1,000,000, as integers, then q + r / divisor in doubles. Null (the per-cell path decides)
 * when a value is not a safe integer in seconds or milliseconds, or a finer value is
 * before 1970 (a negative remainder).
 */
function wholeTimes(v: Vector): Float64Array | null {
  const unit = (v.type as { unit: TimeUnit }).unit;
  const a = v.toArray() as BigInt64Array;
  if (!(a instanceof BigInt64Array) || a.length !== v.length) return null;
  const words = new Int32Array(a.buffer, a.byteOffset, 2 * a.length);
  const out = new Float64Array(a.length);
  if (unit === TimeUnit.SECOND || unit === TimeUnit.MILLISECOND) {
    const scale = unit === TimeUnit.SECOND ? 1000 : 1;
    for (let i = 0; i < a.length; i++) {
      const lo = words[2 * i]! >>> 0;
      const hi = words[2 * i + 1]!;
      // Outside ±(2^53 − 1): not safe to convert.
      if (hi >= 0x200000 || hi < -0x200000 || (hi === -0x200000 && lo === 0)) return null;
      out[i] = scale * (hi * 4294967296 + lo);
    }
    return out;
  }
  const micro = unit === TimeUnit.MICROSECOND;
  const d = micro ? 1000 : 1_000_000;
  for (let i = 0; i < a.length; i++) {
    const lo = words[2 * i]! >>> 0;
    const hi = words[2 * i + 1]!;
    if (hi < 0) return null;
    // value = hi·2^32 + lo = hi·(k·d + m) + lo, with 2^32 = k·d + m: the part hi·k·d divides
    // exactly, and y = hi·m + lo < 2^31·2^20 + 2^32 is an exact double.
    const k = micro ? 4294967 : 4294;
    const m = micro ? 296 : 967296;
    const y = hi * m + lo;
    let q = Math.floor(y / d);
    let r = y - q * d;
    if (r < 0) {
      q--;
      r += d;
    } else if (r >= d) {
      q++;
      r -= d;
    }
    const whole = hi * k + q;
    // The quotient is what `get` turns into a number; past 2^53 it refuses it (the per-cell path says so).
    if (whole > Number.MAX_SAFE_INTEGER) return null;
    out[i] = whole + r / d;
  }
  return out;
}
