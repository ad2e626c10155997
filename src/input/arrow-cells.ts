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
 * A timestamp column in seconds or milliseconds as epoch milliseconds, straight from its
 * 64-bit words (what `get` computes per cell through a BigInt); null when a value is not a
 * safe integer (the per-cell path reports it) or the unit needs a division.
 */
function wholeTimes(v: Vector): Float64Array | null {
  const unit = (v.type as { unit: TimeUnit }).unit;
  if (unit !== TimeUnit.SECOND && unit !== TimeUnit.MILLISECOND) return null;
  const a = v.toArray() as BigInt64Array;
  if (!(a instanceof BigInt64Array) || a.length !== v.length) return null;
  const words = new Int32Array(a.buffer, a.byteOffset, 2 * a.length);
  const out = new Float64Array(a.length);
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
