/**
 * Anomaly events: realised fraction against theory, duration ranges, separation, local
 * derivation (a window derives the same events as the whole timeline), count mode.
 */
import { describe, expect, it } from 'vitest';
import { eventsStartingIn, type AnomalyEvent } from '../src/anomaly/events.js';
import { maxFeasibleFrequency } from '../src/anomaly/rate.js';
import { seedKey } from '../src/random/counter.js';
import { EVENT_GAP } from '../src/format.js';
import type { AnomalyPlan } from '../src/model/types.js';

const N = 1_000_000;
const plan: AnomalyPlan = { mode: 'frequency', frequency: 0.01, duration: [20, 200] };

function anomalousRows(events: AnomalyEvent[]): number {
  return events.reduce((a, e) => a + (e.end - e.start), 0);
}

/**
 * Standard deviation of the anomalous fraction for N rows: anomalous rows are a compound
 * sum over events (rate f/m per row, durations uniform on [a, b]), Var ≈ N·(f/m)·E[d²].
 * Thinning makes events more regular than Poisson, so this over-states the spread.
 */
function fractionSd(f: number, [a, b]: [number, number], rows: number): number {
  const m = (a + b) / 2;
  const ed2 = m * m + ((b - a + 1) ** 2 - 1) / 12;
  return Math.sqrt(rows * (f / m) * ed2) / rows;
}

function checkLayout(events: AnomalyEvent[], [min, max]: [number, number], rows: number): void {
  let prevEnd = -Infinity;
  for (const e of events) {
    expect(e.id).toBe(e.start);
    expect(e.start).toBeGreaterThanOrEqual(prevEnd + EVENT_GAP);
    expect(e.duration).toBeGreaterThanOrEqual(min);
    expect(e.duration).toBeLessThanOrEqual(max);
    if (e.truncated) expect(e.end).toBe(rows);
    else expect(e.end - e.start).toBe(e.duration);
    prevEnd = e.end;
  }
}

describe('frequency placement', () => {
  it('realises 1% anomalous rows on a 1M-row timeline within 4 standard deviations, and events keep their durations', () => {
    const sd = fractionSd(0.01, [20, 200], N); // ≈ 0.00116
    const events = eventsStartingIn(plan, seedKey(42), N, 0, N);
    const f = anomalousRows(events) / N;
    expect(Math.abs(f - 0.01)).toBeLessThan(4 * sd);
    checkLayout(events, [20, 200], N);
  });

  it('is unbiased: the mean fraction over 30 seeds is within 4 standard errors of the target', () => {
    for (const [f, d] of [
      [0.01, [20, 200]],
      [0.2, [1, 5]],
    ] as const) {
      const p: AnomalyPlan = { mode: 'frequency', frequency: f, duration: [d[0], d[1]] };
      let total = 0;
      const seeds = 30;
      for (let seed = 0; seed < seeds; seed++) total += anomalousRows(eventsStartingIn(p, seedKey(seed), N, 0, N));
      const se = fractionSd(f, [d[0], d[1]], N) / Math.sqrt(seeds);
      expect(Math.abs(total / (N * seeds) - f), `${f}`).toBeLessThan(4 * se);
    }
  });

  it('derives the same events from any window as from the whole timeline', () => {
    const all = eventsStartingIn(plan, seedKey(7), N, 0, N);
    for (const [a, b] of [[0, 1], [65_535, 65_537], [123_456, 400_000], [999_000, N]] as const) {
      expect(eventsStartingIn(plan, seedKey(7), N, a, b)).toEqual(all.filter((e) => e.start >= a && e.start < b));
    }
  });

  it('derives the same events, kinds included, from short windows anywhere in an epoch (a fleet entity asks for a few rows of one)', () => {
    const withKinds: AnomalyPlan = {
      mode: 'frequency',
      frequency: 0.02,
      duration: [10, 60],
      kinds: [
        { kind: 'spike', weight: 2, duration: [10, 30], params: { magnitude: [5, 10] }, variables: ['x'] },
        { kind: 'level_shift', weight: 1, duration: [20, 60], params: { shift: [1, 2] }, variables: ['x'] },
      ],
    };
    for (const seed of [1, 2, 3]) {
      const all = eventsStartingIn(withKinds, seedKey(seed), 200_000, 0, 200_000);
      expect(all.length).toBeGreaterThan(50);
      expect(new Set(all.map((e) => e.kind)).size).toBe(2);
      // Fixed windows (epoch edges among them) and windows just before some events.
      const starts = [0, 999, 60_000, 65_500, 65_536, 131_000, 199_000, ...all.filter((_, i) => i % 10 === 0).map((e) => Math.max(0, e.start - 500))];
      let seen = 0;
      for (const a of starts) {
        const b = Math.min(200_000, a + 1000);
        const inWindow = all.filter((e) => e.start >= a && e.start < b);
        seen += inWindow.length;
        expect(eventsStartingIn(withKinds, seedKey(seed), 200_000, a, b)).toEqual(inWindow);
      }
      expect(seen).toBeGreaterThan(5);
    }
  });

  it('keeps every earlier event when the timeline grows (D3)', () => {
    const small = eventsStartingIn(plan, seedKey(3), 300_001, 0, 300_001);
    const big = eventsStartingIn(plan, seedKey(3), 900_003, 0, 900_003).filter((e) => e.start < 300_001);
    expect(big.map((e) => e.start)).toEqual(small.map((e) => e.start));
  });

  it('refuses frequencies the placement cannot realise', () => {
    expect(maxFeasibleFrequency(20, 200)).toBeGreaterThan(0.36);
    expect(maxFeasibleFrequency(1, 1)).toBeCloseTo(0.25, 10);
  });
});

describe('count placement', () => {
  it('places exactly the requested number of separated events, each within its duration range', () => {
    const p: AnomalyPlan = { mode: 'count', count: 6, duration: [20, 200] };
    for (const seed of [1, 2, 3]) {
      const events = eventsStartingIn(p, seedKey(seed), 10_000, 0, 10_000);
      expect(events).toHaveLength(6);
      checkLayout(events, [20, 200], 10_000);
      expect(events.every((e) => !e.truncated && e.end <= 10_000)).toBe(true);
    }
  });

  it('fits events into a tight timeline by shortening durations within the range', () => {
    const p: AnomalyPlan = { mode: 'count', count: 10, duration: [5, 50] };
    const events = eventsStartingIn(p, seedKey(9), 60, 0, 60);
    expect(events).toHaveLength(10);
    checkLayout(events, [5, 50], 60);
  });
});
