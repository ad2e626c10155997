/**
 * Column buffers: the typed arrays a shard is generated into. Int64 columns are held as
 * little-endian (lo, hi) Int32 pairs so generation needs no BigInt; the bytes are those of
 * a BigInt64Array and are handed to Arrow as such.
 */

/** Column types a variable may declare. */
export type DType = 'float64' | 'float32' | 'int32' | 'int64' | 'bool' | 'string';
export const DTYPES: readonly DType[] = ['float64', 'float32', 'int32', 'int64', 'bool', 'string'];

export type ColumnData = Float64Array | Float32Array | Int32Array | Uint8Array;

export interface ValueColumn {
  name: string;
  dtype: DType;
  /** float64: Float64Array; float32: Float32Array; int32/string: Int32Array (string: dictionary index);
   *  int64: Int32Array of 2·rows (lo, hi); bool: Uint8Array of 0/1. */
  data: ColumnData;
  /** Dictionary of a string column. */
  categories: string[] | null;
  /** Validity of a nullable column (1 = value, 0 = null); absent for columns that are never null. */
  valid?: Uint8Array;
}

/**
 * A dataset slice as the format writers take it: the timestamp, the value columns in
 * declared order, and the two label columns. Writers need nothing else of the scenario.
 */
export interface ColumnSet {
  rows: number;
  /** Epoch milliseconds as little-endian int64 (lo, hi) pairs. */
  timestamp: Int32Array;
  isAnomaly: Uint8Array;
  /** Event id (its start row) as int64 pairs; meaningful where isAnomaly is 1. */
  anomalyId: Int32Array;
  values: ValueColumn[];
}

/** A column as later variables of the same block read it: values and, if nullable, validity. */
export type BlockColumn = Pick<ValueColumn, 'data' | 'valid'>;

const TWO32 = 4294967296;

/** Writes an integral double as a little-endian int64 at pair index i. */
export function putInt64(out: Int32Array, i: number, v: number): void {
  const hi = Math.floor(v / TWO32);
  out[2 * i] = (v - hi * TWO32) | 0;
  out[2 * i + 1] = hi | 0;
}

/**
 * Writes first + k·step at pair indices k in [0, count), as putInt64 would each of them,
 * stepping the pairs in int32 arithmetic: no double per row, which code not yet optimized
 * (a worker's first shard) allocates on the heap. Only for integral values and a step in
 * [0, 2^31) with every value a safe integer (a regular timeline's epoch ms); returns false,
 * writing nothing, otherwise.
 */
export function putInt64Steps(out: Int32Array, count: number, first: number, step: number): boolean {
  if (count <= 0) return true;
  if (!Number.isSafeInteger(first) || !Number.isInteger(step) || step < 0 || step >= 2 ** 31 || !Number.isSafeInteger(first + (count - 1) * step)) return false;
  putInt64(out, 0, first);
  let lo = out[0]!;
  let hi = out[1]!;
  for (let k = 1; k < count; k++) {
    const next = (lo + step) | 0;
    // A carry when the unsigned low word wrapped (compared with the sign bit flipped).
    if ((next ^ 0x80000000) < (lo ^ 0x80000000)) hi = (hi + 1) | 0;
    lo = next;
    out[2 * k] = lo;
    out[2 * k + 1] = hi;
  }
  return true;
}

/**
 * Calls `visit(a, b)` for each run [a, b) of 1s in flags[0, end) (bytes each 0 or 1),
 * found by indexOf: labels and validity come in long runs, which a shard's first,
 * unoptimized code would otherwise step through row by row.
 */
export function forEachRunOfOnes(flags: Uint8Array, end: number, visit: (a: number, b: number) => void): void {
  for (let a = flags.indexOf(1); a >= 0 && a < end; ) {
    let b = flags.indexOf(0, a);
    if (b < 0 || b > end) b = end;
    visit(a, b);
    a = b < end ? flags.indexOf(1, b) : -1;
  }
}

/** The number of 1s in a 0/1 array (labelled rows). */
export function countOnes(flags: Uint8Array): number {
  let n = 0;
  forEachRunOfOnes(flags, flags.length, (a, b) => (n += b - a));
  return n;
}

/** Reads back an int64 written by putInt64 (exact for safe integers). */
export function getInt64(data: Int32Array, i: number): number {
  return data[2 * i + 1]! * TWO32 + (data[2 * i]! >>> 0);
}

export function allocColumn(dtype: DType, rows: number): ColumnData {
  switch (dtype) {
    case 'float64':
      return new Float64Array(rows);
    case 'float32':
      return new Float32Array(rows);
    case 'int32':
    case 'string':
      return new Int32Array(rows);
    case 'int64':
      return new Int32Array(2 * rows);
    case 'bool':
      return new Uint8Array(rows);
  }
}

type Typed = Float64Array | Float32Array | Int32Array | Uint8Array;
type TypedCtor<T extends Typed> = { new (buffer: ArrayBuffer, byteOffset: number, length: number): T; readonly BYTES_PER_ELEMENT: number };

/**
 * Column buffers reused from one shard to the next by a worker: a fresh typed array costs
 * page faults on first touch (about 1.7 GB/s against 14 GB/s for memory already mapped),
 * which for a 524,288-row, 13-column shard is some 25 ms. Slots are handed out in request
 * order after `reset()`, so a worker's shards (the same scenario, the same column order)
 * get the same memory back, zeroed, exactly as a fresh array would be. Only the caller that
 * owns the arena may reset it: the previous shard's columns are overwritten.
 */
export class ColumnArena {
  private readonly slots: ArrayBuffer[] = [];
  private next = 0;

  /** Starts a new shard: every slot may be handed out again. */
  reset(): void {
    this.next = 0;
  }

  /**
   * An array of `length` elements, in slot order: zeroed, as a fresh one would be, unless
   * `zero` is false (the caller overwrites every element, so zeroing 40 MB is wasted).
   */
  take<T extends Typed>(ctor: TypedCtor<T>, length: number, zero = true): T {
    const bytes = length * ctor.BYTES_PER_ELEMENT;
    let buf = this.slots[this.next];
    if (!buf || buf.byteLength < bytes) {
      buf = new ArrayBuffer(Math.max(bytes, 8));
      this.slots[this.next] = buf;
      this.next++;
      return new ctor(buf, 0, length);
    }
    this.next++;
    const view = new ctor(buf, 0, length);
    if (zero) view.fill(0);
    return view;
  }

  /** The buffer for a column of `dtype` (see allocColumn); `zero` as in take(). */
  column(dtype: DType, rows: number, zero = true): ColumnData {
    switch (dtype) {
      case 'float64':
        return this.take(Float64Array, rows, zero);
      case 'float32':
        return this.take(Float32Array, rows, zero);
      case 'int32':
      case 'string':
        return this.take(Int32Array, rows, zero);
      case 'int64':
        return this.take(Int32Array, 2 * rows, zero);
      case 'bool':
        return this.take(Uint8Array, rows, zero);
    }
  }
}
