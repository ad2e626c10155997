/**
 * Event-wise scores. A labelled window is found when any alarm falls within ±tolerance
 * rows of it; alarm runs (merged across gaps of at most `gap` rows) are true when they
 * touch a window widened by the same tolerance. One alarm between two windows that lie
 * within tolerance of it finds both: each window asks only whether it was warned about.
 */
import { forEachRun, type RowWindow } from './windows.js';

export interface EventScores {
  windows: number;
  found: number;
  recall: number | null;
  alarm_runs: number;
  true_runs: number;
  precision: number | null;
  tolerance: number;
  gap: number;
}

/**
 * Counts the windows with an alarm in [start − tolerance, end + tolerance]. The next alarm
 * at or after a window's widened start is searched from where the last search ended, so
 * sorted windows cost one pass over the alarms (no prefix sums per row).
 */
function windowsFound(windows: readonly RowWindow[], alarms: ArrayLike<number | boolean>, tolerance: number): number {
  const n = alarms.length;
  let found = 0;
  let next = n; // the first alarm at or after `from`, or n when none
  let from = Number.POSITIVE_INFINITY;
  for (const w of windows) {
    const a = Math.max(0, w.start - tolerance);
    if (a < from || next < a) {
      let i = a < from ? a : Math.max(a, next);
      while (i < n && !alarms[i]) i++;
      next = i;
    }
    from = a;
    if (next < n && next <= w.end + tolerance) found++;
  }
  return found;
}

export function eventScores(windows: readonly RowWindow[], alarms: ArrayLike<number | boolean>, tolerance: number, gap: number): EventScores {
  const found = windowsFound(windows, alarms, tolerance);
  // Alarm runs merged across gaps of at most `gap` rows, met in one pass.
  let runs = 0;
  let trueRuns = 0;
  let k = 0; // windows are sorted: sweep them once alongside the runs
  const merged = (start: number, end: number) => {
    runs++;
    while (k < windows.length && windows[k]!.end + tolerance < start) k++;
    const w = windows[k];
    if (w && w.start - tolerance <= end) trueRuns++;
  };
  let open = false;
  let runStart = 0;
  let runEnd = 0;
  forEachRun(alarms, (start, end) => {
    if (open && start - runEnd - 1 <= gap) {
      runEnd = end;
      return;
    }
    if (open) merged(runStart, runEnd);
    open = true;
    runStart = start;
    runEnd = end;
  });
  if (open) merged(runStart, runEnd);
  return {
    windows: windows.length,
    found,
    recall: windows.length > 0 ? found / windows.length : null,
    alarm_runs: runs,
    true_runs: trueRuns,
    precision: runs > 0 ? trueRuns / runs : null,
    tolerance,
    gap,
  };
}
