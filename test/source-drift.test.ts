/**
 * `drift` on a source variable: slow seeded changes of level and gain that stay normal
 * (unlabelled), validated with clear messages, continuous, bounded by what was asked,
 * the same bytes for any worker count and shard size, and prefix-stable under growth.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../src/reader/load.js';
import { generateShard } from '../src/generate/shard.js';
import { generate } from '../src/run/generate.js';
import { prepareScenario } from '../src/variables/registry.js';
import type { Scenario } from '../src/model/types.js';
import { tempDir } from './helpers.js';

/** A 50-row periodic series (median 0) written in a fresh folder. */
function seriesDir(): string {
  const dir = tempDir();
  const lines = ['timestamp,value'];
  for (let i = 0; i < 50; i++) lines.push(`${i},${Math.sin((2 * Math.PI * i) / 10).toFixed(6)}`);
  writeFileSync(join(dir, 'series.csv'), lines.join('\n') + '\n');
  return dir;
}

const DIR = seriesDir();
const FILE = Array.from({ length: 50 }, (_, i) => Number(Math.sin((2 * Math.PI * i) / 10).toFixed(6)));

function scenario(drift: unknown, extra: Record<string, unknown> = {}, rows = 5_000, seed = 3): Scenario {
  const doc = { seed, timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows }, variables: { v: { type: 'source', file: 'series.csv', column: 'value', drift } }, ...extra };
  return parseScenario(JSON.stringify(doc), join(DIR, 'scenario.json'));
}

async function values(s: Scenario, from = 0, to = s.timeline.rows): Promise<Float64Array> {
  await prepareScenario(s);
  return Float64Array.from(generateShard(s, from, to).values.find((c) => c.name === 'v')!.data as Float64Array);
}

describe('validation', () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['a scalar', 0.5, /variables\.v\.drift: expected a mapping, got number 0\.5/],
    ['a typo', { ofset: 1, every: 10 }, /variables\.v\.drift\.ofset: unknown key \(did you mean 'offset'\?\); expected one of: offset, gain, every/],
    ['no every', { offset: 1 }, /variables\.v\.drift\.every: required: rows between the drift curve's knots/],
    ['every below 2', { offset: 1, every: 1 }, /variables\.v\.drift\.every: must be >= 2, got 1/],
    ['a fractional every', { offset: 1, every: 2.5 }, /variables\.v\.drift\.every: must be an integer, got 2\.5/],
    ['a negative offset', { offset: -1, every: 10 }, /variables\.v\.drift\.offset: must be >= 0, got -1/],
    ['a gain of 1', { gain: 1, every: 10 }, /variables\.v\.drift\.gain: must be < 1, got 1/],
    ['nothing to drift', { every: 10 }, /variables\.v\.drift: sets neither offset nor gain, so nothing drifts/],
  ];
  it.each(bad)('refuses %s', (_name, drift, message) => {
    expect(() => scenario(drift)).toThrow(message);
  });
});

describe('the drifted series', () => {
  it('offset only: a smooth curve within ±offset added to the replay, equal to a knot value at every knot', async () => {
    const every = 40;
    const offset = 2;
    const x = await values(scenario({ offset, every }));
    const o = Float64Array.from(x, (v, i) => v - FILE[i % 50]!);
    expect(Math.max(...o.map(Math.abs))).toBeLessThanOrEqual(offset);
    // The knots spread over the range, not a constant.
    expect(Math.max(...o)).toBeGreaterThan(offset / 2);
    expect(Math.min(...o)).toBeLessThan(-offset / 2);
    // A half-cosine between knots at most 2·offset apart climbs at most π·offset/every per row.
    for (let i = 1; i < o.length; i++) expect(Math.abs(o[i]! - o[i - 1]!)).toBeLessThanOrEqual((Math.PI * offset) / every + 1e-12);
    // Flat at the knots: the curve's slope vanishes there, so the steps either side are tiny.
    for (let k = 1; k * every + 1 < o.length; k++) expect(Math.abs(o[k * every + 1]! - o[k * every]!)).toBeLessThan((Math.PI * offset) / every / 10);
  });

  it('gain only: swings around the file median scale by 1 + g with |g| ≤ gain, the level stays', async () => {
    const x = await values(scenario({ gain: 0.3, every: 25 }));
    const ratios: number[] = [];
    x.forEach((v, i) => {
      const f = FILE[i % 50]!;
      if (Math.abs(f) > 0.5) ratios.push(v / f); // the file's median is 0
    });
    for (const r of ratios) expect(Math.abs(r - 1)).toBeLessThanOrEqual(0.3 + 1e-12);
    expect(Math.max(...ratios) - Math.min(...ratios)).toBeGreaterThan(0.2);
  });

  it('is seeded: another seed, another curve; the same seed, the same bytes', async () => {
    const a = await values(scenario({ offset: 1, gain: 0.2, every: 30 }));
    expect(Buffer.from((await values(scenario({ offset: 1, gain: 0.2, every: 30 }))).buffer).equals(Buffer.from(a.buffer))).toBe(true);
    const b = await values(scenario({ offset: 1, gain: 0.2, every: 30 }, {}, 5_000, 4));
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(false);
  });

  it('is normal data: events apply on top of it, the clean twin carries it, and label: changed labels only what events changed', async () => {
    const s = scenario({ offset: 1, gain: 0.2, every: 30 }, { anomalies: { frequency: 0.05, duration: [5, 20], label: 'changed', min_change: 0, clean_twin: true, kinds: [{ kind: 'level_shift', shift: [2, 4] }] } });
    await prepareScenario(s);
    const shard = generateShard(s, 0, s.timeline.rows);
    const v = shard.values.find((c) => c.name === 'v')!.data as Float64Array;
    const clean = shard.values.find((c) => c.name === 'v_clean')!.data as Float64Array;
    const plain = await values(scenario({ offset: 1, gain: 0.2, every: 30 }));
    expect(Array.from(clean)).toEqual(Array.from(plain));
    let labelled = 0;
    for (let i = 0; i < v.length; i++) {
      expect(shard.isAnomaly[i], `row ${i}`).toBe(v[i] !== clean[i] ? 1 : 0);
      labelled += shard.isAnomaly[i]!;
    }
    expect(labelled).toBeGreaterThan(0);
  });
});

describe('D1–D3', () => {
  const drift = { offset: 1.5, gain: 0.25, every: 700 };

  it('any shard split gives the same rows, and growing the timeline keeps the prefix', async () => {
    const whole = await values(scenario(drift, {}, 20_000));
    const parts = [await values(scenario(drift, {}, 20_000), 0, 6_999), await values(scenario(drift, {}, 20_000), 6_999, 20_000)];
    expect(Array.from([...parts[0]!, ...parts[1]!])).toEqual(Array.from(whole));
    const grown = await values(scenario(drift, {}, 30_000));
    expect(Array.from(grown.subarray(0, 20_000))).toEqual(Array.from(whole));
  });

  it('1 worker and 4 workers write the same bytes', async () => {
    const s = scenario(drift, {}, 3 * 65_536 + 777);
    const base = tempDir();
    const hashes = async (workers: number): Promise<string[]> => (await generate(s, { out: join(base, `w${workers}`), workers, shardRows: 65_536 })).manifest.shards.map((x) => x.sha256);
    expect(await hashes(4)).toEqual(await hashes(1));
  });
});
