/**
 * Where an int64 column's smallest and largest values lie (the timestamp statistics of
 * parquet-chunks.ts), read from the column's int32 words.
 *
 * Values are compared as (signed high word, unsigned low word), all in int32 arithmetic:
 * the same order as the values themselves, without a double per row (which code not yet
 * optimized allocates on the heap). Each scan is a loop alone in its function, ending in a
 * plain return: V8 compiles such a loop on the stack (OSR) during its first call and reuses
 * that code, and a property access or call after the loop, not yet run when it compiled,
 * deoptimized it at the end of every call (once per page).
 */

/** The first row of [from, to) holding the smallest value of an int64 column's words. */
export function int64MinRow(w: Int32Array, from: number, to: number): number {
  let at = from;
  let minH = w[2 * from + 1]!;
  let minL = w[2 * from]! ^ 0x80000000;
  for (let i = from + 1; i < to; i++) {
    const h = w[2 * i + 1]!;
    const l = w[2 * i]! ^ 0x80000000;
    if (h < minH || (h === minH && l < minL)) {
      minH = h;
      minL = l;
      at = i;
    }
  }
  return at;
}

/** The first row of [from, to) holding the largest value of an int64 column's words. */
export function int64MaxRow(w: Int32Array, from: number, to: number): number {
  let at = from;
  let maxH = w[2 * from + 1]!;
  let maxL = w[2 * from]! ^ 0x80000000;
  for (let i = from + 1; i < to; i++) {
    const h = w[2 * i + 1]!;
    const l = w[2 * i]! ^ 0x80000000;
    if (h > maxH || (h === maxH && l > maxL)) {
      maxH = h;
      maxL = l;
      at = i;
    }
  }
  return at;
}
