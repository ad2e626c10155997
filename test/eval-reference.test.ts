/**
 * `paranom eval`'s metrics against independent reference computations on random label and
 * prediction pairs (fast-check). Each reference is written here from the metric's
 * definition, by brute force over rows or pairs of rows, sharing no code with src/eval/:
 * point P/R/Fβ by counting; event recall by scanning each widened window; alarm runs by
 * filling gaps in a copy of the alarms; Tatbul et al.'s range precision/recall position
 * by position; ROC-AUC over every (positive, negative) pair; average precision and the
 * best threshold by re-thresholding at every distinct score. A random seed is printed;
 * EVAL_SEED replays it.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../src/eval/evaluate.js';
import type { OverlapCardinality, PositionalBias } from '../src/eval/range.js';
import { tempDir } from './helpers.js';

const SEED = Number(process.env['EVAL_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
console.log(`eval reference seed ${SEED} (replay: EVAL_SEED=${SEED} npx vitest run test/eval-reference.test.ts)`);
/** EVAL_RUNS=k multiplies every property's number of runs (a longer search than CI's). */
const params = (numRuns: number) => ({ seed: SEED, numRuns: numRuns * Number(process.env['EVAL_RUNS'] ?? 1), endOnFailure: true });

// ---- reference implementations (from the definitions) ----

type Range = [number, number]; // inclusive rows

function refRuns(flags: readonly number[]): Range[] {
  const out: Range[] = [];
  flags.forEach((f, i) => {
    if (!f) return;
    const last = out[out.length - 1];
    if (last && last[1] === i - 1) last[1] = i;
    else out.push([i, i]);
  });
  return out;
}

function refF(p: number | null, r: number | null, beta: number): number | null {
  if (r === null) return null;
  if (p === null || p + r === 0) return 0;
  return ((1 + beta * beta) * p * r) / (beta * beta * p + r);
}

function refPoint(labels: readonly number[], alarms: readonly number[], beta: number) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  labels.forEach((l, i) => {
    if (l && alarms[i]) tp++;
    else if (alarms[i]) fp++;
    else if (l) fn++;
    else tn++;
  });
  const precision = tp + fp ? tp / (tp + fp) : null;
  const recall = tp + fn ? tp / (tp + fn) : null;
  return { tp, fp, fn, tn, precision, recall, f1: refF(precision, recall, 1), fbeta: refF(precision, recall, beta) };
}

function refEvent(windows: readonly Range[], alarms: readonly number[], tolerance: number, gap: number) {
  const n = alarms.length;
  const found = windows.filter(([s, e]) => alarms.some((a, i) => a && i >= s - tolerance && i <= e + tolerance)).length;
  // Gaps of at most `gap` quiet rows between two alarms are filled, then runs are taken.
  const filled = alarms.slice();
  const at = alarms.flatMap((a, i) => (a ? [i] : []));
  for (let k = 1; k < at.length; k++) if (at[k]! - at[k - 1]! - 1 <= gap) for (let i = at[k - 1]!; i < at[k]!; i++) filled[i] = 1;
  const runs = refRuns(filled);
  const trueRuns = runs.filter(([a, b]) => windows.some(([s, e]) => a <= e + tolerance && b >= s - tolerance)).length;
  void n;
  return {
    windows: windows.length,
    found,
    recall: windows.length ? found / windows.length : null,
    alarm_runs: runs.length,
    true_runs: trueRuns,
    precision: runs.length ? trueRuns / runs.length : null,
  };
}

/** δ(i, L) for position i = 1..L (Tatbul et al. 2018, §4; "middle" with integer halving as their evaluator). */
function refDelta(bias: PositionalBias, i: number, L: number): number {
  if (bias === 'flat') return 1;
  if (bias === 'front') return L - i + 1;
  if (bias === 'back') return i;
  return i <= Math.floor(L / 2) ? i : L - i + 1;
}

/** Σ over ranges of α·Existence + (1 − α)·γ·Σ ω, averaged (recall: real vs predicted; precision: predicted vs real, α = 0). */
function refRangeSide(ranges: readonly Range[], others: readonly Range[], alpha: number, bias: PositionalBias, card: OverlapCardinality): number | null {
  if (ranges.length === 0) return null;
  let total = 0;
  for (const [s, e] of ranges) {
    const L = e - s + 1;
    let max = 0;
    for (let i = 1; i <= L; i++) max += refDelta(bias, i, L);
    let omega = 0;
    let overlaps = 0;
    for (const [os, oe] of others) {
      let mine = 0;
      let any = false;
      for (let i = 1; i <= L; i++) {
        const row = s + i - 1;
        if (row >= os && row <= oe) {
          mine += refDelta(bias, i, L);
          any = true;
        }
      }
      if (any) {
        overlaps++;
        omega += mine / max;
      }
    }
    const gamma = card === 'one' ? 1 : overlaps > 0 ? 1 / overlaps : 1;
    total += alpha * (overlaps > 0 ? 1 : 0) + (1 - alpha) * gamma * omega;
  }
  return total / ranges.length;
}

function refRocAuc(labels: readonly number[], scores: readonly number[]): number | null {
  const pos = scores.filter((_, i) => labels[i]);
  const neg = scores.filter((_, i) => !labels[i]);
  if (!pos.length || !neg.length) return null;
  let wins = 0;
  for (const p of pos) for (const q of neg) wins += p > q ? 1 : p === q ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

/** At threshold t (alarm at score ≥ t): true positives and alarms. */
function at(labels: readonly number[], scores: readonly number[], t: number) {
  let tp = 0;
  let alarms = 0;
  scores.forEach((s, i) => {
    if (s >= t) {
      alarms++;
      tp += labels[i]!;
    }
  });
  return { tp, alarms };
}

function refAveragePrecision(labels: readonly number[], scores: readonly number[]): number | null {
  const pos = labels.reduce((a, b) => a + b, 0);
  if (!pos) return null;
  const thresholds = [...new Set(scores)].sort((a, b) => b - a);
  let ap = 0;
  let prevRecall = 0;
  for (const t of thresholds) {
    const { tp, alarms } = at(labels, scores, t);
    ap += (tp / pos - prevRecall) * (tp / alarms);
    prevRecall = tp / pos;
  }
  return ap;
}

/** The best point Fβ over every distinct score as threshold. */
function refBestF(labels: readonly number[], scores: readonly number[], beta: number): number {
  const pos = labels.reduce((a, b) => a + b, 0);
  let best = 0;
  for (const t of new Set(scores)) {
    const { tp, alarms } = at(labels, scores, t);
    best = Math.max(best, refF(alarms ? tp / alarms : null, pos ? tp / pos : null, beta) ?? 0);
  }
  return best;
}

// ---- random cases ----

/** Labels as runs: stretches of 0s and 1s of random lengths, so windows have varied sizes. */
const labelsArb = fc.array(fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 4 })), { minLength: 1, maxLength: 25 }).map((parts) => {
  const out: number[] = [];
  parts.forEach(([len, kind], k) => {
    for (let i = 0; i < len; i++) out.push(kind === 0 && k % 2 === 1 ? 1 : 0);
  });
  return out;
});
const caseArb = labelsArb.chain((labels) =>
  fc.record({
    labels: fc.constant(labels),
    // Few distinct values, so ties are common; sometimes every score alike.
    scores: fc.oneof(
      fc.array(fc.integer({ min: 0, max: 6 }).map((v) => v / 4), { minLength: labels.length, maxLength: labels.length }),
      fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: labels.length, maxLength: labels.length }),
      fc.constant(labels.map(() => 0.25)),
    ),
    tolerance: fc.integer({ min: 0, max: 5 }),
    gap: fc.integer({ min: 0, max: 4 }),
    beta: fc.constantFrom(0.1, 0.5, 1, 2),
    alpha: fc.constantFrom(0, 0.25, 0.5, 1),
    bias: fc.constantFrom<PositionalBias>('flat', 'front', 'back', 'middle'),
    precisionBias: fc.constantFrom<PositionalBias>('flat', 'front', 'back', 'middle'),
    cardinality: fc.constantFrom<OverlapCardinality>('one', 'reciprocal'),
  }),
);
/** Labels made all 0 or all 1 now and then, the edge cases of every ratio. */
const edgeArb = caseArb.chain((c) => fc.constantFrom(c, { ...c, labels: c.labels.map(() => 0) }, { ...c, labels: c.labels.map(() => 1) }));

const close = (a: number | null, b: number | null) => {
  if (a === null || b === null) expect(a).toBe(b);
  else expect(a).toBeCloseTo(b, 12);
};

describe('eval against reference computations', () => {
  it('every metric at a given threshold: point, event (tolerance, gap), range (α, biases, cardinality), ROC-AUC, AP', () => {
    fc.assert(
      fc.property(edgeArb, fc.integer({ min: 0, max: 6 }), (c, k) => {
        const threshold = k / 4;
        const r = evaluate(c.labels, { scores: c.scores }, { threshold, beta: c.beta, tolerance: c.tolerance, gap: c.gap, range: { alpha: c.alpha, bias: c.bias, precisionBias: c.precisionBias, cardinality: c.cardinality } });
        const alarms = c.scores.map((s) => (s >= threshold ? 1 : 0));
        const p = refPoint(c.labels, alarms, c.beta);
        expect([r.point.tp, r.point.fp, r.point.fn, r.point.tn]).toEqual([p.tp, p.fp, p.fn, p.tn]);
        for (const key of ['precision', 'recall', 'f1', 'fbeta'] as const) close(r.point[key], p[key]);
        const windows = refRuns(c.labels);
        expect(r.windows).toBe(windows.length);
        const e = refEvent(windows, alarms, c.tolerance, c.gap);
        expect({ windows: r.event.windows, found: r.event.found, alarm_runs: r.event.alarm_runs, true_runs: r.event.true_runs }).toEqual({ windows: e.windows, found: e.found, alarm_runs: e.alarm_runs, true_runs: e.true_runs });
        close(r.event.recall, e.recall);
        close(r.event.precision, e.precision);
        // Range metrics compare label windows with the runs of alarms (gaps are not merged there).
        const predicted = refRuns(alarms);
        close(r.range.recall, refRangeSide(windows, predicted, c.alpha, c.bias, c.cardinality));
        close(r.range.precision, refRangeSide(predicted, windows, 0, c.precisionBias, c.cardinality));
        close(r.range.f1, refF(r.range.precision, r.range.recall, 1));
        close(r.roc_auc, refRocAuc(c.labels, c.scores));
        close(r.average_precision, refAveragePrecision(c.labels, c.scores));
        // Ratios stay ratios, whatever the rounding.
        for (const v of [r.point.precision, r.point.recall, r.point.fbeta, r.range.precision, r.range.recall, r.roc_auc, r.average_precision]) if (v !== null) expect(v >= 0 && v <= 1).toBe(true);
      }),
      params(300),
    );
  });

  it('the best threshold reaches the best point Fβ over every distinct score, the highest such score; without labels, no alarm', () => {
    fc.assert(
      fc.property(edgeArb, (c) => {
        const r = evaluate(c.labels, { scores: c.scores }, { beta: c.beta });
        expect(r.threshold_mode).toBe('best');
        const pos = c.labels.reduce((a, b) => a + b, 0);
        if (pos === 0) {
          // Nothing to find: a threshold above every score.
          expect(r.point.tp + r.point.fp).toBe(0);
          expect(c.scores.every((s) => s < r.threshold)).toBe(true);
          return;
        }
        const best = refBestF(c.labels, c.scores, c.beta);
        const alarms = c.scores.map((s) => (s >= r.threshold ? 1 : 0));
        expect(refPoint(c.labels, alarms, c.beta).fbeta).toBeCloseTo(best, 12);
        expect(r.point.fbeta).toBeCloseTo(best, 12);
        // Ties keep the highest threshold: no higher distinct score reaches the same Fβ.
        for (const t of new Set(c.scores)) {
          if (t <= r.threshold) continue;
          const { tp, alarms: a } = at(c.labels, c.scores, t);
          expect(refF(a ? tp / a : null, tp / pos, c.beta)! < best - 1e-12).toBe(true);
        }
      }),
      params(300),
    );
  });

  it('0/1 alarms: point, event and range metrics at 0.5, no ranking', () => {
    fc.assert(
      fc.property(edgeArb, (c) => {
        const alarms = c.scores.map((s) => (s >= 0.75 ? 1 : 0));
        const r = evaluate(c.labels, { alarms }, { tolerance: c.tolerance, gap: c.gap });
        expect(r.threshold_mode).toBe('alarms');
        const p = refPoint(c.labels, alarms, 1);
        expect([r.point.tp, r.point.fp, r.point.fn]).toEqual([p.tp, p.fp, p.fn]);
        const e = refEvent(refRuns(c.labels), alarms, c.tolerance, c.gap);
        expect([r.event.found, r.event.true_runs, r.event.alarm_runs]).toEqual([e.found, e.true_runs, e.alarm_runs]);
        expect([r.roc_auc, r.average_precision]).toEqual([null, null]);
      }),
      params(200),
    );
  });
});

describe('paranom eval (the command) against the same references', () => {
  it('random labels and predictions files, written out of order: every figure of --json as the references compute it on rows in time order', () => {
    const dir = tempDir();
    const t0 = Date.UTC(2024, 0, 1);
    const iso = (i: number) => new Date(t0 + i * 60_000).toISOString();
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (c, shuffleSeed) => {
        const n = c.labels.length;
        const labels = join(dir, 'labels.csv');
        const preds = join(dir, 'preds.csv');
        // Labels written last row first: the join orders both sides by time.
        writeFileSync(labels, 'timestamp,label\n' + c.labels.map((l, i) => `${iso(i)},${l}`).reverse().join('\n') + '\n');
        // Prediction rows in a scrambled order, scores written as text exactly (shortest round-trip form).
        const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => ((a * 2654435761 + shuffleSeed) >>> 0) % 1000003 - ((b * 2654435761 + shuffleSeed) >>> 0) % 1000003 || a - b);
        writeFileSync(preds, 'timestamp,score\n' + order.map((i) => `${iso(i)},${c.scores[i]}`).join('\n') + '\n');
        const args = ['eval', preds, '--labels', labels, '--json', '--threshold', '0.5', '--beta', String(c.beta), '--tolerance', String(c.tolerance), '--gap', String(c.gap), '--alpha', String(c.alpha), '--bias', c.bias, '--precision-bias', c.precisionBias, '--cardinality', c.cardinality];
        const run = spawnSync(process.execPath, ['dist/src/cli/main.js', ...args], { encoding: 'utf8' });
        expect(run.status, run.stderr).toBe(0);
        const r = JSON.parse(run.stdout);
        const alarms = c.scores.map((s) => (s >= 0.5 ? 1 : 0));
        // A 0/1 score column is taken as alarms only without a threshold; here one is given.
        const p = refPoint(c.labels, alarms, c.beta);
        expect([r.rows, r.point.tp, r.point.fp, r.point.fn]).toEqual([n, p.tp, p.fp, p.fn]);
        close(r.point.fbeta, p.fbeta);
        const windows = refRuns(c.labels);
        const e = refEvent(windows, alarms, c.tolerance, c.gap);
        expect([r.event.found, r.event.true_runs, r.event.alarm_runs]).toEqual([e.found, e.true_runs, e.alarm_runs]);
        close(r.range.recall, refRangeSide(windows, refRuns(alarms), c.alpha, c.bias, c.cardinality));
        close(r.range.precision, refRangeSide(refRuns(alarms), windows, 0, c.precisionBias, c.cardinality));
        close(r.roc_auc, refRocAuc(c.labels, c.scores));
        close(r.average_precision, refAveragePrecision(c.labels, c.scores));
        expect(r.predictions_reordered).toBe(order.some((v, i) => v !== i));
        expect(r.label_rows_unscored).toBe(0);
      }),
      params(12),
    );
  });
});
