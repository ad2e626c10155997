/**
 * The times a page draws rows at. Without jitter a row's time is start + row·step and the
 * page computes it; with `timeline.jitter` each row's timestamp moved off that grid (by up
 * to ±jitter, under half a step), and the page is given the offsets of the rows it draws —
 * overview points, event bounds and exact rows — so each point sits at the time its row
 * holds in the files and the segment table, not at a grid time no row has.
 */
import { jitterOffsets, rowTimeMs } from '../model/row-time.js';
import type { Timeline } from '../model/types.js';
import { f64 } from './encode.js';

type Jitter = NonNullable<Timeline['jitter']>;

/** Offsets (ms) of page rows `rows` (sorted, distinct), the page's row 0 being timeline row `rowBase`. */
export function rowOffsets(jitter: Jitter, rowBase: number, rows: number[]): PageData.Jitter {
  const grid = { startMs: 0, stepMs: 0, jitter };
  const offsets = Float64Array.from(rows, (r) => rowTimeMs(grid, rowBase + r));
  return { ms: jitter.ms, rows: f64(Float64Array.from(rows)), offsets: f64(offsets) };
}

/** Offsets (ms) of page rows [from, to), for an exact window. */
export function windowOffsets(jitter: Jitter, rowBase: number, from: number, to: number): string {
  return f64(jitterOffsets(jitter, rowBase + from, to - from));
}

/** The rows a page draws outside its exact windows: overview points and event bounds, sorted and distinct. */
export function drawnRows(points: Float64Array[], events: PageData.EventRow[]): number[] {
  const rows = new Set<number>();
  for (const p of points) for (const r of p) rows.add(r);
  for (const e of events) rows.add(e.start).add(e.end);
  return [...rows].sort((a, b) => a - b);
}
