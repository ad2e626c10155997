/**
 * The ranking every threshold-free metric walks: rows by score, highest first, ties in row
 * order. A comparator sort of row indices spent most of `eval`'s time (a call per
 * comparison, and three more sorts for NAB's profiles); this is one stable LSD radix sort
 * over the scores' IEEE-754 bits, O(n), shared by the best threshold, ROC-AUC, average
 * precision and every NAB profile's sweep.
 */

/** Rows in descending score order, ties in ascending row order. */
export interface ScoreOrder {
  /** The scores in that order (−0 read as 0, as score comparisons do). */
  readonly sorted: Float64Array;
  /** Per position: the row (low 31 bits) and its label flag (top bit, when flags were given). */
  readonly order: Uint32Array;
}

/** The row of an `order` entry. */
export const ROW_MASK = 0x7fffffff;
/** The label flag of an `order` entry. */
export const FLAG_BIT = 0x80000000;

const DIGIT_BITS = 11;
const BUCKETS = 1 << DIGIT_BITS;
const DIGIT_MASK = BUCKETS - 1;

/** Digit `d` (0 = lowest) of the 64-bit key held as words [lo, hi] at `keys[2k]`, `keys[2k + 1]`. */
function digit(keys: Uint32Array, k: number, d: number): number {
  const shift = d * DIGIT_BITS;
  if (shift + DIGIT_BITS <= 32) return (keys[2 * k]! >>> shift) & DIGIT_MASK;
  if (shift >= 32) return (keys[2 * k + 1]! >>> (shift - 32)) & DIGIT_MASK;
  // The digit straddling the two words (bits 22..32).
  return ((keys[2 * k]! >>> shift) | (keys[2 * k + 1]! << (32 - shift))) & DIGIT_MASK;
}

/**
 * Sorts rows by descending score, stably. Scores must not be NaN (callers refuse NaN
 * first). With `flags`, each entry's top bit carries the row's label, so walks over the
 * ranking need no second random read per row. At most 2³¹ − 1 rows.
 */
export function scoreOrder(scores: ArrayLike<number>, flags?: ArrayLike<number | boolean>): ScoreOrder {
  const n = scores.length;
  if (n > ROW_MASK) throw new RangeError(`at most ${ROW_MASK} rows can be ranked, got ${n}`);
  // The key of a score: its bits turned so that unsigned order is descending score order.
  let keys = new Uint32Array(2 * n);
  const bits = new Float64Array(1);
  const words = new Uint32Array(bits.buffer);
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const v = scores[i]!;
    bits[0] = v === 0 ? 0 : v; // −0 ranks with 0
    const lo = words[0]!;
    const hi = words[1]!;
    if (hi & 0x80000000) {
      keys[2 * i] = lo;
      keys[2 * i + 1] = hi;
    } else {
      keys[2 * i] = ~lo >>> 0;
      keys[2 * i + 1] = (hi ^ 0x7fffffff) >>> 0;
    }
    order[i] = flags && flags[i] ? (i | FLAG_BIT) >>> 0 : i;
  }
  let keysOut = new Uint32Array(2 * n);
  let orderOut = new Uint32Array(n);
  const count = new Uint32Array(BUCKETS);
  for (let d = 0; d * DIGIT_BITS < 64; d++) {
    count.fill(0);
    for (let k = 0; k < n; k++) count[digit(keys, k, d)]!++;
    // A digit all keys share leaves the order as it is.
    if (n === 0 || count[digit(keys, 0, d)] === n) continue;
    let sum = 0;
    for (let b = 0; b < BUCKETS; b++) {
      const c = count[b]!;
      count[b] = sum;
      sum += c;
    }
    for (let k = 0; k < n; k++) {
      const at = count[digit(keys, k, d)]!++;
      keysOut[2 * at] = keys[2 * k]!;
      keysOut[2 * at + 1] = keys[2 * k + 1]!;
      orderOut[at] = order[k]!;
    }
    [keys, keysOut] = [keysOut, keys];
    [order, orderOut] = [orderOut, order];
  }
  // Back from keys to scores, in place: the sorted scores without a random read per row.
  for (let k = 0; k < n; k++) {
    const lo = keys[2 * k]!;
    const hi = keys[2 * k + 1]!;
    if (!(hi & 0x80000000)) {
      keys[2 * k] = ~lo >>> 0;
      keys[2 * k + 1] = (hi ^ 0x7fffffff) >>> 0;
    }
  }
  return { sorted: new Float64Array(keys.buffer, 0, n), order };
}

/**
 * The score a tied group reports: its value, except that a group of zeros reports its
 * first row's own zero (−0 or 0), as a sort that compared scores kept it.
 */
export function groupScore(s: ScoreOrder, scores: ArrayLike<number>, k: number): number {
  const v = s.sorted[k]!;
  return v === 0 ? scores[s.order[k]! & ROW_MASK]! : v;
}
