/**
 * Scores one series' alarms with paranom's evaluator (src/eval) and pools series into one
 * figure per seed, over the whole corpus as NAB does: point F1 from the summed confusion
 * counts, event precision from the summed alarm runs, windows found summed, and NAB's
 * standard score normalised over the summed raw, null and perfect scores.
 */
import { evaluate } from '../../src/eval/index.js';
import type { Series } from './nab.js';

/** The counts one series contributes to its seed's figures. */
export interface SeriesCounts {
  tp: number;
  fp: number;
  fn: number;
  alarmRuns: number;
  trueRuns: number;
  windows: number;
  found: number;
  nab: { score: number; null: number; perfect: number };
  alarms: number;
  testRows: number;
}

/** A seed's figures over every series. */
export interface Scores {
  f1: number;
  eventPrecision: number;
  windowsFound: number;
  windows: number;
  nab: number;
  alarmRate: number;
}

/**
 * Scores alarms on the test rows (`alarms[i]` is row cut + i) against the series' labels.
 * Training rows carry no alarm; NAB's probationary period applies as in NAB. Alarm runs
 * closer than `gap` rows count as one.
 */
export function scoreSeries(s: Series, alarms: Uint8Array, gap: number): SeriesCounts {
  const full = new Uint8Array(s.values.length);
  full.set(alarms, s.cut);
  const r = evaluate({ isAnomaly: s.labels, windows: s.windows.map(([start, end]) => ({ start, end })) }, { alarms: full }, { gap });
  const nab = r.nab.raw.standard;
  return {
    tp: r.point.tp,
    fp: r.point.fp,
    fn: r.point.fn,
    alarmRuns: r.event.alarm_runs,
    trueRuns: r.event.true_runs,
    windows: r.event.windows,
    found: r.event.found,
    nab: { score: nab.score, null: nab.null_score, perfect: nab.perfect_score },
    alarms: alarms.reduce((a, b) => a + b, 0),
    testRows: alarms.length,
  };
}

/** Pools the series of one seed. */
export function pool(series: readonly SeriesCounts[]): Scores {
  const sum = (f: (c: SeriesCounts) => number): number => series.reduce((a, c) => a + f(c), 0);
  const tp = sum((c) => c.tp);
  const runs = sum((c) => c.alarmRuns);
  const nabNull = sum((c) => c.nab.null);
  return {
    f1: tp === 0 ? 0 : (2 * tp) / (2 * tp + sum((c) => c.fp) + sum((c) => c.fn)),
    eventPrecision: runs === 0 ? 0 : sum((c) => c.trueRuns) / runs,
    windowsFound: sum((c) => c.found),
    windows: sum((c) => c.windows),
    nab: (100 * (sum((c) => c.nab.score) - nabNull)) / (sum((c) => c.nab.perfect) - nabNull),
    alarmRate: sum((c) => c.alarms) / sum((c) => c.testRows),
  };
}
