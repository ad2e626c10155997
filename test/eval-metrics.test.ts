/** The metrics of `paranom eval` on small hand-worked series, edge cases included. */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../src/eval/evaluate.js';
import { eventScores } from '../src/eval/event.js';
import { NAB_PROFILES, nabScore, nabSweep } from '../src/eval/nab.js';
import { rangeScores, type OverlapCardinality, type PositionalBias } from '../src/eval/range.js';
import { averagePrecision, rocAuc } from '../src/eval/ranking.js';
import { mergeRuns, runsOf } from '../src/eval/windows.js';
import { windowsFromTimes, parseTimestamp } from '../src/eval/timestamps.js';
import { joinOnTime } from '../src/eval/join.js';

/** '0011100' → [0,0,1,1,1,0,0] */
const bits = (s: string) => Array.from(s, (c) => (c === '1' ? 1 : 0));

describe('point metrics', () => {
  it('precision, recall, F1 and Fβ from the confusion counts', () => {
    // tp = 2 (rows 2, 3), fp = 1 (row 6), fn = 1 (row 4)
    const r = evaluate(bits('0011100000'), bits('0011001000'), { beta: 0.5 });
    expect([r.point.tp, r.point.fp, r.point.fn, r.point.tn]).toEqual([2, 1, 1, 6]);
    expect(r.point.precision).toBeCloseTo(2 / 3, 12);
    expect(r.point.recall).toBeCloseTo(2 / 3, 12);
    expect(r.point.f1).toBeCloseTo(2 / 3, 12);
    expect(r.point.fbeta).toBeCloseTo(2 / 3, 12); // P = R: every Fβ equals them
    const s = evaluate(bits('0011100000'), bits('0010000000'), { beta: 0.1 });
    // P = 1, R = 1/3: Fβ = (1 + β²)·P·R / (β²·P + R)
    expect(s.point.fbeta).toBeCloseTo((1.01 * (1 / 3)) / (0.01 + 1 / 3), 12);
    expect(s.point.f1).toBeCloseTo(0.5, 12);
    expect(s.threshold_mode).toBe('alarms');
  });

  it('no alarms: precision null, recall 0, F1 0', () => {
    const r = evaluate(bits('0011100000'), bits('0000000000'));
    expect([r.point.precision, r.point.recall, r.point.f1]).toEqual([null, 0, 0]);
  });

  it('no labels: recall and F1 null, precision 0 with alarms', () => {
    const r = evaluate(bits('0000000000'), bits('0100000000'));
    expect([r.point.precision, r.point.recall, r.point.f1, r.labelled_rows, r.windows]).toEqual([0, null, null, 0, 0]);
    expect([r.event.recall, r.event.precision, r.range.recall, r.range.precision]).toEqual([null, 0, null, 0]);
    expect([r.nab.standard, r.roc_auc, r.average_precision]).toEqual([null, null, null]);
  });

  it('a given threshold alarms at score ≥ threshold; "best" reports the threshold with the best F1', () => {
    const labels = bits('00111000');
    const scores = [0.1, 0.2, 0.9, 0.7, 0.4, 0.4, 0.3, 0.0];
    expect(evaluate(labels, { scores }, { threshold: 0.7 }).point).toMatchObject({ tp: 2, fp: 0 });
    const best = evaluate(labels, { scores });
    // Thresholds 0.9 → F1 0.5, 0.7 → 0.8, 0.4 → 6/7 (tp 3, fp 1), 0.3 → 0.75: best is 0.4.
    expect(best.threshold).toBe(0.4);
    expect(best.threshold_mode).toBe('best');
    expect(best.point.f1).toBeCloseTo(6 / 7, 12);
  });

  it('equal best Fβ at two thresholds keeps the higher one, whatever the rounding (before: 5/17 as 30/102 beat 5/17 as 25/85 by one bit)', () => {
    // 6 labelled rows. Threshold 1: tp 5 of 61 alarms; threshold 0: tp 6 of 78 alarms. Both F2 = 5/17.
    const labels = [...Array(6).fill(1), ...Array(72).fill(0)];
    const scores = [1, 1, 1, 1, 1, 0, ...Array(56).fill(1), ...Array(16).fill(0)];
    const r = evaluate(labels, { scores }, { beta: 2 });
    expect(r.point).toMatchObject({ tp: 5, fp: 56 });
    expect(r.threshold).toBe(1);
    expect(r.point.fbeta).toBeCloseTo(5 / 17, 12);
  });

  it('every row labelled: average precision exactly 1 (before: 1.0000000000000007); no labels and huge scores: a finite threshold above them (before: Infinity, null in JSON)', () => {
    const ones = evaluate(Array(100).fill(1), { scores: Array.from({ length: 100 }, (_, i) => i / 7) });
    expect(ones.average_precision).toBe(1);
    const none = evaluate([0, 0, 0], { scores: [1e308, 5e307, 1e308] });
    expect(Number.isFinite(none.threshold)).toBe(true);
    expect(none.threshold).toBeGreaterThan(1e308);
    expect(none.point.tp + none.point.fp).toBe(0);
  });

  it('refuses mismatched lengths, NaN scores and unsorted windows with a usage error', () => {
    expect(() => evaluate([0, 1], [0, 1, 1])).toThrow(/labels have 2 rows but predictions have 3/);
    expect(() => evaluate([0, 1], { scores: [0, Number.NaN] })).toThrow(/row 1 is not a number/);
    expect(() => evaluate({ isAnomaly: [0, 1, 1, 0], windows: [{ start: 2, end: 2 }, { start: 1, end: 1 }] }, [0, 0, 0, 0])).toThrow(/sorted and disjoint/);
    // An infinite β made Fβ NaN (null in JSON) rather than being refused.
    expect(() => evaluate([0, 1], { scores: [0, 1] }, { beta: Infinity })).toThrow(/beta must be a finite number > 0, got Infinity/);
    expect(() => evaluate([0, 1], { scores: [0, 1] }, { beta: 0 })).toThrow(/beta must be a finite number > 0, got 0/);
  });
});

describe('event metrics', () => {
  const windows = [{ start: 10, end: 14 }];
  const alarmAt = (...rows: number[]) => Array.from({ length: 30 }, (_, i) => (rows.includes(i) ? 1 : 0));

  it('a window is found by an alarm within ±tolerance, including exactly at the edge', () => {
    expect(eventScores(windows, alarmAt(16), 2, 0).found).toBe(1); // end + 2
    expect(eventScores(windows, alarmAt(8), 2, 0).found).toBe(1); // start − 2
    expect(eventScores(windows, alarmAt(17), 2, 0).found).toBe(0);
    expect(eventScores(windows, alarmAt(7), 2, 0).found).toBe(0);
    expect(eventScores(windows, alarmAt(14), 0, 0).found).toBe(1); // the window's last row
    expect(eventScores(windows, alarmAt(15), 0, 0).found).toBe(0);
  });

  it('windows that overlap after tolerance: one alarm between them finds both; its run counts once', () => {
    const two = [{ start: 10, end: 12 }, { start: 16, end: 18 }];
    const e = eventScores(two, alarmAt(14), 2, 0);
    expect([e.found, e.recall, e.alarm_runs, e.true_runs, e.precision]).toEqual([2, 1, 1, 1, 1]);
  });

  it('alarm runs merge across gaps of at most `gap` rows; a run touching a window is true', () => {
    // runs [2,3], [5,5], [20,21]; with gap 1 → [2,5], [20,21]
    const alarms = alarmAt(2, 3, 5, 20, 21);
    expect(mergeRuns(runsOf(alarms), 1)).toEqual([{ start: 2, end: 5 }, { start: 20, end: 21 }]);
    const e0 = eventScores([{ start: 5, end: 8 }], alarms, 0, 0);
    expect([e0.alarm_runs, e0.true_runs]).toEqual([3, 1]);
    const e1 = eventScores([{ start: 5, end: 8 }], alarms, 0, 1);
    expect([e1.alarm_runs, e1.true_runs, e1.precision]).toEqual([2, 1, 0.5]);
  });

  it('no alarms: nothing found, precision null', () => {
    const e = eventScores(windows, alarmAt(), 3, 0);
    expect([e.found, e.recall, e.alarm_runs, e.precision]).toEqual([0, 0, 0, null]);
  });
});

describe('range-based precision and recall (Tatbul et al. 2018)', () => {
  // TSAD-Evaluator's examples/simple: real 20–21, 25–27, 44–47; predicted 19–20, 23–30, 37, 49.
  const real = runsOf([...Array(20).fill(0), 1, 1, 0, 0, 0, 1, 1, 1, ...Array(16).fill(0), 1, 1, 1, 1, 0, 0]);
  const pred = runsOf([...Array(19).fill(0), 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, ...Array(11).fill(0), 1]);

  it('worked by hand: flat bias, α = 0', () => {
    expect(real).toEqual([{ start: 20, end: 21 }, { start: 25, end: 27 }, { start: 44, end: 47 }]);
    const r = rangeScores(real, pred);
    // recall: ½ of 20–21, all of 25–27, none of 44–47 → 1.5/3
    expect(r.recall).toBeCloseTo(0.5, 12);
    // precision: ½ of 19–20, 3/8 of 23–30, nothing of 37 and 49 → 0.875/4
    expect(r.precision).toBeCloseTo(0.21875, 12);
  });

  // Printed by TSAD-Evaluator's `evaluate -t simple.real simple.pred 1 <α> <γ> <δ> <δ>` (6 digits).
  const reference: Array<[number, PositionalBias, number, number]> = [
    [0, 'front', 0.1875, 0.555556],
    [0.5, 'front', 0.1875, 0.611111],
    [0, 'back', 0.25, 0.444444],
    [1, 'back', 0.25, 0.666667],
    [0, 'middle', 0.2625, 0.5],
    [0.5, 'middle', 0.2625, 0.583333],
  ];
  it.each(reference)('reference evaluator: α = %s, bias %s → P %s, R %s', (alpha, bias, p, r) => {
    const s = rangeScores(real, pred, { alpha, bias, precisionBias: bias });
    expect(s.precision).toBeCloseTo(p, 6);
    expect(s.recall).toBeCloseTo(r, 5);
  });

  // A real range overlapped by three predicted ranges: the reciprocal cardinality divides by 3.
  // Real 0–9, 20–24; predicted 0–1, 5–6, 8, 18–25; α = 0.3 (reference evaluator output).
  const real2 = runsOf(bits('111111111100000000001111100000'));
  const pred2 = runsOf(bits('110001101000000000111111110000'));
  const reference2: Array<[OverlapCardinality, PositionalBias, number, number]> = [
    ['one', 'flat', 0.90625, 0.825],
    ['reciprocal', 'flat', 0.90625, 0.708333],
    ['reciprocal', 'front', 0.888889, 0.713636],
    ['reciprocal', 'middle', 0.95, 0.704444],
    ['one', 'back', 0.923611, 0.809091],
  ];
  it.each(reference2)('reference evaluator: cardinality %s, bias %s → P %s, R %s', (cardinality, bias, p, r) => {
    const s = rangeScores(real2, pred2, { alpha: 0.3, bias, precisionBias: bias, cardinality });
    expect(s.precision).toBeCloseTo(p, 5);
    expect(s.recall).toBeCloseTo(r, 5);
  });

  it('worked by hand: reciprocal cardinality', () => {
    // Real 0–9 has half its rows in three predicted ranges: 0.3 + 0.7·(1/3)·0.5; real 20–24 is covered: 1.
    expect(rangeScores(real2, pred2, { alpha: 0.3, cardinality: 'reciprocal' }).recall).toBeCloseTo((0.3 + 0.7 * (0.5 / 3) + 1) / 2, 12);
  });
});

describe('ROC-AUC and average precision', () => {
  function bruteAuc(labels: number[], scores: number[]): number {
    let sum = 0;
    let pairs = 0;
    for (let i = 0; i < labels.length; i++) {
      for (let j = 0; j < labels.length; j++) {
        if (labels[i] !== 1 || labels[j] !== 0) continue;
        pairs++;
        sum += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      }
    }
    return sum / pairs;
  }
  function bruteAp(labels: number[], scores: number[]): number {
    const pos = labels.filter((l) => l === 1).length;
    const thresholds = [...new Set(scores)].sort((a, b) => b - a);
    let ap = 0;
    let prevRecall = 0;
    for (const t of thresholds) {
      const alarms = scores.map((s) => s >= t);
      const tp = alarms.filter((a, i) => a && labels[i] === 1).length;
      const recall = tp / pos;
      ap += (recall - prevRecall) * (tp / alarms.filter(Boolean).length);
      prevRecall = recall;
    }
    return ap;
  }

  it('agree with brute force on random series with ties', () => {
    let seed = 12345;
    const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let trial = 0; trial < 40; trial++) {
      const n = 5 + Math.floor(next() * 60);
      const labels = Array.from({ length: n }, () => (next() < 0.3 ? 1 : 0));
      if (!labels.includes(1) || !labels.includes(0)) continue;
      const scores = Array.from({ length: n }, () => Math.floor(next() * 8) / 8); // many ties
      expect(rocAuc(labels, scores)).toBeCloseTo(bruteAuc(labels, scores), 12);
      expect(averagePrecision(labels, scores)).toBeCloseTo(bruteAp(labels, scores), 12);
    }
  });

  it('perfect and reversed rankings; null without one class', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(rocAuc([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1])).toBe(0);
    expect(averagePrecision([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(rocAuc([0, 0], [0.1, 0.2])).toBeNull();
    expect(averagePrecision([0, 0], [0.1, 0.2])).toBeNull();
  });

  it('0/1 alarms have no ranking: null', () => {
    const r = evaluate(bits('0110'), bits('0100'));
    expect([r.roc_auc, r.average_precision]).toEqual([null, null]);
  });
});

describe('NAB score, worked by hand', () => {
  // 20 rows, one window 10–14 (5 rows), no probation. σ(x) = 2/(1 + e^{5x}) − 1 = −tanh(5x/2).
  const sigma = (x: number) => -Math.tanh(2.5 * x);
  const series = (alarms: number[]) => ({ scores: Array.from({ length: 20 }, (_, i) => (alarms.includes(i) ? 1 : 0)), windows: [{ start: 10, end: 14 }], probationPercent: 0 });
  const std = NAB_PROFILES.standard;

  it('an alarm at the window start earns the full tpWeight; at the last row σ(−1/5)/σ(−1)', () => {
    expect(nabScore(series([10]), 0.5).score).toBeCloseTo(1, 12);
    expect(nabScore(series([14]), 0.5).score).toBeCloseTo(sigma(-1 / 5) / sigma(-1), 12);
  });

  it('one credit per window: the first alarm in it counts, later ones add nothing', () => {
    const r = nabScore(series([11, 12, 13]), 0.5);
    expect(r.score).toBeCloseTo(sigma(-4 / 5) / sigma(-1), 12);
    expect([r.tp, r.fn, r.fp, r.tn, r.total]).toEqual([3, 2, 0, 15, 20]);
  });

  it('false positives: −fpWeight before any window, σ(distance/(L−1))·fpWeight after one', () => {
    const r = nabScore(series([2, 16, 19]), 0.5);
    const expected = -1 /* missed window */ - std.fpWeight + sigma(2 / 4) * std.fpWeight + sigma(5 / 4) * std.fpWeight;
    expect(r.score).toBeCloseTo(expected, 12);
    // More than 3 window-lengths after the window, σ is −1.
    const far = { scores: Array.from({ length: 40 }, (_, i) => (i === 30 ? 1 : 0)), windows: [{ start: 10, end: 14 }], probationPercent: 0 };
    expect(nabScore(far, 0.5).score).toBeCloseTo(-1 - std.fpWeight, 12);
  });

  it('no alarms: −fnWeight per window, normalised 0; a perfect detector normalises to 100', () => {
    const none = nabScore(series([]), 0.5, NAB_PROFILES.reward_low_FN);
    expect([none.score, none.normalised]).toEqual([-2, 0]);
    expect(nabScore(series([10]), 0.5).normalised).toBeCloseTo(100, 10);
  });

  it('rows in the probationary period are not scored', () => {
    // 0.15 · 20 = 3 probationary rows: an alarm at row 2 is ignored, at row 3 it is an FP.
    const s = (a: number) => ({ ...series([a]), probationPercent: 0.15 });
    expect(nabScore(s(2), 0.5).score).toBeCloseTo(-1, 12);
    expect(nabScore(s(3), 0.5).score).toBeCloseTo(-1 - std.fpWeight, 12);
    expect(nabScore(s(2), 0.5).total).toBe(20);
    expect(nabScore(s(2), 0.5).tn).toBe(17 - 5);
  });

  it('the sweep tries every distinct score and keeps the best, reporting its threshold', () => {
    const scores = Array.from({ length: 20 }, (_, i) => (i === 11 ? 0.8 : i === 3 ? 0.9 : i === 17 ? 0.6 : 0.1));
    const s = { scores, windows: [{ start: 10, end: 14 }], probationPercent: 0 };
    const brute = [1.1, 0.9, 0.8, 0.6, 0.1].map((t) => ({ t, score: nabScore(s, t).score }));
    const best = brute.reduce((a, b) => (b.score > a.score ? b : a));
    const swept = nabSweep([s]).best;
    expect(swept.threshold).toBe(best.t);
    expect(swept.score).toBeCloseTo(best.score, 12);
    expect(swept.threshold).toBe(0.8); // catch the window, skip the earlier FP at 0.9
  });
});

describe('timestamps', () => {
  it('reads date-times as UTC milliseconds, NAB microseconds and zones included', () => {
    expect(parseTimestamp('2014-04-10 07:15:00')).toBe(Date.UTC(2014, 3, 10, 7, 15));
    expect(parseTimestamp('2014-04-10 07:15:00.000000')).toBe(Date.UTC(2014, 3, 10, 7, 15));
    expect(parseTimestamp('2014-04-10T09:15:00+02:00')).toBe(Date.UTC(2014, 3, 10, 7, 15));
    expect(parseTimestamp('1700000000')).toBe(1_700_000_000);
    expect(parseTimestamp('yesterday')).toBeNaN();
  });

  it('maps inclusive time intervals to rows; an interval between rows covers none', () => {
    const t = [0, 10, 20, 30, 40];
    expect(windowsFromTimes(t, [[10, 30], [5, 20], [31, 39], [40, 99]])).toEqual([{ start: 1, end: 3 }, { start: 1, end: 2 }, null, { start: 4, end: 4 }]);
    // Repeated timestamps at either edge are all inside.
    expect(windowsFromTimes([0, 10, 10, 20, 20, 30], [[10, 20]])).toEqual([{ start: 1, end: 4 }]);
    // A series that steps back in time: the window spans its first to last row inside.
    expect(windowsFromTimes([0, 10, 20, 5, 15, 30], [[10, 20], [21, 29]])).toEqual([{ start: 1, end: 4 }, null]);
  });

  it('joins predictions to label rows by timestamp, scores them in time order, repeated timestamps paired in order', () => {
    const labels = { description: '', times: Float64Array.from([0, 1, 1, 2, 3]), flags: Uint8Array.from([0, 1, 0, 1, 0]), intervals: null };
    const preds = { description: '', times: Float64Array.from([3, 1, 1, 2]), values: Float64Array.from([0.3, 0.1, 0.15, 0.2]), where: (i: number) => `row ${i}` };
    const j = joinOnTime(labels, preds);
    // Rows in time order (stable: the two rows at time 1 keep their order), values with them.
    expect(Array.from(j.labels.isAnomaly)).toEqual([1, 0, 1, 0]);
    expect(Array.from(j.values)).toEqual([0.1, 0.15, 0.2, 0.3]);
    expect(j.reordered).toBe(true);
    // The label row at time 0 has no prediction: counted, not scored.
    expect([j.labelRowsUnscored, j.labelledRowsUnscored]).toEqual([1, 0]);
    const orphan = { ...preds, times: Float64Array.from([3, 1, 1, 7]) };
    expect(() => joinOnTime(labels, orphan)).toThrow(/1 of 4 prediction rows have no label row with the same timestamp \(first: row 3/);
  });

  it('refuses a prediction row more than the labels have at a timestamp, and fewer rows than a repeated label timestamp, naming the row (before: paired twice with one label row)', () => {
    const labels = { description: '', times: Float64Array.from([0, 1, 2, 2, 3]), flags: Uint8Array.from([0, 1, 0, 1, 0]), intervals: null };
    const preds = (times: number[]) => ({ description: '', times: Float64Array.from(times), values: new Float64Array(times.length), where: (i: number) => `row ${i}` });
    expect(() => joinOnTime(labels, preds([0, 1, 3, 1]))).toThrow(/^row 3: timestamp .* is on 2 prediction rows \(row 1, row 3\) but on 1 label row/);
    expect(() => joinOnTime(labels, preds([0, 1, 2, 3]))).toThrow(/^row 2: timestamp .* is on 2 label rows but 1 prediction row/);
    // As many rows on both sides: paired in order.
    expect(Array.from(joinOnTime(labels, preds([0, 1, 2, 2, 3])).labels.isAnomaly)).toEqual([0, 1, 0, 1, 0]);
  });

  it('windows-only labels score rows in file order, and refuse a row out of time order inside a window (before: scored as part of it)', () => {
    const labels = { description: '', times: null, flags: null, intervals: [[10, 20]] as Array<[number, number]> };
    const preds = (times: number[]) => ({ description: '', times: Float64Array.from(times), values: new Float64Array(times.length), where: (i: number) => `row ${i}` });
    // A step back outside every window (NAB's clock change) keeps the file's order.
    const j = joinOnTime(labels, preds([0, 10, 15, 20, 30, 25, 40]));
    expect(j.labels.windows).toEqual([{ start: 1, end: 3 }]);
    expect(j.reordered).toBe(false);
    expect(() => joinOnTime(labels, preds([0, 10, 30, 20, 40]))).toThrow(/^row 2: .* lies among the rows of label window 0 .* not in time order/);
  });
});
