/**
 * The kinds contract (test/kinds-contract.test.ts) applied to the shape kinds: same seed,
 * prefix stability, one worker ≡ four workers, values in the series' own range, the shape
 * each kind declares (checked against the clean twin, from the formulas in the README), and
 * with `min_effect` no event below it.
 */
import { describe, expect, it } from 'vitest';
import { generateShard, type ShardColumns } from '../src/generate/shard.js';
import { segmentsOf } from '../src/generate/event-outcome.js';
import { eventsStartingIn } from '../src/anomaly/events.js';
import { SHAPE_KINDS } from '../src/anomaly/kinds/shapes.js';
import { describeEvents } from '../src/anomaly/kinds/describe.js';
import { seedKey } from '../src/random/counter.js';
import type { AnomalyKindName, Scenario } from '../src/model/types.js';
import { prepareScenario } from '../src/variables/registry.js';
import { column, digest, num, poolRuns, ROWS, scenarioOf, sharedContract, type PoolRun } from './contract-helpers.js';

/** Two processes that move together (one sine, period 500) and a Poisson count. */
const VARIABLES = {
  p: { type: 'process', components: [{ type: 'sine', period: 500, amplitude: 3 }, { type: 'noise', sd: 0.1 }] },
  q: { type: 'process', components: [{ type: 'constant', value: 10 }, { type: 'sine', period: 500, amplitude: 2 }, { type: 'noise', sd: 0.1 }] },
  k: { normal: { dist: 'poisson', lambda: 50 } },
};

const CASES: Record<string, Record<string, unknown>> = {
  time_warp: { kind: 'time_warp', factor: [2.5, 4] },
  pattern_shift: { kind: 'pattern_shift', shift: [10, 40] },
  reversal: { kind: 'reversal' },
  smoothing: { kind: 'smoothing', window: [20, 60] },
  clipping: { kind: 'clipping', level: [0.2, 0.6] },
  replay: { kind: 'replay', lag: 250 },
  // Long enough that reversing q moves it well away from p (a short stretch of a slow sine barely changes).
  correlation_break: { kind: 'correlation_break', variables: ['p', 'q'], duration: [150, 250] },
  // The delay ramps over `lag` rows at each end, so an event twice as long reaches it: a
  // third of a period behind moves q well away from its clean self.
  lag: { kind: 'lag', lag: [150, 200], channel: 'q', variables: ['p', 'q'], duration: [300, 350] },
};
/** Long events need a higher frequency for as many events. */
const FREQUENCY: Record<string, number> = { lag: 0.09 };

const build = (kind: string, extra: Record<string, unknown> = {}) => scenarioOf({ anomalies: { frequency: FREQUENCY[kind] ?? 0.05, duration: [20, 60], kinds: [CASES[kind]], clean_twin: true, ...extra }, variables: VARIABLES });

/** What row k of an event becomes, from the clean values `c` (the README's table). */
function expected(kind: AnomalyKindName, p: Record<string, number | string>, s: number, d: number, name: string, targets: string[], c: (row: number) => number): (k: number) => number {
  switch (kind) {
    case 'time_warp':
      return (k) => {
        if (d < 3) return c(s + k);
        const tau = (d - 1) * (k / (d - 1)) ** (p['factor'] as number);
        const i = Math.min(d - 2, Math.floor(tau));
        return c(s + i) + (tau - i) * (c(s + i + 1) - c(s + i));
      };
    case 'pattern_shift': {
      const shift = Math.round(p['shift'] as number) * (p['direction'] === 'early' ? 1 : -1);
      const ramp = Math.min(Math.abs(shift), Math.floor(d / 4));
      return (k) => c(s + k) + Math.min(1, (k + 1) / (ramp + 1), (d - k) / (ramp + 1)) * (c(s + k + shift) - c(s + k));
    }
    case 'reversal':
      return (k) => c(s + d - 1 - k);
    case 'smoothing': {
      const h = Math.floor(Math.round(p['window'] as number) / 2);
      return (k) => {
        let sum = 0;
        for (let j = -h; j <= h; j++) sum += c(s + k + j);
        return sum / (2 * h + 1);
      };
    }
    case 'clipping': {
      const vals = Array.from({ length: d }, (_, k) => c(s + k));
      const lo = Math.min(...vals);
      const level = lo + (p['level'] as number) * (Math.max(...vals) - lo);
      return (k) => Math.min(level, c(s + k));
    }
    case 'replay': {
      const lag = Math.round(p['lag'] as number);
      const src = s >= lag ? s - lag : s + lag;
      return (k) => c(src + k);
    }
    case 'correlation_break':
      return (k) => (name === targets[0] ? c(s + k) : c(s + d - 1 - k));
    case 'lag': {
      const lag = p['lag'] as number;
      return (k) => {
        if (name !== p['channel']) return c(s + k);
        const t = s + k - lag * Math.min(1, (k + 1) / (lag + 1), (d - k) / (lag + 1));
        const i = Math.floor(t);
        return c(i) + (t - i) * (c(i + 1) - c(i));
      };
    }
    default:
      throw new Error(kind);
  }
}

/** Differences from the declared shape (first five), for events whose neighbourhood lies in the shard. */
function checkShape(kind: AnomalyKindName, c: ShardColumns, s: Scenario): string[] {
  const describeEvent = describeEvents(s);
  const bad: string[] = [];
  const targets = kind === 'correlation_break' || kind === 'lag' ? ['p', 'q'] : ['p', 'q', 'k'];
  let checked = 0;
  for (const name of targets) {
    const x = column(c, name);
    const clean = column(c, `${name}_clean`);
    const inEvent = new Uint8Array(c.rows);
    for (const e of c.events) inEvent.fill(1, e.start, e.end);
    for (let i = 0; i < c.rows; i++) if (!inEvent[i] && num(x, i) !== num(clean, i) && bad.length < 5) bad.push(`${name} row ${i}: changed outside events`);
    for (const e of c.events) {
      const p = JSON.parse(describeEvent(e).params!) as Record<string, number | string>;
      const reach = 300;
      if (e.start < reach || e.start + e.duration + reach > c.rows) continue;
      const want = expected(kind, p, e.start, e.duration, name, targets, (row) => num(clean, row));
      for (let k = 0; k < e.duration; k++) {
        const tol = name === 'k' ? 0.5 + 1e-9 : 1e-9;
        const diff = num(x, e.start + k) - want(k);
        if (!(Math.abs(diff) <= tol) && bad.length < 5) bad.push(`${name} row ${e.start + k} (offset ${k} of event ${e.id}): ${num(x, e.start + k)}, expected ${want(k)}`);
      }
      checked++;
    }
  }
  if (checked < 20) bad.push(`only ${checked} events checked`);
  return bad;
}

describe('contract: shape kinds', () => {
  it('covers every shape kind', () => {
    expect(Object.keys(CASES).sort()).toEqual([...SHAPE_KINDS].sort());
  });

  const all = () => scenarioOf({ anomalies: { frequency: 0.05, duration: [20, 60], kinds: Object.values(CASES), clean_twin: true, min_effect: 0.5 }, variables: VARIABLES });
  let runs: Promise<[PoolRun, PoolRun]> | undefined;
  const pooled = () => (runs ??= poolRuns(all()));

  it('one worker and four workers write identical shards and segment tables (every shape kind, min_effect)', async () => {
    const [one, four] = await pooled();
    expect(one.hashes).toHaveLength(4);
    expect(four.hashes).toEqual(one.hashes);
  });

  for (const kind of SHAPE_KINDS) {
    sharedContract(kind, () => build(kind), true);

    it(`${kind}: its event windows are the same with one worker and with four`, async () => {
      const [one, four] = await pooled();
      const cols = ['d.p', 'd.q', 'd.k', 'd.p_clean', 'd.q_clean', 'a.params', 'a.effect_rms'];
      const mine = await digest(one.dir, cols, `a.kind = '${kind}'`);
      expect(Number(mine.split(':')[0])).toBeGreaterThan(200);
      expect(await digest(four.dir, cols, `a.kind = '${kind}'`)).toBe(mine);
    });

    it(`${kind}: changes only its event windows, with the shape it declares, within the series' range`, async () => {
      const s = build(kind);
      await prepareScenario(s);
      const c = generateShard(s, 0, ROWS);
      expect(c.events.length).toBeGreaterThan(25);
      expect(new Set(c.events.map((e) => e.kind))).toEqual(new Set([kind]));
      expect(checkShape(kind, c, s)).toEqual([]);
      // Domain: a shape only rearranges, averages or clips the series' own values.
      for (const name of ['p', 'q']) {
        const x = column(c, name);
        const clean = column(c, `${name}_clean`);
        let lo = Infinity;
        let hi = -Infinity;
        for (let i = 0; i < c.rows; i++) [lo, hi] = [Math.min(lo, num(clean, i)), Math.max(hi, num(clean, i))];
        let out = 0;
        for (let i = 0; i < c.rows; i++) if (!(num(x, i) >= lo && num(x, i) <= hi)) out++;
        expect(out, name).toBe(0);
      }
    });

    it(`${kind}: with min_effect 0.5 every kept event has effect_rms ≥ 0.5`, async () => {
      const s = build(kind, { min_effect: 0.5 });
      await prepareScenario(s);
      const placed = eventsStartingIn(s.anomalies, seedKey(s.seed), ROWS, 0, ROWS);
      const { segments, dropped } = segmentsOf(s, placed);
      expect(segments.length).toBeGreaterThan(0.8 * placed.length);
      expect(segments.length + dropped).toBe(placed.length);
      for (const seg of segments) expect(seg.effect.rms, `event ${seg.event.id}`).toBeGreaterThanOrEqual(0.5);
    });
  }

  it('correlation_break needs two variables', () => {
    expect(() => scenarioOf({ anomalies: { frequency: 0.05, duration: 20, kinds: [{ kind: 'correlation_break', variables: ['p'] }] }, variables: VARIABLES })).toThrow(/anomalies\.kinds\[0\]\.variables: correlation_break needs at least two variables/);
    expect(() => scenarioOf({ anomalies: { frequency: 0.05, duration: 20, kinds: [{ kind: 'replay' }] }, variables: VARIABLES })).toThrow(/anomalies\.kinds\[0\]\.lag: required/);
  });

  it('a duration in rows is at least one step: a replay cannot move by half a row', () => {
    const kinds = (k: Record<string, unknown>) => scenarioOf({ anomalies: { frequency: 0.05, duration: 20, kinds: [k] }, variables: VARIABLES });
    expect(() => kinds({ kind: 'replay', lag: '0.5s' })).toThrow(/anomalies\.kinds\[0\]\.lag: 0\.5s is shorter than one step of the timeline \(1s\)/);
    expect(() => kinds({ kind: 'noise', magnitude: 1, wave: 'sine', wave_period: '999ms' })).toThrow(/anomalies\.kinds\[0\]\.wave_period: 999ms is shorter than one step/);
    const kept = kinds({ kind: 'replay', lag: '1s' }).anomalies;
    expect('kinds' in kept && kept.kinds?.[0]?.params['lag']).toEqual([1, 1]);
  });
});
