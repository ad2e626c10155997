/**
 * One contract, applied to every variable kind and every anomaly kind (as fast-check
 * applies one suite to every arbitrary):
 *
 *   - the same seed gives the same values (and another seed other values, for random kinds);
 *   - values stay in the kind's declared domain;
 *   - one worker and four workers write byte-identical shards, through the real `generate`
 *     (one scenario per family holds every kind, and each kind's rows are compared);
 *   - rows 0..N-1 of an N-row dataset equal those of a 3N-row one (prefix stability) — or,
 *     where a kind cannot keep it, a documented refusal that validation or generation gives.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanRowsOf, generateShard, type ShardColumns } from '../src/generate/shard.js';
import { prepareScenario, VARIABLE_KINDS } from '../src/variables/registry.js';
import { KIND_NAMES } from '../src/anomaly/kinds/catalog.js';
import { SHAPE_KINDS } from '../src/anomaly/kinds/shapes.js';
import { describeEvents } from '../src/anomaly/kinds/describe.js';
import type { AnomalyKindName, Scenario } from '../src/model/types.js';
import { tempDir } from './helpers.js';
import { column, digest, num, poolRuns, root, ROWS, scenarioOf, sharedContract, withRows, type PoolRun } from './contract-helpers.js';
import { writeSyntheticModel } from '../src/vae/synthetic.js';

// ---------------------------------------------------------------------------------------
// Variable kinds

interface VariableCase {
  variables: Record<string, unknown>;
  /** Correlation groups the variables need (`correlations`). */
  correlations?: Record<string, unknown>;
  random: boolean;
  /** Checks the declared domain on a generated shard of rows [0, ROWS). */
  domain(c: ShardColumns, s: Scenario): void;
}

const NAB = join(root, 'scenarios/nab/ec2_cpu_utilization_c6585a.csv');
const VAE_MODEL = join(tempDir('paranom-contract-vae-'), 'model');
writeSyntheticModel(VAE_MODEL, { window: 16, latent: 4, hidden: [8], seed: 3 });

const VARIABLE_CASES: Record<string, VariableCase> = {
  stochastic: {
    variables: { x: { normal: { dist: 'uniform', min: -1, max: 1 }, anomalous: { dist: 'uniform', min: 5, max: 6 } } },
    random: true,
    domain(c) {
      const x = column(c, 'x');
      let bad = 0;
      for (let i = 0; i < c.rows; i++) {
        const v = num(x, i);
        if (c.isAnomaly[i] ? !(v >= 5 && v < 6) : !(v >= -1 && v < 1)) bad++;
      }
      expect(bad).toBe(0);
    },
  },
  callback: {
    variables: {
      x: { normal: { dist: 'normal', mean: 0, sd: 1 } },
      c: { type: 'callback', module: 'basic.js', normal: 'derived' },
      k: { type: 'callback', module: 'basic.js', normal: 'count', dtype: 'int32' },
    },
    random: true,
    domain(c) {
      const x = column(c, 'x');
      const d = column(c, 'c');
      const k = column(c, 'k');
      let bad = 0;
      for (let i = 0; i < c.rows; i++) {
        if (num(d, i) !== 2 * num(x, i)) bad++;
        if (!(num(k, i) >= -5 && num(k, i) <= 5 && Number.isInteger(num(k, i)))) bad++;
      }
      expect(bad).toBe(0);
    },
  },
  process: {
    variables: {
      p: {
        type: 'process',
        components: [
          { type: 'constant', value: 10 },
          { type: 'square', period: 1000, amplitude: 2 },
          { type: 'ar', coefficients: [0.8], sd: 0.5 },
          { type: 'random_walk', sd: 0.01 },
          { type: 'noise', dist: 'student_t', df: 5, scale: 0.1 },
        ],
      },
    },
    random: true,
    domain(c) {
      const p = column(c, 'p');
      // AR(0.8) with sd 0.5 has sd 0.83; a walk of 2e5 steps of 0.01 stays within ±5 (6 sd).
      let worst = 0;
      for (let i = 0; i < c.rows; i++) worst = Math.max(worst, Math.abs(num(p, i) - 10));
      expect(worst).toBeLessThan(2 + 8 * 0.84 + 5 + 10);
    },
  },
  source: {
    variables: { cpu: { type: 'source', file: NAB, column: 'value' } },
    random: false,
    domain(c, s) {
      const v = s.variables[0]!;
      const cpu = column(c, 'cpu');
      const n = v.type === 'source' ? v.fileRows : 0;
      expect(n).toBe(4032);
      // Cycled: row i is file row i mod n.
      let bad = 0;
      for (let i = n; i < c.rows; i++) if (num(cpu, i) !== num(cpu, i % n)) bad++;
      expect(bad).toBe(0);
    },
  },
  vae: {
    // A seeded synthetic model (the decoder's cost and determinism do not depend on training).
    variables: { v: { type: 'vae', model: VAE_MODEL, channel: 'value' } },
    random: true,
    domain(c) {
      const v = column(c, 'v');
      let bad = 0;
      for (let i = 0; i < c.rows; i++) if (!Number.isFinite(num(v, i))) bad++;
      expect(bad).toBe(0);
    },
  },
  correlated: {
    variables: {
      cu: { type: 'correlated', marginal: { dist: 'uniform', min: 2, max: 3 } },
      cn: { type: 'correlated', dtype: 'float32', marginal: { dist: 'normal', mean: 0, sd: 1 } },
    },
    correlations: { contract: { variables: ['cu', 'cn'], correlation: [[1, -0.7], [-0.7, 1]] } },
    random: true,
    domain(c) {
      const u = column(c, 'cu');
      const n = column(c, 'cn');
      let bad = 0;
      for (let i = 0; i < c.rows; i++) if (!(num(u, i) >= 2 && num(u, i) <= 3) || !Number.isFinite(num(n, i))) bad++;
      expect(bad).toBe(0);
    },
  },
  id: {
    variables: { id: { type: 'id', min: 1000, max: 1000 + 4 * ROWS } },
    random: true,
    domain(c) {
      const id = column(c, 'id');
      const seen = new Set<number>();
      let bad = 0;
      for (let i = 0; i < c.rows; i++) {
        const v = num(id, i);
        if (!(v >= 1000 && v <= 1000 + 4 * ROWS)) bad++;
        seen.add(v);
      }
      expect(bad).toBe(0);
      expect(seen.size).toBe(c.rows);
    },
  },
};

/** Registered kinds whose contract case needs what this repository does not hold yet. */
const PENDING: Record<string, string> = {};

describe('contract: variable kinds', () => {
  it('covers every registered variable kind', () => {
    const uncovered = Object.keys(VARIABLE_KINDS).filter((k) => !(k in VARIABLE_CASES) && !(k in PENDING));
    expect(uncovered, 'add a contract case for each of these kinds').toEqual([]);
  });

  for (const [kind, reason] of Object.entries(PENDING)) if (kind in VARIABLE_KINDS) it.todo(`${kind}: ${reason}`);

  const all = () => scenarioOf({ anomalies: { frequency: 0.02, duration: [20, 200] }, variables: Object.assign({}, ...Object.values(VARIABLE_CASES).map((c) => c.variables)) as Record<string, unknown>, correlations: Object.assign({}, ...Object.values(VARIABLE_CASES).map((c) => c.correlations ?? {})) as Record<string, unknown> });
  let runs: Promise<[PoolRun, PoolRun]> | undefined;
  const pooled = () => (runs ??= poolRuns(all()));

  it('one worker and four workers write identical shards (every variable kind in one scenario)', async () => {
    const [one, four] = await pooled();
    expect(one.hashes).toHaveLength(4);
    expect(four.hashes).toEqual(one.hashes);
  });

  for (const [kind, c] of Object.entries(VARIABLE_CASES)) {
    const build = () => scenarioOf({ anomalies: { frequency: 0.02, duration: [20, 200] }, variables: c.variables, ...(c.correlations ? { correlations: c.correlations } : {}) });
    sharedContract(kind, build, c.random);
    it(`${kind}: its columns are the same with one worker and with four`, async () => {
      const [one, four] = await pooled();
      const cols = Object.keys(c.variables).map((n) => `d.${n}`);
      expect(await digest(four.dir, cols)).toBe(await digest(one.dir, cols));
    });
    it(`${kind}: values in the declared domain`, async () => {
      const s = build();
      await prepareScenario(s);
      c.domain(generateShard(s, 0, ROWS), s);
    });
  }

  it("source: past_end 'error' refuses to generate past the file (its documented refusal of growth)", async () => {
    // Validation refuses more rows than the file holds; past it, the run refuses too.
    const s = scenarioOf({ timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: 4032 }, variables: { cpu: { type: 'source', file: NAB, column: 'value', past_end: 'error' } } });
    await prepareScenario(s);
    expect(() => generateShard(withRows(s, 4032), 0, 4032)).not.toThrow();
    expect(() => generateShard(withRows(s, 5000), 0, 5000)).toThrow(/variable 'cpu': row 4032 is past the end of .*ec2_cpu_utilization_c6585a\.csv \(4032 rows\) and past_end is 'error'/);
  });
});

// ---------------------------------------------------------------------------------------
// Anomaly kinds

/** The base every anomaly-kind case acts on: a process (period 500) and an integer series. */
const BASE_VARIABLES = {
  p: {
    type: 'process',
    components: [
      { type: 'sine', period: 500, amplitude: 3 },
      { type: 'ar', coefficients: [0.5], sd: 0.2 },
      { type: 'noise', sd: 0.2 },
    ],
  },
  k: { normal: { dist: 'poisson', lambda: 50 } },
};

const KIND_CASES: Partial<Record<AnomalyKindName, Record<string, unknown>>> = {
  spike: { kind: 'spike', magnitude: [3, 6] },
  level_shift: { kind: 'level_shift', shift: [2, 4] },
  variance: { kind: 'variance', factor: 4, sd: 0.5 },
  trend: { kind: 'trend', slope: [0.05, 0.1] },
  amplitude: { kind: 'amplitude', factor: [2, 3] },
  frequency: { kind: 'frequency', factor: [2, 5] },
  flat_line: { kind: 'flat_line' },
  dropout: { kind: 'dropout', rate: 0.7 },
  noise: { kind: 'noise', magnitude: 2, direction: 'up', wave: 'square', wave_period: 10 },
  learned: { kind: 'learned', model: VAE_MODEL, direction: 'random' },
};

const seasonal = (row: number) => 3 * Math.sin(2 * Math.PI * ((row % 500) / 500));

/**
 * The kind's effect, checked against the clean twin: outside events nothing changes; inside,
 * the difference has the kind's shape with the parameters the segment table records.
 */
function checkEffect(kind: AnomalyKindName, c: ShardColumns, s: Scenario): string[] {
  const describeEvent = describeEvents(s, cleanRowsOf(s));
  const valid = (name: string) => column(c, name).valid;
  const bad: string[] = [];
  const fail = (what: string) => {
    if (bad.length < 5) bad.push(what);
  };
  for (const name of ['p', 'k']) {
    if (kind === 'frequency' && name === 'k') continue; // frequency acts on seasonal processes only
    const x = column(c, name);
    const clean = column(c, `${name}_clean`);
    const mask = valid(name);
    const inEvent = new Uint8Array(c.rows);
    for (const e of c.events) inEvent.fill(1, e.start, e.end);
    for (let i = 0; i < c.rows; i++) {
      if (!inEvent[i] && (num(x, i) !== num(clean, i) || (mask && mask[i] !== 1))) fail(`${name} row ${i}: changed outside events`);
    }
    for (const e of c.events) {
      const p = JSON.parse(describeEvent(e).params!) as Record<string, number | string>;
      const sign = p['direction'] === 'down' ? -1 : 1;
      const d = e.duration;
      for (let r = e.start; r < e.end; r++) {
        const k = r - e.start;
        const diff = num(x, r) - num(clean, r);
        const exact = (want: number) => {
          if (!(Math.abs(diff - want) <= (name === 'k' ? 0.5 + 1e-9 : 1e-9))) fail(`${name} row ${r} (offset ${k} of event ${e.id}): changed by ${diff}, expected ${want}`);
        };
        switch (kind) {
          case 'spike':
            exact(sign * (p['magnitude'] as number) * (1 - Math.abs((2 * (k + 0.5)) / d - 1)));
            break;
          case 'level_shift':
            exact(sign * (p['shift'] as number));
            break;
          case 'trend':
            exact(sign * (p['slope'] as number) * (k + 1));
            break;
          case 'flat_line':
            if (num(x, r) !== num(clean, e.start)) fail(`${name} row ${r}: ${num(x, r)} is not the event's first value ${num(clean, e.start)}`);
            break;
          case 'amplitude':
            if (name === 'p') exact(((p['factor'] as number) - 1) * seasonal(r));
            else if (k > 0) exact((p['factor'] as number) * (num(clean, r) - num(clean, e.start)) + num(clean, e.start) - num(clean, r));
            break;
          case 'frequency': {
            const f = ((e.start % 500) / 500 + (((r - e.start) * (p['factor'] as number)) % 500) / 500) % 1;
            exact(3 * Math.sin(2 * Math.PI * f) - seasonal(r));
            break;
          }
          case 'noise':
            // A square wave of period 10 switches the noise off on the second half of each period.
            if (k % 10 >= 5 ? diff !== 0 : !(diff >= 0)) fail(`${name} row ${r} (offset ${k}): noise ${diff} against a square wave, direction up`);
            break;
        }
      }
    }
    if (kind === 'learned') {
      // Every event changes nearly all its rows and records its move and effect (this
      // synthetic model's codes sit far outside its regions, so the move may be inwards).
      for (const e of c.events) {
        let changed = 0;
        for (let r = e.start; r < e.end; r++) if (num(x, r) !== num(clean, r)) changed++;
        const p = JSON.parse(describeEvent(e).params!) as Record<string, number>;
        if (name === 'p' && changed < 0.9 * (e.end - e.start)) fail(`${name} event ${e.id}: ${changed} of ${e.end - e.start} rows changed`);
        if (!(p['latent_distance']! > 0 && p['quantile']! >= 0.99 && p['quantile']! <= 0.9999)) fail(`event ${e.id}: params ${JSON.stringify(p)}`);
      }
    }
    if (kind === 'dropout') {
      let nulls = 0;
      let rows = 0;
      for (const e of c.events) for (let r = e.start; r < e.end; r++, rows++) nulls += mask![r] === 0 ? 1 : 0;
      if (!(Math.abs(nulls / rows - 0.7) < 0.05)) fail(`${name}: ${nulls} of ${rows} event rows null, expected about 70%`);
    }
    if (kind === 'variance') {
      // p: noise component ×4 and N(0, 0.5²) added: the difference has sd √(0.6² + 0.5²);
      // k: rounding to integers adds at most ±0.5.
      const d: number[] = [];
      for (const e of c.events) for (let r = e.start; r < e.end; r++) d.push(num(x, r) - num(clean, r));
      const sd = Math.sqrt(d.reduce((a, v) => a + v * v, 0) / d.length);
      const [lo, hi] = name === 'p' ? [0.78 * 0.92, 0.78 * 1.08] : [0.4, 0.65];
      if (!(sd > lo && sd < hi)) fail(`${name}: event rows changed with sd ${sd}, expected ${lo}–${hi}`);
    }
  }
  return bad;
}

/**
 * The kinds this suite covers; the shape kinds have their own (shape-kinds-contract.test.ts),
 * and so does `decorrelate`, which needs a correlation group (correlated-kinds.test.ts).
 */
const GROUP_KINDS: readonly AnomalyKindName[] = ['decorrelate'];
const ADDITIVE_KINDS = KIND_NAMES.filter((k) => !SHAPE_KINDS.includes(k) && !GROUP_KINDS.includes(k));

describe('contract: anomaly kinds', () => {
  it('covers every anomaly kind (shape kinds in shape-kinds-contract.test.ts)', () => {
    expect(Object.keys(KIND_CASES).sort()).toEqual([...ADDITIVE_KINDS].sort());
  });

  const all = () => scenarioOf({ anomalies: { frequency: 0.05, duration: [20, 60], kinds: ADDITIVE_KINDS.map((k) => KIND_CASES[k]), clean_twin: true }, variables: BASE_VARIABLES });
  let runs: Promise<[PoolRun, PoolRun]> | undefined;
  const pooled = () => (runs ??= poolRuns(all()));

  it('one worker and four workers write identical shards (every anomaly kind in one scenario)', async () => {
    const [one, four] = await pooled();
    expect(one.hashes).toHaveLength(4);
    expect(four.hashes).toEqual(one.hashes);
  });

  for (const kind of ADDITIVE_KINDS) {
    const build = () => scenarioOf({ anomalies: { frequency: 0.05, duration: [20, 60], kinds: [KIND_CASES[kind]], clean_twin: true }, variables: BASE_VARIABLES });
    sharedContract(kind, build, true);
    it(`${kind}: its event windows are the same with one worker and with four`, async () => {
      const [one, four] = await pooled();
      const where = `a.kind = '${kind}'`;
      const cols = ['d.p', 'd.k', 'd.p_clean', 'd.k_clean', 'a.params'];
      const mine = await digest(one.dir, cols, where);
      expect(Number(mine.split(':')[0])).toBeGreaterThan(200);
      expect(await digest(four.dir, cols, where)).toBe(mine);
    });
    it(`${kind}: changes only its event windows, with the shape and parameters it declares`, async () => {
      const s = build();
      const c = generateShard(s, 0, ROWS);
      expect(c.events.length).toBeGreaterThan(50);
      expect(new Set(c.events.map((e) => e.kind))).toEqual(new Set([kind]));
      expect(checkEffect(kind, c, s)).toEqual([]);
    });
  }
});
