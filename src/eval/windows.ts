/**
 * Row windows: the inclusive row ranges that labels and alarms form. Every metric of
 * `paranom eval` works on rows of one joined series, so a window is two row indices.
 */

/** An inclusive range of rows `[start, end]` of one series (0-based). */
export interface RowWindow {
  readonly start: number;
  readonly end: number;
}

/** Calls `fn(start, end)` for each maximal run of rows where `flags[i]` is set, in row order. */
export function forEachRun(flags: ArrayLike<number | boolean>, fn: (start: number, end: number) => void): void {
  const n = flags.length;
  for (let i = 0; i < n; ) {
    if (!flags[i]) {
      i++;
      continue;
    }
    const start = i;
    while (i < n && flags[i]) i++;
    fn(start, i - 1);
  }
}

/** The maximal runs of rows where `flags[i]` is set, in row order. */
export function runsOf(flags: ArrayLike<number | boolean>): RowWindow[] {
  const out: RowWindow[] = [];
  forEachRun(flags, (start, end) => out.push({ start, end }));
  return out;
}

/**
 * Merges runs separated by at most `gap` unflagged rows: an alarm that flickers off for a
 * row or two is one detection, not several (so a chattering detector is not rewarded or
 * punished per flicker).
 */
export function mergeRuns(runs: readonly RowWindow[], gap: number): RowWindow[] {
  const out: RowWindow[] = [];
  for (const r of runs) {
    const last = out[out.length - 1];
    if (last && r.start - last.end - 1 <= gap) out[out.length - 1] = { start: last.start, end: r.end };
    else out.push(r);
  }
  return out;
}

/** Why a list of windows cannot be scored against `rows` rows, or null when it can. */
export function windowProblem(windows: readonly RowWindow[], rows: number): string | null {
  for (let k = 0; k < windows.length; k++) {
    const w = windows[k]!;
    if (!Number.isInteger(w.start) || !Number.isInteger(w.end) || w.start < 0 || w.end < w.start || w.end >= rows) {
      return `window ${k} [${w.start}, ${w.end}] is not a row range inside [0, ${rows - 1}]`;
    }
    const prev = windows[k - 1];
    if (prev && w.start <= prev.end) return `window ${k} [${w.start}, ${w.end}] overlaps or precedes window ${k - 1} [${prev.start}, ${prev.end}]; windows must be sorted and disjoint`;
  }
  return null;
}
