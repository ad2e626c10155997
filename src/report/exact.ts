/**
 * Windows of exact rows kept beside the overview: chosen before the data is read (from
 * the segment table), filled while the shards stream past. Which windows are kept is the
 * report's promise about zooming, stated in `docs/report.md`.
 */

/** A window of rows [from, to) and its values per column, filled as rows stream past. */
export interface ExactWindow {
  from: number;
  to: number;
  values: Map<string, Float64Array>;
}

/** What to keep exactly, within a budget of values (rows × columns). */
export interface ExactPlanOptions {
  rows: number;
  columns: readonly string[];
  /** Event windows [start, end) in row order. */
  events: ReadonlyArray<{ start: number; end: number }>;
  /** At most this many values in all windows together. */
  budget: number;
  /** Rows kept on each side of an event: max(context, its length), up to maxContext. */
  context?: number;
  maxContext?: number;
  /** Evenly spaced windows of normal rows, and their length. */
  tiles?: number;
  tileRows?: number;
}

/** Merges overlapping or touching [from, to) ranges (sorted by from). */
function mergeRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  ranges.sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

/**
 * Plans exact windows: every row when they fit the budget; otherwise a few evenly spaced
 * tiles of rows (the first at row 0) and then each event with context on both sides, in
 * timeline order, while the budget lasts. Returns the row ranges (sorted, disjoint), whether
 * every row is covered, and how many events are.
 */
export function planExact(o: ExactPlanOptions): { ranges: Array<[number, number]>; all: boolean; eventsCovered: number } {
  const cols = Math.max(1, o.columns.length);
  const maxRows = Math.floor(o.budget / cols);
  if (o.rows <= maxRows) return { ranges: o.rows > 0 ? [[0, o.rows]] : [], all: true, eventsCovered: o.events.length };
  const ranges: Array<[number, number]> = [];
  let used = 0;
  const tiles = o.tiles ?? 4;
  const tileRows = Math.min(o.tileRows ?? 2048, Math.floor(maxRows / 4 / Math.max(1, tiles)));
  if (tileRows > 0) {
    for (let t = 0; t < tiles; t++) {
      const from = Math.floor((t * o.rows) / tiles);
      const to = Math.min(o.rows, from + tileRows);
      ranges.push([from, to]);
      used += to - from;
    }
  }
  const context = o.context ?? 64;
  const maxContext = o.maxContext ?? 1024;
  let covered = 0;
  for (const e of o.events) {
    const pad = Math.min(maxContext, Math.max(context, e.end - e.start));
    const from = Math.max(0, e.start - pad);
    const to = Math.min(o.rows, e.end + pad);
    if (used + (to - from) > maxRows) break;
    ranges.push([from, to]);
    used += to - from;
    covered++;
  }
  return { ranges: mergeRanges(ranges), all: false, eventsCovered: covered };
}

/** Empty windows (NaN: not yet read) for the planned ranges and columns. */
export function allocWindows(ranges: ReadonlyArray<readonly [number, number]>, columns: readonly string[]): ExactWindow[] {
  return ranges.map(([from, to]) => ({ from, to, values: new Map(columns.map((c) => [c, new Float64Array(to - from).fill(NaN)])) }));
}

/** Copies the values of rows [rowStart, rowStart + n) of one column into the windows they meet. */
export function captureExact(windows: readonly ExactWindow[], column: string, rowStart: number, v: Float64Array, n: number): void {
  const rowEnd = rowStart + n;
  // Windows are sorted and disjoint: find the first that ends after rowStart.
  let lo = 0;
  let hi = windows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (windows[mid]!.to <= rowStart) lo = mid + 1;
    else hi = mid;
  }
  for (let w = lo; w < windows.length && windows[w]!.from < rowEnd; w++) {
    const win = windows[w]!;
    const out = win.values.get(column);
    if (!out) continue;
    const a = Math.max(win.from, rowStart);
    const b = Math.min(win.to, rowEnd);
    out.set(v.subarray(a - rowStart, b - rowStart), a - win.from);
  }
}
