/**
 * `paranom eval`'s scoring kept every value while it moved to typed arrays, one radix
 * ranking and single passes: the current code against the code as it was before
 * (test/fixtures/eval-previous, the comparator sorts and per-row weight arrays), bit for
 * bit, on random cases (fast-check) and on a larger generated series. A random seed is
 * printed; EVAL_SEED replays it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate, type EvalOptions } from '../src/eval/evaluate.js';
import { eventScores } from '../src/eval/event.js';
import { NAB_PROFILES, nabScore, nabSweep } from '../src/eval/nab.js';
import { rangeScores } from '../src/eval/range.js';
import { averagePrecision, rocAuc } from '../src/eval/ranking.js';
import { runsOf, type RowWindow } from '../src/eval/windows.js';
import { evaluate as evaluateBefore } from './fixtures/eval-previous/evaluate.js';
import { eventScores as eventScoresBefore } from './fixtures/eval-previous/event.js';
import { nabScore as nabScoreBefore, nabSweep as nabSweepBefore } from './fixtures/eval-previous/nab.js';
import { rangeScores as rangeScoresBefore } from './fixtures/eval-previous/range.js';
import { averagePrecision as averagePrecisionBefore, rocAuc as rocAucBefore } from './fixtures/eval-previous/ranking.js';

const SEED = Number(process.env['EVAL_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
console.log(`eval scale seed ${SEED} (replay: EVAL_SEED=${SEED} npx vitest run test/eval-scale.test.ts)`);
const params = (numRuns: number) => ({ seed: SEED, numRuns: numRuns * Number(process.env['EVAL_RUNS'] ?? 1), endOnFailure: true });

/** Equal bit for bit: every number the same double (−0 apart from 0 included), every null where it was. */
function same(actual: unknown, expected: unknown): void {
  expect(actual).toStrictEqual(expected);
  const bits = (x: unknown) => JSON.stringify(x, (_, v) => (typeof v === 'number' ? (Object.is(v, -0) ? '-0' : v.toString()) : v));
  expect(bits(actual)).toBe(bits(expected));
}

const labelsArb = fc.array(fc.tuple(fc.integer({ min: 1, max: 40 }), fc.boolean()), { minLength: 1, maxLength: 30 }).map((parts) => parts.flatMap(([len, on]) => Array.from({ length: len }, () => (on ? 1 : 0))));
/** Scores with many ties, any doubles, float32 values, signed zeros and infinities, or all alike. */
const scoresArb = (n: number) =>
  fc.oneof(
    fc.array(fc.integer({ min: 0, max: 6 }).map((v) => v / 4), { minLength: n, maxLength: n }),
    fc.array(fc.double({ noNaN: true }), { minLength: n, maxLength: n }),
    fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: n, maxLength: n }),
    fc.array(fc.constantFrom(0, -0, 1, -1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-300, -5e-324), { minLength: n, maxLength: n }),
    fc.constant(Array.from({ length: n }, () => 0.25)),
  );
/** Windows other than the label runs (as a segment table gives them): sorted, disjoint, inside the rows. */
const windowsArb = (n: number) =>
  fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { maxLength: 12 }).map((cuts) => {
    const c = [...cuts].sort((a, b) => a - b);
    const out: RowWindow[] = [];
    for (let k = 0; k + 1 < c.length; k += 2) out.push({ start: c[k]!, end: c[k + 1]! });
    return out;
  });
const optionsArb: fc.Arbitrary<EvalOptions> = fc.record({
  threshold: fc.oneof(fc.constant<'best'>('best'), fc.constantFrom(-1, 0, 0.25, 0.5, 1)),
  beta: fc.constantFrom(0.1, 0.5, 1, 2),
  tolerance: fc.integer({ min: 0, max: 6 }),
  gap: fc.integer({ min: 0, max: 4 }),
  range: fc.record({
    alpha: fc.constantFrom(0, 0.3, 1),
    bias: fc.constantFrom('flat' as const, 'front' as const, 'back' as const, 'middle' as const),
    precisionBias: fc.constantFrom('flat' as const, 'front' as const, 'back' as const, 'middle' as const),
    cardinality: fc.constantFrom('one' as const, 'reciprocal' as const),
  }),
  nab: fc.record({ probationPercent: fc.constantFrom(0, 0.15, 0.5, 0.123), threshold: fc.constantFrom('sweep' as const, 'same' as const) }, { requiredKeys: ['probationPercent'] }),
});
const caseArb = labelsArb.chain((labels) => fc.record({ labels: fc.constant(labels), scores: scoresArb(labels.length), windows: fc.option(windowsArb(labels.length)), options: optionsArb }));

describe('eval scoring as before, bit for bit', () => {
  it('evaluate: scores, 0/1 alarms and explicit windows, every option', () => {
    fc.assert(
      fc.property(caseArb, fc.boolean(), (c, asAlarms) => {
        const labels = c.windows ? { isAnomaly: c.labels, windows: c.windows } : c.labels;
        const preds = asAlarms ? { alarms: c.scores.map((s) => (s >= 0.5 ? 1 : 0)) } : { scores: c.scores };
        same(evaluate(labels, preds, c.options), evaluateBefore(labels, preds, c.options));
      }),
      params(400),
    );
  });

  it('the library functions: NAB score and sweep (a corpus of series), range and event scores, ROC-AUC, AP', () => {
    fc.assert(
      fc.property(fc.array(caseArb, { minLength: 1, maxLength: 4 }), (cases) => {
        const corpus = cases.map((c) => ({ scores: c.scores, windows: c.windows ?? runsOf(c.labels), probationPercent: c.options.nab!.probationPercent! }));
        for (const cost of Object.values(NAB_PROFILES)) {
          same(nabSweep(corpus, cost), nabSweepBefore(corpus, cost));
          for (const s of corpus) same(nabScore(s, 0.5, cost), nabScoreBefore(s, 0.5, cost));
        }
        for (const c of cases) {
          const real = c.windows ?? runsOf(c.labels);
          const alarms = c.scores.map((s) => (s >= 0.25 ? 1 : 0));
          same(rangeScores(real, runsOf(alarms), c.options.range), rangeScoresBefore(real, runsOf(alarms), c.options.range));
          same(eventScores(real, alarms, c.options.tolerance!, c.options.gap!), eventScoresBefore(real, alarms, c.options.tolerance!, c.options.gap!));
          same([rocAuc(c.labels, c.scores), averagePrecision(c.labels, c.scores)], [rocAucBefore(c.labels, c.scores), averagePrecisionBefore(c.labels, c.scores)]);
        }
      }),
      params(150),
    );
  });

  it('a series of 300,000 rows: a detector with rounded and continuous scores, events of 20–200 rows, every metric as before', () => {
    // A small counter-based generator: the case is the same on every run.
    let state = 0x9e3779b9;
    const next = () => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    };
    const n = 300_000;
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; ) {
      if (next() < 0.002) {
        const len = 20 + Math.floor(next() * 180);
        labels.fill(1, i, Math.min(n, i + len));
        i += len + 1;
      } else i++;
    }
    const continuous = Float64Array.from(labels, (l) => (l ? 0.6 : 0.4) + 0.25 * (next() - 0.5));
    const rounded = Float64Array.from(continuous, (v) => Math.fround(Math.round(v * 200) / 200));
    for (const scores of [continuous, rounded]) {
      const options: EvalOptions = { tolerance: 3, gap: 2, range: { bias: 'front', cardinality: 'reciprocal' } };
      same(evaluate(labels, { scores }, options), evaluateBefore(labels, { scores }, options));
    }
  });
});
