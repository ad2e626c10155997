/**
 * Scores one series' alarms with paranom's evaluator (src/eval) and pools series into one
 * figure per seed, over the whole corpus as NAB does: point F1 from the summed confusion
 * counts, event precision from the summed alarm runs, windows found summed, and NAB's
 * standard score normalised over the summed raw, null and perfect scores.
 */
import { evaluate, nabScore, NAB_PROFILES, rocAuc } from '../../src/eval/index.js';
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
  /** NAB with each alarm run reported once, at its first row. */
  nabOnsets: { score: number; null: number; perfect: number };
  alarms: number;
  testRows: number;
  /** ROC-AUC of the detector's scores on the test part (threshold-free skill). */
  auc: number | null;
  /** Labelled rows of the generated training data, and those left within 0.1 robust sd of the clean series. */
  labelled: number;
  unchanged: number;
}

/** A seed's figures over every series. */
export interface Scores {
  f1: number;
  /** Point precision and recall from the summed confusion counts. */
  precision: number;
  recall: number;
  eventPrecision: number;
  windowsFound: number;
  windows: number;
  nab: number;
  nabOnsets: number;
  alarmRate: number;
  /** Mean over series. */
  auc: number;
  /** Share of generated labelled rows that are unchanged (label noise); NaN without generated data. */
  unchanged: number;
}

/**
 * Scores a detector's scores and alarms on the test rows (index i is row cut + i) against
 * the series' labels.
 * Training rows carry no alarm; NAB's probationary period applies as in NAB. Alarm runs
 * are maximal runs of alarmed rows (no gap merging).
 */
export function scoreSeries(s: Series, scores: Float64Array, alarms: Uint8Array, noise = { labelled: 0, unchanged: 0 }): SeriesCounts {
  const full = new Uint8Array(s.values.length);
  full.set(alarms, s.cut);
  const r = evaluate({ isAnomaly: s.labels, windows: s.windows.map(([start, end]) => ({ start, end })) }, { alarms: full });
  const nab = r.nab.raw.standard;
  const onsets = full.map((a, i) => (a && !full[i - 1] ? 1 : 0));
  const first = nabScore({ scores: onsets, windows: s.windows.map(([start, end]) => ({ start, end })) }, 0.5, NAB_PROFILES.standard);
  return {
    tp: r.point.tp,
    fp: r.point.fp,
    fn: r.point.fn,
    alarmRuns: r.event.alarm_runs,
    trueRuns: r.event.true_runs,
    windows: r.event.windows,
    found: r.event.found,
    nab: { score: nab.score, null: nab.null_score, perfect: nab.perfect_score },
    nabOnsets: { score: first.score, null: first.null_score, perfect: first.perfect_score },
    alarms: alarms.reduce((a, b) => a + b, 0),
    testRows: alarms.length,
    auc: rocAuc(s.labels.subarray(s.cut), scores),
    ...noise,
  };
}

const mean = (x: number[]): number => x.reduce((a, b) => a + b, 0) / x.length;

/** Pools the series of one seed. */
export function pool(series: readonly SeriesCounts[]): Scores {
  const sum = (f: (c: SeriesCounts) => number): number => series.reduce((a, c) => a + f(c), 0);
  const tp = sum((c) => c.tp);
  const runs = sum((c) => c.alarmRuns);
  const nabOf = (f: (c: SeriesCounts) => SeriesCounts['nab']): number => {
    const none = sum((c) => f(c).null);
    return (100 * (sum((c) => f(c).score) - none)) / (sum((c) => f(c).perfect) - none);
  };
  return {
    f1: tp === 0 ? 0 : (2 * tp) / (2 * tp + sum((c) => c.fp) + sum((c) => c.fn)),
    precision: tp === 0 ? 0 : tp / (tp + sum((c) => c.fp)),
    recall: tp === 0 ? 0 : tp / (tp + sum((c) => c.fn)),
    eventPrecision: runs === 0 ? 0 : sum((c) => c.trueRuns) / runs,
    windowsFound: sum((c) => c.found),
    windows: sum((c) => c.windows),
    nab: nabOf((c) => c.nab),
    nabOnsets: nabOf((c) => c.nabOnsets),
    alarmRate: sum((c) => c.alarms) / sum((c) => c.testRows),
    auc: mean(series.flatMap((c) => (c.auc === null ? [] : [c.auc]))),
    unchanged: sum((c) => c.unchanged) / sum((c) => c.labelled),
  };
}
