/**
 * The run-time guard behind `allow_non_finite`: no float column of a shard may hold
 * ±Infinity or NaN (outside null rows) unless the scenario allows it. Validation refuses
 * what it can foresee; this catches what only shows at run time (a process that drifts
 * out of range, a source file holding "inf", an anomaly kind scaling a huge value).
 */
import { ParanomError } from '../errors.js';
import type { ColumnSet } from '../columns/columns.js';

/** Throws VALUE_OUT_OF_RANGE at the first non-finite stored float, naming the column and row. */
export function checkFinite(columns: ColumnSet, rowStart: number, seed: number): void {
  for (const c of columns.values) {
    if (c.dtype !== 'float64' && c.dtype !== 'float32') continue;
    const data = c.data as Float64Array | Float32Array;
    const i = data instanceof Float64Array ? firstNonFinite64(data, columns.rows, c.valid) : firstNonFinite32(data, columns.rows, c.valid);
    if (i >= 0) {
      throw new ParanomError(
        'VALUE_OUT_OF_RANGE',
        `variable '${c.name}': row ${rowStart + i} would store ${data[i]} (seed ${seed}); a dataset holds finite numbers only — narrow the variable's distribution or parameters, or set allow_non_finite: true in the scenario`,
        { variable: c.name, row: rowStart + i, seed },
      );
    }
  }
}

/** Whether this machine stores a double's high word second (every platform Node runs on but s390x). */
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

// ±Infinity and NaN are exactly the values whose exponent bits are all ones. Read as int32
// words, a column is checked without a double per row, which code V8 has not yet
// optimized (a worker's first shard) allocates on the heap.

// A column is first scanned without a branch per row: adding one to an exponent field of
// all ones carries into the word's sign bit, and only then, OR-ed into an accumulator, does
// that bit get set (half the time of testing each row); the row is looked for only when set.

/** True when some high word of w[1], w[3], … (doubles) or w[0], w[1], … (floats, step 1) has an all-ones exponent. */
function anyAllOnes(w: Int32Array, from: number, step: number, mask: number, one: number): boolean {
  let acc = 0;
  for (let i = from; i < w.length; i += step) acc |= (w[i]! & mask) + one;
  return acc < 0;
}

/** The first row of [0, rows) holding a non-finite double outside null rows, or -1. */
function firstNonFinite64(data: Float64Array, rows: number, valid: Uint8Array | undefined): number {
  if (!LITTLE_ENDIAN) return firstNonFiniteValue(data, rows, valid);
  const w = new Int32Array(data.buffer, data.byteOffset, 2 * rows);
  if (!anyAllOnes(w, 1, 2, 0x7ff00000, 0x00100000)) return -1;
  for (let i = 0; i < rows; i++) {
    if ((w[2 * i + 1]! & 0x7ff00000) === 0x7ff00000 && (!valid || valid[i] === 1)) return i;
  }
  return -1;
}

/** As firstNonFinite64, for floats. */
function firstNonFinite32(data: Float32Array, rows: number, valid: Uint8Array | undefined): number {
  const w = new Int32Array(data.buffer, data.byteOffset, rows);
  if (!anyAllOnes(w, 0, 1, 0x7f800000, 0x00800000)) return -1;
  for (let i = 0; i < rows; i++) {
    if ((w[i]! & 0x7f800000) === 0x7f800000 && (!valid || valid[i] === 1)) return i;
  }
  return -1;
}

/** The same test on the values themselves: x − x is 0 for finite x, NaN for the others. */
function firstNonFiniteValue(data: Float64Array, rows: number, valid: Uint8Array | undefined): number {
  for (let i = 0; i < rows; i++) {
    const x = data[i]!;
    if (x - x !== 0 && (!valid || valid[i] === 1)) return i;
  }
  return -1;
}
