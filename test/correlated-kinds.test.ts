/**
 * Kinds that break the structure of correlated variables: `decorrelate` (the correlation
 * over an event's rows is gone or reversed while each marginal stays the same: two-sample
 * Kolmogorov–Smirnov at α = 0.001) and `lag` (one channel delayed, continuously); their
 * effects in the segment table; `label: changed` and `min_effect`; D2 through the pool.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateShard } from '../src/generate/shard.js';
import { generate } from '../src/run/generate.js';
import type { ShardColumns } from '../src/generate/shard.js';
import type { Manifest } from '../src/dataset/manifest.js';
import { duck, scenarioFrom, tempDir } from './helpers.js';
import { fisherTolerance, ksCritical, ksStatistic, pearson } from './stats-helpers.js';
import { sharedContract } from './contract-helpers.js';

const N = 200_000;
const RHO = 0.9;
const ALPHA = 0.001;

function plant(kinds: unknown[], extra: Record<string, unknown> = {}) {
  return {
    name: 'corr-kinds',
    seed: 11,
    timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: N },
    anomalies: { frequency: 0.1, duration: [200, 400], clean_twin: true, kinds, ...extra },
    correlations: { plant: { variables: ['a', 'b', 'c'], correlation: [[1, RHO, RHO], [RHO, 1, RHO], [RHO, RHO, 1]] } },
    variables: {
      a: { type: 'correlated', marginal: { dist: 'normal', mean: 5, sd: 2 } },
      b: { type: 'correlated', marginal: { dist: 'lognormal', mu: 0, sigma: 0.5 } },
      c: { type: 'correlated', marginal: { dist: 'normal', mean: 0, sd: 1 } },
    },
  };
}

const col = (s: ShardColumns, name: string) => s.values.find((v) => v.name === name)!.data as Float64Array;

/** Values of a column on anomalous rows and on normal rows. */
function split(s: ShardColumns, name: string): { inside: number[]; outside: number[] } {
  const x = col(s, name);
  const inside: number[] = [];
  const outside: number[] = [];
  for (let i = 0; i < s.rows; i++) (s.isAnomaly[i] ? inside : outside).push(x[i]!);
  return { inside, outside };
}

describe('decorrelate', () => {
  // The kinds contract (test/kinds-contract.test.ts): same seed, another seed, prefix stability.
  sharedContract('decorrelate', () => scenarioFrom({ ...plant([{ kind: 'decorrelate', variables: ['a', 'b'] }, { kind: 'decorrelate', mode: 'flip', variables: ['c'] }]), timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: 200_000 } }), true);

  it('mode remove: event rows of the named variables are uncorrelated, their marginals unchanged', () => {
    const s = generateShard(scenarioFrom(plant([{ kind: 'decorrelate', variables: ['a', 'b'] }])), 0, N);
    const a = split(s, 'a');
    const b = split(s, 'b');
    const c = split(s, 'c');
    const n = a.inside.length;
    expect(n).toBeGreaterThan(10_000);
    const tol = fisherTolerance(n);
    // b's normal score is log(b) (lognormal with μ 0): Pearson on the scores is the group's ρ.
    const lb = { inside: b.inside.map(Math.log), outside: b.outside.map(Math.log) };
    expect(Math.abs(Math.atanh(pearson(a.inside, lb.inside)))).toBeLessThan(tol);
    expect(Math.abs(Math.atanh(pearson(a.inside, c.inside)))).toBeLessThan(tol);
    expect(Math.abs(Math.atanh(pearson(a.outside, lb.outside)) - Math.atanh(RHO))).toBeLessThan(fisherTolerance(a.outside.length));
    // Each marginal: the event rows against the normal rows, and against the same rows of the clean twin.
    for (const [name, v] of [['a', a], ['b', b], ['c', c]] as const) expect(ksStatistic(v.inside, v.outside), name).toBeLessThan(ksCritical(v.inside.length, v.outside.length, ALPHA));
    for (const name of ['a', 'b']) {
      const v = split(s, name).inside;
      const clean = split(s, `${name}_clean`).inside;
      expect(ksStatistic(v, clean), name).toBeLessThan(ksCritical(v.length, clean.length, ALPHA));
      // Measurably changed: redrawn on every event row, where the clean twin keeps the group's draw.
      expect(v.filter((x, i) => x !== clean[i]).length, name).toBe(n);
    }
  });

  it('mode flip: the named variable moves against the rest of its group', () => {
    const s = generateShard(scenarioFrom(plant([{ kind: 'decorrelate', mode: 'flip', variables: ['c'] }])), 0, N);
    const a = split(s, 'a');
    const c = split(s, 'c');
    expect(Math.abs(Math.atanh(pearson(a.inside, c.inside)) - Math.atanh(-RHO))).toBeLessThan(fisherTolerance(a.inside.length));
    expect(ksStatistic(c.inside, c.outside)).toBeLessThan(ksCritical(c.inside.length, c.outside.length, ALPHA));
    // Flipping N(0, 1) scores: c's event rows are exactly the clean rows negated.
    const clean = split(s, 'c_clean').inside;
    expect(c.inside.every((x, i) => x === -clean[i]!)).toBe(true);
  });

  it('refuses variables outside a group, and flip over a whole group', () => {
    const out = { ...plant([{ kind: 'decorrelate', variables: ['x'] }]), variables: { ...plant([]).variables, x: { normal: { dist: 'normal', mean: 0, sd: 1 } } } };
    expect(() => scenarioFrom(out)).toThrow(/'x' is in no correlation group/);
    expect(() => scenarioFrom(plant([{ kind: 'decorrelate', mode: 'flip', variables: ['a', 'b', 'c'] }]))).toThrow(/names all of group 'plant'/);
  });
});

describe('lag', () => {
  const SINE = { type: 'process', components: [{ type: 'sine', period: 500, amplitude: 3 }, { type: 'noise', sd: 0.05 }] };
  const doc = (kind: Record<string, unknown>) => ({
    ...plant([{ kind: 'lag', ...kind }], { frequency: 0.02 }),
    correlations: { plant: { variables: ['a', 'b'], correlation: [[1, RHO], [RHO, 1]] } },
    variables: { a: SINE, b: SINE },
  });

  it('delays the channel by lag rows inside the event, ramping in and out, and leaves the others alone', () => {
    const L = 25;
    const s = generateShard(scenarioFrom(doc({ lag: L, channel: 'b', duration: [300, 300] })), 0, N);
    const b = col(s, 'b');
    const bc = col(s, 'b_clean');
    expect(col(s, 'a')).toEqual(col(s, 'a_clean'));
    const events = s.events.filter((e) => e.end <= N);
    expect(events.length).toBeGreaterThan(5);
    let maxCleanStep = 0;
    for (let i = 1; i < N; i++) maxCleanStep = Math.max(maxCleanStep, Math.abs(bc[i]! - bc[i - 1]!));
    for (const e of events) {
      // The full delay in the middle of the event: row r takes the clean value of row r − L.
      for (let r = e.start + L; r < e.end - L; r++) expect(Math.abs(b[r]! - bc[r - L]!)).toBeLessThan(1e-12);
      // Continuous: no step larger than twice the clean series' largest (the delay grows slower than time).
      for (let r = e.start; r <= e.end; r++) expect(Math.abs(b[r]! - b[r - 1]!)).toBeLessThanOrEqual(2 * maxCleanStep);
      // Outside the event the channel is its clean self.
      expect(b[e.start - 1]).toBe(bc[e.start - 1]);
      expect(b[e.end]).toBe(bc[e.end]);
    }
  });

  it('draws the channel per event when it is not named, and refuses a channel outside its variables', () => {
    const s = generateShard(scenarioFrom(doc({ lag: [5, 20] })), 0, N);
    const moved = new Set<string>();
    for (const e of s.events.filter((x) => x.end <= N)) {
      for (const name of ['a', 'b']) if (col(s, name).subarray(e.start, e.end).some((x, i) => x !== col(s, `${name}_clean`)[e.start + i])) moved.add(name);
    }
    expect([...moved].sort()).toEqual(['a', 'b']);
    expect(() => scenarioFrom(doc({ lag: 5, channel: 'q' }))).toThrow(/'q' is not among the kind's variables/);
  });
});

describe('through the pool', () => {
  const scenario = scenarioFrom(
    plant(
      [
        { kind: 'decorrelate', weight: 2, variables: ['a', 'b'] },
        { kind: 'decorrelate', mode: 'flip', variables: ['c'] },
        { kind: 'lag', lag: [5, 30], variables: ['a', 'c'] },
      ],
      { frequency: 0.05, label: 'changed', min_effect: 0.3, clean_twin: false },
    ),
  );

  it('writes the same shards for 1 and 4 workers, and records each event’s effect', async () => {
    const base = tempDir();
    const hashes = (m: Manifest) => m.shards.map((s) => `${s.file}:${s.sha256}`);
    const [one, four] = await Promise.all([1, 4].map((w) => generate(scenario, { out: join(base, `w${w}`), workers: w, shardRows: 65_536 })));
    expect(hashes(four!.manifest)).toEqual(hashes(one!.manifest));
    const seg = await duck(`SELECT kind, count(*) AS n, min(effect_rms) AS lo, sum(changed_rows) AS changed FROM read_parquet('${join(base, 'w1')}/anomalies.parquet') GROUP BY kind ORDER BY kind`);
    expect(seg.map((r) => r['kind'])).toEqual(['decorrelate', 'lag']);
    // min_effect: every kept event reaches 0.3 robust sd of change.
    for (const r of seg) expect(Number(r['lo'])).toBeGreaterThanOrEqual(0.3);
    // label: changed — the labelled rows are exactly the rows the events changed.
    const [{ labelled }] = (await duck(`SELECT count(*) AS labelled FROM read_parquet('${join(base, 'w1')}/data/*.parquet') WHERE is_anomaly`)) as [{ labelled: unknown }];
    expect(Number(labelled)).toBe(seg.reduce((a, r) => a + Number(r['changed']), 0));
  });
});
