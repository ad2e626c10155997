/**
 * Metrics of one scored test part. Interim: point F1, event precision and windows found,
 * computed here until paranom's evaluator is available.
 */
export interface Scores {
  f1: number;
  eventPrecision: number;
  windowsFound: number;
  windows: number;
  nab: number;
  alarmRate: number;
}

export function scoreAlarms(labels: Uint8Array, alarms: Uint8Array): Scores {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let runs = 0;
  let trueRuns = 0;
  let windows = 0;
  let found = 0;
  let inRun = false;
  let runTouches = false;
  let inWindow = false;
  let windowHit = false;
  for (let i = 0; i <= labels.length; i++) {
    const l = labels[i] ?? 0;
    const a = alarms[i] ?? 0;
    if (i < labels.length) {
      if (a && l) tp++;
      else if (a) fp++;
      else if (l) fn++;
    }
    if (inRun && !a) { inRun = false; if (runTouches) trueRuns++; }
    if (a) {
      if (!inRun) { inRun = true; runTouches = false; runs++; }
      if (l) runTouches = true;
    }
    if (inWindow && !l) { inWindow = false; if (windowHit) found++; }
    if (l) {
      if (!inWindow) { inWindow = true; windowHit = false; windows++; }
      if (a) windowHit = true;
    }
  }
  return {
    f1: tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn),
    eventPrecision: runs === 0 ? 0 : trueRuns / runs,
    windowsFound: found,
    windows,
    nab: NaN,
    alarmRate: (tp + fp) / labels.length,
  };
}
