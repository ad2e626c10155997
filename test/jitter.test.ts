/**
 * Timeline jitter: each row's timestamp moves by at most ±jitter from start + row·step,
 * drawn per row at (seed, row). The times are a pure function of the row: the same for any
 * workers and shard size, a prefix of a longer run, shared by a fleet's entities, what a
 * callback sees and what the segment table names; timestamps keep increasing.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../src/reader/load.js';
import { generate } from '../src/run/generate.js';
import { duck, tempDir } from './helpers.js';

const STEP = 1000;
const JITTER = 300;

function scenarioFile(dir: string, extra: Record<string, unknown> = {}, timeline: Record<string, unknown> = {}): string {
  writeFileSync(join(dir, 'clock.mjs'), 'export const clock = (ctx) => ctx.timestamp;\n');
  const doc = {
    name: 'jitter',
    seed: 7,
    timeline: { start: '2024-03-31T00:30:00+01:00', step: '1s', jitter: `${JITTER}ms`, rows: 200_000, ...timeline },
    variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 } }, seen: { type: 'callback', module: 'clock.mjs', normal: 'clock', dtype: 'float64' } },
    anomalies: { frequency: 0.01, duration: [5, 30], kinds: [{ kind: 'spike', magnitude: 4, variables: ['x'] }] },
    ...extra,
  };
  const file = join(dir, 'jitter.json');
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

/** Every row's epoch-ms timestamp and the callback's value, in dataset order. */
const times = async (out: string) =>
  (await duck(`SELECT epoch_ms(timestamp) AS t, seen FROM read_parquet('${out}/data/*.parquet', filename = true, file_row_number = true) ORDER BY filename, file_row_number`)).map((r) => ({ t: Number(r['t']), seen: Number(r['seen']) }));

describe('timeline jitter', () => {
  it('moves each timestamp by at most ±jitter, keeps them increasing, and a callback sees the written time', async () => {
    const dir = tempDir();
    const file = scenarioFile(dir);
    const out = join(dir, 'one');
    await generate(file, { out, workers: 1 });
    const rows = await times(out);
    expect(rows.length).toBe(200_000);
    const start = Date.parse('2024-03-31T00:30:00+01:00');
    const offsets = rows.map((r, i) => r.t - (start + i * STEP));
    expect(offsets.reduce((a, b) => Math.max(a, b), -Infinity)).toBe(JITTER);
    expect(offsets.reduce((a, b) => Math.min(a, b), Infinity)).toBe(-JITTER);
    // Uniform over [−J, J]: mean near 0, mean |offset| near J/2.
    expect(Math.abs(offsets.reduce((a, b) => a + b, 0) / offsets.length)).toBeLessThan(3);
    expect(Math.abs(offsets.reduce((a, b) => a + Math.abs(b), 0) / offsets.length - JITTER / 2)).toBeLessThan(3);
    expect(offsets.every((o) => Number.isInteger(o))).toBe(true);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.t - rows[i - 1]!.t).toBeGreaterThanOrEqual(STEP - 2 * JITTER);
    expect(rows.every((r) => r.seen === r.t)).toBe(true);
    // The segment table names each event's first and last rows at their written times.
    const bad = await duck(`SELECT count(*) AS n FROM read_parquet('${out}/anomalies.parquet') a
      JOIN (SELECT row_number() OVER () - 1 AS r, timestamp FROM read_parquet('${out}/data/*.parquet')) d0 ON d0.r = a.start_row
      JOIN (SELECT row_number() OVER () - 1 AS r, timestamp FROM read_parquet('${out}/data/*.parquet')) d1 ON d1.r = a.end_row
      WHERE d0.timestamp <> a.start_time OR d1.timestamp <> a.end_time`);
    expect(Number(bad[0]!['n'])).toBe(0);
    const events = await duck(`SELECT count(*) AS n FROM read_parquet('${out}/anomalies.parquet')`);
    expect(Number(events[0]!['n'])).toBeGreaterThan(50);
  });

  it('gives the same times for any workers and shard size, as a prefix of a longer run, and follows --seed', async () => {
    const dir = tempDir();
    const file = scenarioFile(dir);
    const one = await times((await generate(file, { out: join(dir, 'a'), workers: 1 }), join(dir, 'a')));
    await generate(file, { out: join(dir, 'b'), workers: 2, shardRows: 65_536 });
    expect(await times(join(dir, 'b'))).toEqual(one);
    await generate(file, { out: join(dir, 'c'), workers: 2, rows: 70_000 });
    expect(await times(join(dir, 'c'))).toEqual(one.slice(0, 70_000));
    // --seed moves the jitter as it moves every value: the same as the seed written in.
    await generate(file, { out: join(dir, 'd'), workers: 1, rows: 5000, seed: 8 });
    const other = scenarioFile(join(dir), { seed: 8 });
    await generate(other, { out: join(dir, 'e'), workers: 1, rows: 5000 });
    const d = await times(join(dir, 'd'));
    expect(await times(join(dir, 'e'))).toEqual(d);
    expect(d.filter((r, i) => r.t !== one[i]!.t).length).toBeGreaterThan(4000);
  });

  it('gives a fleet one clock: every entity has the same times', async () => {
    const dir = tempDir();
    const file = scenarioFile(dir, { entities: { count: 3 } }, { rows: 5000 });
    const out = join(dir, 'fleet');
    await generate(file, { out, workers: 2 });
    const r = await duck(`SELECT count(DISTINCT entity) AS e, count(*) AS n FROM (SELECT entity, list(epoch_ms(timestamp) ORDER BY timestamp) AS ts FROM read_parquet('${out}/data/*.parquet') GROUP BY entity) GROUP BY ts`);
    expect(r).toHaveLength(1);
    expect(Number(r[0]!['n'])).toBe(3);
  });

  it('refuses a jitter that could reorder rows or is not a duration, naming timeline.jitter', () => {
    const at = (jitter: unknown, step = '1s') => () => parseScenario(JSON.stringify({ timeline: { step, jitter, rows: 10 }, variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 } } } }));
    expect(at('500ms')).toThrow(/timeline\.jitter: 500ms is not under half the step \(1s\).*at most 499ms keeps the timestamps increasing/);
    expect(at('1ms', '1ms')).toThrow(/timeline\.jitter: 1ms is not under half the step/);
    // A step too small for any jitter says so (before: "at most 0ms", a value it refuses).
    expect(at('1ms', '2ms')).toThrow(/not under half the step \(2ms\).*a step of 2ms leaves no room for one \(jitter needs a step of at least 3ms\)/);
    expect(at('1ms', '3ms')).not.toThrow();
    expect(at(100)).toThrow(/timeline\.jitter: expected a duration such as "100ms"/);
    expect(at('0.5ms')).toThrow(/timeline\.jitter: must be a whole number of milliseconds/);
    expect(at('499ms')).not.toThrow();
    expect(parseScenario(JSON.stringify({ seed: 3, timeline: { jitter: '10ms', rows: 10 }, variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 } } } })).timeline.jitter).toEqual({ ms: 10, seed: 3 });
  });
});
