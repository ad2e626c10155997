/**
 * How much of a page the overview may take: one byte budget for the series data, shared
 * by every numeric column, of which the exact rows (their own budget of values) take their
 * part first. A narrow dataset's overview fits the rest as float64 at the full bucket
 * count and is carried so (every value exact). A wide one is packed (row numbers as LEB128
 * differences, values as float32: about 7 bytes a point inlined instead of 21), and when
 * even that does not fit, every column gets fewer buckets, never fewer than a chart needs
 * to draw its envelope a few pixels a bucket.
 */
import { leb128Length } from './encode.js';

/** Inlined bytes of a page's overview and exact rows together (all numeric columns). */
export const DATA_BYTES = 9_000_000;

/** Inlined bytes of `values` exact values (float64, base64: 4 characters per 3 bytes). */
export function exactBytes(values: number): number {
  return (values * 8 * 4) / 3;
}
/** The fewest buckets a wide report gives a column: one per 2–3 pixels of a chart in a 1,400-pixel window. */
export const MIN_BUCKETS = 500;

export interface OverviewPlan {
  buckets: number;
  /** Packed (see encode.ts) rather than float64. */
  packed: boolean;
}

/** Inlined bytes (base64: 4 per 3) of one column's overview at `buckets` buckets (up to 4 points each). */
function columnBytes(rows: number, buckets: number, packed: boolean): number {
  const points = Math.min(4 * buckets, rows);
  const perPoint = packed ? 4 + leb128Length(Math.ceil(rows / buckets)) : 16;
  return (points * perPoint * 4) / 3;
}

/** The overview of `columns` numeric columns over `rows` rows, at most `maxBuckets` buckets each, within `bytes`. */
export function planOverview(rows: number, columns: number, maxBuckets: number, bytes: number): OverviewPlan {
  const full = Math.max(1, Math.min(maxBuckets, rows));
  if (columns * columnBytes(rows, full, false) <= bytes) return { buckets: full, packed: false };
  const floor = Math.min(full, MIN_BUCKETS);
  // The most buckets that fit, found by halving the interval (bytes grow with buckets).
  let lo = floor;
  let hi = full;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (columns * columnBytes(rows, mid, true) <= bytes) lo = mid;
    else hi = mid - 1;
  }
  return { buckets: lo, packed: true };
}
