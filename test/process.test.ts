/**
 * Process variables: the statistics each component promises, the exactness of
 * the per-block designs that keep D1–D3 for the components with memory, validation, and
 * the example scenario.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BLOCK_ROWS } from '../src/format.js';
import { parseScenario } from '../src/reader/load.js';
import { generateShard } from '../src/generate/shard.js';
import { generate } from '../src/run/generate.js';
import { seedKey } from '../src/random/counter.js';
import { ArBlocks, arWarmup, arWork, innovations } from '../src/variables/process-ar.js';
import { WalkBlocks, SUPERBLOCK_BLOCKS, walkWork } from '../src/variables/process-walk.js';
import { eventsStartingIn } from '../src/anomaly/events.js';
import { segmentsOf } from '../src/generate/event-outcome.js';
import { componentStream } from '../src/variables/process.js';
import { phaseAt, waveBlock, waveShape } from '../src/model/shapes.js';
import type { Scenario } from '../src/model/types.js';
import { duck, tempDir } from './helpers.js';

function processScenario(components: unknown[], rows: number, extra: Record<string, unknown> = {}): Scenario {
  return parseScenario(JSON.stringify({ seed: 3, timeline: { rows, step: '1m' }, variables: { p: { type: 'process', components } }, ...extra }), '<test>');
}

function series(s: Scenario, from: number, to: number): Float64Array {
  return Float64Array.from(generateShard(s, from, to).values[0]!.data as Float64Array);
}

function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
}

function variance(x: ArrayLike<number>): number {
  const m = mean(x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i]! - m) ** 2;
  return s / (x.length - 1);
}

function autocorrelation(x: ArrayLike<number>, lag: number): number {
  const m = mean(x);
  let num = 0;
  let den = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i]! - m;
    den += d * d;
    if (i + lag < x.length) num += d * (x[i + lag]! - m);
  }
  return num / den;
}

const N = 16 * BLOCK_ROWS; // 1,048,576 rows: sixteen blocks

describe('AR(p)', () => {
  it('AR(1): lag-1 autocorrelation ≈ φ and variance ≈ σ²/(1−φ²), within 4 standard errors', () => {
    const phi = 0.7;
    const x = series(processScenario([{ type: 'ar', coefficients: [phi], sd: 2 }], N), 0, N);
    // Bartlett: the standard error of r1 for an AR(1) is √((1 − φ²)/N).
    const se = Math.sqrt((1 - phi * phi) / N);
    expect(Math.abs(autocorrelation(x, 1) - phi)).toBeLessThan(4 * se);
    expect(Math.abs(autocorrelation(x, 2) - phi * phi)).toBeLessThan(8 * se);
    // Var(x) = σ²/(1−φ²); its estimate over N correlated rows has relative sd ≈ √(2(1+φ²)/((1−φ²)N)).
    const want = 4 / (1 - phi * phi);
    const rel = Math.sqrt((2 * (1 + phi * phi)) / ((1 - phi * phi) * N));
    expect(Math.abs(variance(x) / want - 1)).toBeLessThan(4 * rel);
  });

  it('AR(2): the Yule–Walker estimates recover φ1 and φ2', () => {
    const [p1, p2] = [0.5, 0.3];
    const x = series(processScenario([{ type: 'ar', coefficients: [p1, p2] }], N), 0, N);
    const r1 = autocorrelation(x, 1);
    const r2 = autocorrelation(x, 2);
    const e1 = (r1 * (1 - r2)) / (1 - r1 * r1);
    const e2 = (r2 - r1 * r1) / (1 - r1 * r1);
    expect(Math.abs(e1 - p1)).toBeLessThan(0.005);
    expect(Math.abs(e2 - p2)).toBeLessThan(0.005);
  });

  it('per-block warm-up equals one sequential recursion over the whole timeline to 1e-12', () => {
    const phi = [0.6, 0.25];
    const key = seedKey(11);
    const stream = componentStream('p', 0);
    const pre = componentStream('p', 0, '/pre');
    const w = arWarmup(phi);
    expect(w.ok).toBe(true);
    if (!w.ok) return;
    expect(w.residual).toBeLessThanOrEqual(1e-20);
    const blocks = new ArBlocks(key, stream, pre, phi, 1, w.warmup);
    // The sequential recursion from row −W, with the same innovations, run over 4 blocks.
    const rows = 4 * BLOCK_ROWS;
    const eps = new Float64Array(w.warmup + rows);
    innovations(key, stream, pre, -w.warmup, w.warmup + rows, eps);
    let x1 = 0;
    let x2 = 0;
    let worst = 0;
    for (let t = 0; t < eps.length; t++) {
      const x = eps[t]! + phi[0]! * x1 + phi[1]! * x2;
      x2 = x1;
      x1 = x;
      const row = t - w.warmup;
      if (row >= 0) worst = Math.max(worst, Math.abs(x - blocks.block(Math.floor(row / BLOCK_ROWS))[row % BLOCK_ROWS]!));
    }
    expect(worst).toBeLessThan(1e-12);
  });

  it("a block's first rows, computed alone or extended in steps, are bit for bit the whole block's (block 0 warms up on the pre-history)", () => {
    const phi = [0.9, -0.2];
    const key = seedKey(5);
    const stream = componentStream('p', 0);
    const pre = componentStream('p', 0, '/pre');
    const w = arWarmup(phi);
    if (!w.ok) throw new Error('AR(2) refused');
    for (const b of [0, 2]) {
      const whole = new ArBlocks(key, stream, pre, phi, 1.5, w.warmup).block(b).slice();
      const parts = new ArBlocks(key, stream, pre, phi, 1.5, w.warmup);
      const before = arWork.blocks;
      for (const rows of [1, 7, 1000, 1000, 40_000, BLOCK_ROWS]) {
        const got = parts.block(b, rows);
        expect(Buffer.from(got.buffer, 0, 8 * rows).equals(Buffer.from(whole.buffer, 0, 8 * rows)), `block ${b}, first ${rows} rows`).toBe(true);
      }
      // Extending the block last computed carries its recursion on: one block's work.
      expect(arWork.blocks - before).toBe(1);
      // Another block, then a prefix of this one again: computed afresh, the same bits.
      parts.block(b + 1, 10);
      expect(Buffer.from(parts.block(b, 500).buffer, 0, 8 * 500).equals(Buffer.from(whole.buffer, 0, 8 * 500))).toBe(true);
    }
  });

  it('warm-up: the smallest power of two that brings the start state below 1e-20', () => {
    const w = arWarmup([0.7]);
    expect(w.ok && w.warmup).toBe(256);
    expect(w.ok && w.residual / 0.7 ** 256).toBeCloseTo(1, 10);
    const near = arWarmup([0.999]);
    expect(near.ok && near.warmup).toBe(65_536);
    expect(arWarmup([1]).ok).toBe(false);
    expect(arWarmup([0.5, 0.6]).ok).toBe(false); // a root outside the unit circle
  });

  it('refuses a unit root or near-unit root with the reason and the alternative', () => {
    expect(() => processScenario([{ type: 'ar', coefficients: [0.99995] }], 10)).toThrow(
      /variables\.p\.components\[0\]\.coefficients: the AR process is not stationary or too close to a unit root \(spectral radius ≈ 0\.9999\d*\).*use coefficients further from 1, or a random_walk/,
    );
    expect(() => processScenario([{ type: 'ar', coefficients: [] }], 10)).toThrow(/expected a list of 1 to 32 numbers/);
  });
});

describe('random walk', () => {
  it('increments are iid N(0, σ²): variance within 4 standard errors, no lag-1 correlation', () => {
    const sd = 0.5;
    const x = series(processScenario([{ type: 'random_walk', sd }], N), 0, N);
    const inc = new Float64Array(N - 1);
    for (let i = 1; i < N; i++) inc[i - 1] = x[i]! - x[i - 1]!;
    const se = Math.sqrt(2 / (N - 1));
    expect(Math.abs(variance(inc) / (sd * sd) - 1)).toBeLessThan(4 * se);
    expect(Math.abs(autocorrelation(inc, 1))).toBeLessThan(4 / Math.sqrt(N));
    expect(Math.abs(mean(inc))).toBeLessThan((4 * sd) / Math.sqrt(N));
  });

  it('increments across block and superblock boundaries have the same variance', () => {
    const key = seedKey(5);
    const sd = 1;
    const walk = new WalkBlocks(key, 101, 202, 303, sd);
    // 150 boundaries inside superblock 0, 150 inside superblock 1, and the one between them.
    const starts = [...Array.from({ length: 150 }, (_, i) => 1 + i * 397), ...Array.from({ length: 150 }, (_, i) => SUPERBLOCK_BLOCKS + 1 + i * 389), SUPERBLOCK_BLOCKS];
    const inc = starts.map((b) => {
      const last = walk.block(b - 1)[BLOCK_ROWS - 1]!;
      return walk.block(b)[0]! - last;
    });
    expect(Math.abs(variance(inc) / (sd * sd) - 1)).toBeLessThan(4 * Math.sqrt(2 / inc.length));
    // And a block's rows end where the next block's start value says.
    const b = SUPERBLOCK_BLOCKS - 1;
    const end = walk.block(b)[BLOCK_ROWS - 1]!;
    expect(Math.abs(walk.block(b + 1)[0]! - end)).toBeLessThan(8 * sd);
  });

  it('a released walk lends its arrays to the next and computes its values again, bit for bit', () => {
    const a = new WalkBlocks(seedKey(11), 1, 2, 3, 0.5);
    const first = a.block(3);
    const before = first.slice();
    a.release();
    // The next walk (a fleet's next entity) fills the same array: no fresh 1.5 MB.
    const b = new WalkBlocks(seedKey(12), 1, 2, 3, 0.5);
    const other = b.block(0);
    expect(other).toBe(first);
    expect(other[0]).not.toBe(before[0]);
    // The released walk, asked again, computes in arrays of its own, to the same values.
    const again = a.block(3);
    expect(again).not.toBe(other);
    expect(Array.from(again)).toEqual(Array.from(before));
  });

  it('block sums have variance B·σ² (the drawn totals are consistent with the rows)', () => {
    const walk = new WalkBlocks(seedKey(9), 7, 8, 9, 1);
    const sums: number[] = [];
    let prev = walk.block(0)[BLOCK_ROWS - 1]!;
    for (let b = 1; b <= 250; b++) {
      const last = walk.block(b)[BLOCK_ROWS - 1]!;
      sums.push(last - prev);
      prev = last;
    }
    expect(Math.abs(variance(sums) / BLOCK_ROWS - 1)).toBeLessThan(4 * Math.sqrt(2 / sums.length));
  });
});

describe('seasonality, trend, noise', () => {
  it('recovers the period of a noisy sine by its autocorrelation peak and its periodogram', () => {
    const rows = 4 * BLOCK_ROWS;
    const x = series(processScenario([{ type: 'sine', period: '1d', amplitude: 2 }, { type: 'noise', sd: 1 }], rows), 0, rows);
    // One day at a one-minute step is 1440 rows. Near its top the autocorrelation is flat
    // (cos of a few rows' phase error) and the periodogram's resolution is P²/N ≈ 8 rows,
    // so both are asked for the period within 8 rows.
    let best = -1;
    let bestLag = 0;
    for (let lag = 200; lag <= 3000; lag++) {
      const r = autocorrelation(x, lag);
      if (r > best) [best, bestLag] = [r, lag];
    }
    expect(Math.abs(bestLag - 1440)).toBeLessThanOrEqual(8);
    const power = (period: number) => {
      let re = 0;
      let im = 0;
      for (let i = 0; i < rows; i++) {
        re += x[i]! * Math.cos((2 * Math.PI * i) / period);
        im += x[i]! * Math.sin((2 * Math.PI * i) / period);
      }
      return re * re + im * im;
    };
    let peak = 0;
    let peakPeriod = 0;
    for (const period of [240, 480, 720, 1000, 1200, 1300, 1380, 1420, 1432, 1436, 1440, 1444, 1448, 1460, 1500, 1600, 2000, 2880]) {
      const p = power(period);
      if (p > peak) [peak, peakPeriod] = [p, period];
    }
    expect(Math.abs(peakPeriod - 1440)).toBeLessThanOrEqual(8);
    expect(peak).toBeGreaterThan(50 * Math.max(power(720), power(2880), power(1000)));
  });

  it('shapes have their formulas: square, sawtooth, triangle with amplitude and phase', () => {
    const s = processScenario(
      [
        { type: 'square', period: 100, amplitude: 2 },
        { type: 'sawtooth', period: 60, amplitude: 1, phase: 0.25 },
        { type: 'triangle', period: 40.5, amplitude: 3 },
      ],
      1000,
    );
    const x = series(s, 0, 1000);
    let worst = 0;
    for (let i = 0; i < 1000; i++) {
      const want = 2 * waveShape('square', phaseAt(i, 100, 0)) + waveShape('sawtooth', phaseAt(i, 60, 0.25)) + 3 * waveShape('triangle', phaseAt(i, 40.5, 0));
      worst = Math.max(worst, Math.abs(x[i]! - want));
    }
    expect(worst).toBeLessThan(1e-12);
    expect(waveShape('square', 0.25)).toBe(1);
    expect(waveShape('square', 0.75)).toBe(-1);
    expect(waveShape('triangle', 0.25)).toBe(1);
    expect(waveShape('sawtooth', 0.499)).toBeCloseTo(0.998, 12);
  });

  it("a block of a shape's values is, bit for bit, its amplitude times the shape at each row's phase", () => {
    const out = new Float64Array(3000);
    for (const wave of ['sine', 'square', 'sawtooth', 'triangle'] as const) {
      for (const [period, phase, a, from] of [
        [100, 0, 2, 0],
        [40.5, 0.25, -3.5, 7],
        [1440, 0.999, 10, 2 ** 40 + 3],
        [7.3, 0.5, 1e-3, 123_456_789],
      ]) {
        waveBlock(wave, a!, period!, phase!, from!, out.length, out);
        for (let i = 0; i < out.length; i++) {
          if (!Object.is(out[i], a! * waveShape(wave, phaseAt(from! + i, period!, phase!)))) throw new Error(`${wave} period ${period} phase ${phase} row ${from! + i}: ${out[i]}`);
        }
      }
    }
  });

  it('a polynomial trend in units of a duration', () => {
    const s = processScenario([{ type: 'trend', coefficients: [1, 2, 0.5], unit: '1h' }, { type: 'constant', value: 10 }], 200);
    const x = series(s, 0, 200);
    for (const i of [0, 59, 60, 120, 199]) expect(x[i]).toBeCloseTo(11 + 2 * (i / 60) + 0.5 * (i / 60) ** 2, 12);
  });

  it('Student-t noise: variance df/(df−2)·scale² and the 97.5% quantile', () => {
    const x = series(processScenario([{ type: 'noise', dist: 'student_t', df: 5, scale: 2 }], N), 0, N);
    // t(5): variance 5/3; P(|t| > 2.5706) = 0.05.
    expect(Math.abs(variance(x) / (4 * (5 / 3)) - 1)).toBeLessThan(0.02);
    let tail = 0;
    for (let i = 0; i < N; i++) if (Math.abs(x[i]!) > 2 * 2.5706) tail++;
    expect(Math.abs(tail / N - 0.05)).toBeLessThan(4 * Math.sqrt((0.05 * 0.95) / N));
  });

  it('normal noise: mean 0 and the declared sd', () => {
    const x = series(processScenario([{ type: 'noise', sd: 3 }], N), 0, N);
    expect(Math.abs(mean(x))).toBeLessThan((4 * 3) / Math.sqrt(N));
    expect(Math.abs(Math.sqrt(variance(x)) / 3 - 1)).toBeLessThan(4 * Math.sqrt(1 / (2 * N)));
  });
});

describe('determinism of processes with memory (D2, D3)', () => {
  const s = processScenario(
    [
      { type: 'random_walk', sd: 0.1 },
      { type: 'ar', coefficients: [0.9, -0.2], sd: 1 },
      { type: 'sine', period: 333.3, amplitude: 1 },
    ],
    300_000,
  );

  it('irregular shard cuts (odd offsets, mid-block) give the same bits as one shard', () => {
    const whole = series(s, 0, 300_000);
    const cuts = [0, 1, 777, 65_537, 131_071, 131_072, 250_001, 300_000];
    const parts = cuts.slice(1).map((end, i) => series(s, cuts[i]!, end));
    const joined = new Float64Array(300_000);
    let at = 0;
    for (const p of parts) {
      joined.set(p, at);
      at += p.length;
    }
    expect(Buffer.from(joined.buffer).equals(Buffer.from(whole.buffer))).toBe(true);
  });

  it('growing the timeline keeps every row', () => {
    const small = series({ ...s, timeline: { ...s.timeline, rows: 100_000 } }, 0, 100_000);
    const big = series({ ...s, timeline: { ...s.timeline, rows: 900_000 } }, 0, 100_000);
    expect(Buffer.from(small.buffer).equals(Buffer.from(big.buffer))).toBe(true);
  });
});

describe('work of processes with memory', () => {
  it('measuring events reuses the blocks of a walk and an AR process: 700 events on one block compute it once, not anew for each (before: two AR blocks and a walk superblock per event, 30× the time of plain noise)', () => {
    const s = processScenario([{ type: 'random_walk', sd: 0.1 }, { type: 'ar', coefficients: [0.5], sd: 1 }], BLOCK_ROWS, { anomalies: { frequency: 0.05, duration: [3, 6], kinds: [{ kind: 'spike', magnitude: 3 }] } });
    const events = eventsStartingIn(s.anomalies, seedKey(s.seed), s.timeline.rows, 0, s.timeline.rows);
    expect(events.length).toBeGreaterThan(500);
    const before = { ar: arWork.blocks, walk: walkWork.blocks, superblocks: walkWork.superblocks };
    const { segments } = segmentsOf(s, events);
    expect(segments.length).toBe(events.length);
    expect(segments.every((x) => x.effect.rms > 0)).toBe(true);
    // A handful (the first computation of each, a few reused across measurements), not two per event.
    for (const work of [arWork.blocks - before.ar, walkWork.blocks - before.walk, walkWork.superblocks - before.superblocks]) expect(work).toBeLessThan(10);
  });
});

describe('validation', () => {
  const bad: Array<[string, unknown[], RegExp]> = [
    ['unknown component', [{ type: 'sinus', period: 5 }], /components\[0\]\.type: unknown component string 'sinus' \(did you mean 'sine'\?\)/],
    ['a period of zero', [{ type: 'sine', period: 0 }], /components\[0\]\.period: must be > 0/],
    ['a phase of one period', [{ type: 'sine', period: 10, phase: 1 }], /components\[0\]\.phase: must be < 1/],
    ['slope and coefficients', [{ type: 'trend', slope: 1, coefficients: [1] }], /give 'slope' .* or 'coefficients'/],
    ['sd for Student-t', [{ type: 'noise', dist: 'student_t', df: 3, sd: 1 }], /takes 'scale'/],
    ['a parameter of another component', [{ type: 'random_walk', sd: 1, period: 4 }], /components\[0\]\.period: unknown key/],
  ];
  it.each(bad)('refuses %s', (_name, components, message) => {
    expect(() => processScenario(components, 10)).toThrow(message);
  });

  it('refuses a period under 2 rows, which aliases: rows at whole steps of a 1h sine with a 30m or 1h period are all 0', () => {
    const at = (period: unknown, step: string) => () => parseScenario(JSON.stringify({ timeline: { rows: 5, step }, variables: { p: { type: 'process', components: [{ type: 'constant', value: 1 }, { type: 'sine', period }] } } }));
    expect(at('30m', '1h')).toThrow(/variables\.p\.components\[1\]\.period: a period of 30m is 0\.5 rows at the timeline's step of 1h, shorter than 2 rows: .*alias.*at least 2 rows \(2h\) or a shorter step/);
    expect(at('1h', '1h')).toThrow(/a period of 1h is 1 row at/);
    expect(at(1.5, '1s')).toThrow(/components\[1\]\.period: a period of 1\.5 rows is shorter than 2 rows/);
    // Two rows (a wave at the sampling's limit) and a period as long as the step allows are kept.
    expect(at(2, '1s')).not.toThrow();
    expect(at('2h', '1h')).not.toThrow();
  });

  it('refuses an integer dtype and an empty component list', () => {
    expect(() => parseScenario(JSON.stringify({ timeline: { rows: 5 }, variables: { p: { type: 'process', dtype: 'int64', components: [{ type: 'constant', value: 1 }] } } }))).toThrow(/variables\.p\.dtype: a process fills a float64 or float32 column/);
    expect(() => parseScenario(JSON.stringify({ timeline: { rows: 5 }, variables: { p: { type: 'process', components: [] } } }))).toThrow(/variables\.p\.components: expected a non-empty list/);
  });
});

describe('example scenario', () => {
  it('scenarios/process-load.yaml generates, with kinds acting on the seasonal and noise components', async () => {
    const out = join(tempDir(), 'load');
    const r = await generate('scenarios/process-load.yaml', { out, rows: 200_000, workers: 2, shardRows: 131_072 });
    expect(r.manifest.rows).toBe(200_000);
    const [row] = await duck(`SELECT count(*) AS n, avg(load) AS m, stddev(load) AS sd, max(temperature) AS t FROM read_parquet('${out}/data/*.parquet')`);
    expect(Number(row!['n'])).toBe(200_000);
    expect(Number(row!['m'])).toBeGreaterThan(300);
    expect(Number(row!['m'])).toBeLessThan(500);
    const kinds = await duck(`SELECT DISTINCT kind FROM read_parquet('${out}/anomalies.parquet') ORDER BY kind`);
    expect(kinds.map((k) => k['kind'])).toEqual(['amplitude', 'frequency', 'variance']);
  });
});
