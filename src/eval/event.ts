/**
 * Event-wise scores. A labelled window is found when any alarm falls within ±tolerance
 * rows of it; alarm runs (merged across gaps of at most `gap` rows) are true when they
 * touch a window widened by the same tolerance. One alarm between two windows that lie
 * within tolerance of it finds both: each window asks only whether it was warned about.
 */
import { mergeRuns, runsOf, type RowWindow } from './windows.js';

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

export function eventScores(windows: readonly RowWindow[], alarms: ArrayLike<number | boolean>, tolerance: number, gap: number): EventScores {
  const n = alarms.length;
  // prefix[i] = alarms in rows [0, i): "any alarm in [a, b]" in O(1) per window.
  const prefix = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + (alarms[i] ? 1 : 0);
  const anyIn = (a: number, b: number) => prefix[Math.min(n, b + 1)]! - prefix[Math.max(0, a)]! > 0;

  let found = 0;
  for (const w of windows) if (anyIn(w.start - tolerance, w.end + tolerance)) found++;

  const runs = mergeRuns(runsOf(alarms), gap);
  let trueRuns = 0;
  let k = 0; // windows are sorted: sweep them once alongside the runs
  for (const r of runs) {
    while (k < windows.length && windows[k]!.end + tolerance < r.start) k++;
    const w = windows[k];
    if (w && w.start - tolerance <= r.end) trueRuns++;
  }
  return {
    windows: windows.length,
    found,
    recall: windows.length > 0 ? found / windows.length : null,
    alarm_runs: runs.length,
    true_runs: trueRuns,
    precision: runs.length > 0 ? trueRuns / runs.length : null,
    tolerance,
    gap,
  };
}
