/**
 * A variable's `limits: [lo, hi]`: every value it takes — clean rows, anomalous rows, the
 * clean twin — is clamped into the range, the same for any worker count, shard size and
 * growth; an integer column stays whole; every variable type that makes values, a fleet's
 * outages and a uniqueness key's redraws are bounded alike; an event clamped back onto the
 * clean values has no effect, as any event without one; bad limits are refused naming
 * variable and line.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { duck, tempDir } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(root, 'dist/src/cli/main.js');
const SHARD = 65_536;
const ROWS = 3 * SHARD + 1_000;

function cli(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

const TARGETS = ['count', 'count32', 'share', 'humidity', 'temp'];
/** Kinds that push down, up and both ways; amplitude and flat_line read the event's first row. */
const KINDS = [
  { kind: 'spike', weight: 3, magnitude: [20, 60], direction: 'down', variables: TARGETS },
  { kind: 'level_shift', weight: 3, shift: [20, 60], direction: 'down', variables: TARGETS },
  { kind: 'trend', slope: [0.5, 2], direction: 'down', variables: TARGETS },
  { kind: 'noise', weight: 3, magnitude: [1, 30], variables: TARGETS },
  { kind: 'variance', weight: 3, sd: [1, 30], variables: TARGETS },
  { kind: 'amplitude', factor: [3, 6], duration: [4_000, 6_000], variables: TARGETS },
  { kind: 'flat_line', duration: [4_000, 6_000], variables: TARGETS },
  { kind: 'flat_line', value: -50, variables: TARGETS },
  { kind: 'dropout', rate: 0.5, weight: 3, variables: ['count', 'humidity'] },
  { kind: 'spike', magnitude: [20, 60], direction: 'up', variables: TARGETS },
];

function bounded(limits: boolean): Record<string, unknown> {
  const l = (x: unknown[]) => (limits ? { limits: x } : {});
  return {
    name: 'bounded',
    // A seed whose long amplitude and flat_line events cross shard boundaries (asserted below).
    seed: 4,
    timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: ROWS },
    anomalies: { frequency: 0.15, duration: [20, 200], kinds: KINDS },
    variables: {
      count: { normal: { dist: 'poisson', lambda: 4 }, ...l([0, null]) },
      count32: { dtype: 'int32', normal: { dist: 'poisson', lambda: 4 }, ...l([0, 40]) },
      share: { normal: { dist: 'uniform', min: 0, max: 1 }, ...l([0, 1]) },
      // Clean rows cross 100 too: the limit holds them, not only anomalous ones.
      humidity: { normal: { dist: 'normal', mean: 96, sd: 3 }, ...l([null, 100]) },
      temp: { type: 'process', components: [{ type: 'constant', value: 2 }, { type: 'sine', period: '1h', amplitude: 5 }, { type: 'noise', sd: 0.4 }], ...l([-3, 5]) },
    },
  };
}

const LIMITS: Record<string, [number | null, number | null]> = { count: [0, null], count32: [0, 40], share: [0, 1], humidity: [null, 100], temp: [-3, 5] };

let work: string;

function write(name: string, doc: unknown): string {
  const file = join(work, name);
  writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return file;
}

/** Generates scenario `name` (a file in the work folder) into `out` there; its warnings. */
function generated(name: string, out: string, ...args: string[]): string {
  const r = cli('generate', join(work, name), '--out', join(work, out), ...args);
  expect(r.status, r.stderr).toBe(0);
  return r.stderr;
}

/** Every data file and the segment table, by name, as bytes. */
function filesOf(out: string): Map<string, Buffer> {
  const dir = join(work, out);
  const files = new Map<string, Buffer>([['anomalies.parquet', readFileSync(join(dir, 'anomalies.parquet'))]]);
  for (const f of readdirSync(join(dir, 'data'))) files.set(`data/${f}`, readFileSync(join(dir, 'data', f)));
  return files;
}

const data = (out: string) => `'${join(work, out, 'data')}/*.parquet'`;

/** Rows of one dataset missing from the other, both ways. */
async function difference(a: string, b: string): Promise<number> {
  const [r] = await duck(`SELECT (SELECT count(*) FROM (SELECT * FROM ${a} EXCEPT ALL SELECT * FROM ${b})) + (SELECT count(*) FROM (SELECT * FROM ${b} EXCEPT ALL SELECT * FROM ${a})) AS n`);
  return Number(r!['n']);
}

beforeAll(() => {
  work = tempDir('paranom-limits-');
  write('bounded.json', bounded(true));
  generated('bounded.json', 'w1', '--workers', '1', '--shard-rows', String(SHARD), '--with-clean');
  generated('bounded.json', 'w2', '--workers', '2', '--shard-rows', String(SHARD), '--with-clean');
}, 120_000);

describe('limits', () => {
  it('keep every value, clean and anomalous, twin included, within them; null stays null', async () => {
    for (const [name, [lo, hi]] of Object.entries(LIMITS)) {
      const [r] = await duck(`SELECT min(${name}) AS lo, max(${name}) AS hi, min(${name}_clean) AS clo, max(${name}_clean) AS chi FROM ${data('w1')}`);
      for (const [k, x] of Object.entries(r!)) {
        if (lo !== null) expect(Number(x), `${name} ${k}`).toBeGreaterThanOrEqual(lo);
        if (hi !== null) expect(Number(x), `${name} ${k}`).toBeLessThanOrEqual(hi);
      }
    }
    const [c] = await duck(`SELECT count(*) FILTER (WHERE count = 0 AND count_clean > 0) AS floored, count(*) FILTER (WHERE humidity_clean = 100) AS capped, count(*) FILTER (WHERE count IS NULL) AS nulls, count(*) FILTER (WHERE humidity IS NULL) AS hnulls, count(*) FILTER (WHERE temp = -3) AS tfloor FROM ${data('w1')}`);
    // The kinds did push values past the limits, and the normal series crossed 100 on its own.
    expect(Number(c!['floored'])).toBeGreaterThan(100);
    expect(Number(c!['capped'])).toBeGreaterThan(1_000);
    expect(Number(c!['tfloor'])).toBeGreaterThan(100);
    expect(Number(c!['nulls'])).toBeGreaterThan(100);
    // Dropout's draws do not depend on values: the same rows are null without limits.
    write('free.json', bounded(false));
    generated('free.json', 'free', '--workers', '2', '--shard-rows', String(SHARD));
    const [f] = await duck(`SELECT count(*) FILTER (WHERE count IS NULL) AS nulls, count(*) FILTER (WHERE humidity IS NULL) AS hnulls, min(count) AS lo FROM ${data('free')}`);
    expect(f!['nulls']).toBe(c!['nulls']);
    expect(f!['hnulls']).toBe(c!['hnulls']);
    expect(Number(f!['lo'])).toBeLessThan(0);
  }, 120_000);

  it('keep integer columns integral and typed', async () => {
    const types = await duck(`SELECT column_name, column_type FROM (DESCRIBE SELECT count, count32, count_clean FROM ${data('w1')})`);
    expect(Object.fromEntries(types.map((t) => [t['column_name'], t['column_type']]))).toEqual({ count: 'BIGINT', count32: 'INTEGER', count_clean: 'BIGINT' });
    const [r] = await duck(`SELECT max(count32) AS hi, count(*) FILTER (WHERE count32 = 40) AS capped FROM ${data('w1')}`);
    expect(r!['hi']).toBe(40);
    expect(Number(r!['capped'])).toBeGreaterThan(0);
  });

  it('give the same bytes for 1 and 2 workers, and the same rows for any shard size', async () => {
    const a = filesOf('w1');
    const b = filesOf('w2');
    expect([...b.keys()]).toEqual([...a.keys()]);
    expect(a.size).toBe(5);
    for (const [name, bytes] of a) expect(b.get(name)!.equals(bytes), name).toBe(true);
    // Events that read their first row (amplitude, flat_line) across a shard boundary: the
    // row generated alone must give the clamped value the shard's own column holds.
    const [s] = await duck(`SELECT count(*) AS n FROM '${join(work, 'w1/anomalies.parquet')}' WHERE kind IN ('amplitude', 'flat_line') AND start_row // ${SHARD} <> (end_row - 1) // ${SHARD}`);
    expect(Number(s!['n'])).toBeGreaterThan(0);
    generated('bounded.json', 'one', '--workers', '2', '--with-clean');
    expect(readdirSync(join(work, 'one/data'))).toHaveLength(1);
    expect(await difference(data('one'), data('w1'))).toBe(0);
    expect(readFileSync(join(work, 'one/anomalies.parquet')).equals(a.get('anomalies.parquet')!)).toBe(true);
  }, 120_000);

  it('hold under grow: the first rows are kept and the whole equals a fresh run', async () => {
    write('short.json', { ...bounded(true), timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: SHARD + 500 } });
    generated('short.json', 'grown', '--workers', '2', '--shard-rows', String(SHARD));
    const first = readFileSync(join(work, 'grown/data', readdirSync(join(work, 'grown/data'))[0]!));
    const r = cli('grow', join(work, 'grown'), '--rows', String(ROWS), '--workers', '2');
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(work, 'grown/data', readdirSync(join(work, 'grown/data'))[0]!)).equals(first)).toBe(true);
    generated('bounded.json', 'fresh', '--workers', '2', '--shard-rows', String(SHARD));
    expect(await difference(data('grown'), data('fresh'))).toBe(0);
  }, 120_000);

  it('an event clamped back onto the clean values has no effect: no changed rows, no label, dropped by min_effect', async () => {
    // A sensor resting at its floor: every value is 0, and a downward shift is clamped away.
    const resting = (anomalies: Record<string, unknown>) => ({
      name: 'resting',
      seed: 3,
      timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: 5_000 },
      anomalies: { count: 6, duration: [20, 40], kinds: [{ kind: 'level_shift', shift: [5, 10], direction: 'down', variables: ['idle'] }], ...anomalies },
      variables: { idle: { normal: { dist: 'normal', mean: -50, sd: 1 }, limits: [0, null] } },
    });
    write('changed.json', resting({ label: 'changed' }));
    generated('changed.json', 'changed', '--with-clean');
    const seg = await duck(`SELECT effect_rms, effect_max, changed_rows FROM '${join(work, 'changed/anomalies.parquet')}'`);
    expect(seg).toHaveLength(6);
    for (const s of seg) expect(s).toEqual({ effect_rms: 0, effect_max: 0, changed_rows: '0' });
    const [d] = await duck(`SELECT count(*) FILTER (WHERE is_anomaly) AS labelled, count(*) FILTER (WHERE idle <> idle_clean) AS moved, max(idle) AS hi FROM ${data('changed')}`);
    expect(d).toEqual({ labelled: '0', moved: '0', hi: 0 });
    write('effect.json', resting({ min_effect: 0.5 }));
    generated('effect.json', 'effect');
    const manifest = JSON.parse(readFileSync(join(work, 'effect/manifest.json'), 'utf8')) as { anomalies: { min_effect: { dropped_events: number } } };
    expect(manifest.anomalies.min_effect.dropped_events).toBe(6);
  }, 60_000);

  it('bound every kind of variable that makes values (source, vae, correlated, callback), under the learned kind and decorrelate too', async () => {
    copyFileSync(join(root, 'test/fixtures/vae/nyc_taxi_6w.csv'), join(work, 'taxi.csv'));
    const t = cli('train-vae', '--data', join(work, 'taxi.csv'), '--out', join(work, 'models/taxi'), '--window', '48', '--latent', '2', '--hidden', '8', '--epochs', '1', '--seed', '5');
    expect(t.status, t.stderr).toBe(0);
    writeFileSync(join(work, 'wave.mjs'), 'export function normal(ctx) { return 50 + 80 * Math.sin(ctx.row / 50); }\n');
    write('types.json', {
      name: 'types',
      seed: 11,
      timeline: { start: '2014-07-01T00:00:00Z', step: '30m', rows: 3_000 },
      anomalies: {
        frequency: 0.08,
        duration: [10, 40],
        kinds: [
          { kind: 'learned', model: 'models/taxi', variables: ['rides', 'decoded'] },
          { kind: 'level_shift', shift: [5_000, 9_000], direction: 'down', variables: ['rides', 'decoded', 'share', 'wave'] },
          { kind: 'decorrelate', variables: ['share'] },
        ],
      },
      correlations: { g: { variables: ['share', 'score'], correlation: [[1, 0.8], [0.8, 1]] } },
      variables: {
        rides: { type: 'source', file: 'taxi.csv', column: 'value', limits: [0, 20_000] },
        decoded: { type: 'vae', model: 'models/taxi', limits: [0, 25_000] },
        share: { type: 'correlated', marginal: { dist: 'uniform', min: 0, max: 1 }, limits: [0.1, 0.9] },
        score: { type: 'correlated', marginal: { dist: 'normal', mean: 0, sd: 1 }, limits: [-1, 1] },
        wave: { type: 'callback', module: 'wave.mjs', normal: 'normal', limits: [0, 100] },
      },
    });
    generated('types.json', 'types1', '--workers', '1', '--with-clean');
    generated('types.json', 'types2', '--workers', '2', '--with-clean');
    const a = filesOf('types1');
    const b = filesOf('types2');
    for (const [name, bytes] of a) expect(b.get(name)!.equals(bytes), name).toBe(true);
    const bounds: Record<string, [number, number]> = { rides: [0, 20_000], decoded: [0, 25_000], share: [0.1, 0.9], score: [-1, 1], wave: [0, 100] };
    for (const [name, [lo, hi]] of Object.entries(bounds)) {
      const [r] = await duck(`SELECT min(${name}) AS lo, max(${name}) AS hi FROM ${data('types1')}`);
      // Each variable reaches its limits (its values crossed them), and goes no further.
      expect([Number(r!['lo']), Number(r!['hi'])], name).toEqual([lo, hi]);
    }
    const kinds = await duck(`SELECT DISTINCT kind FROM '${join(work, 'types1/anomalies.parquet')}' ORDER BY kind`);
    expect(kinds.map((k) => k['kind'])).toContain('learned');
  }, 120_000);

  it('bound a fleet outage’s shift too, and may be drawn per entity', async () => {
    write('fleet.json', {
      name: 'fleet',
      seed: 3,
      timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows: 3_000 },
      entities: { count: 6, key: 'machine' },
      // Only the outages move cpu: a shift of −80 from about 30.
      anomalies: { outages: { frequency: 0.1, duration: [10, 30], share: 0.5, kind: 'level_shift', amount: -80, variables: ['cpu'] } },
      variables: { cpu: { type: 'process', limits: [0, { per_entity: { dist: 'uniform', min: 33, max: 36 } }], components: [{ type: 'constant', value: 30 }, { type: 'noise', sd: 2 }] } },
    });
    generated('fleet.json', 'fleet1', '--workers', '1', '--with-clean');
    generated('fleet.json', 'fleet2', '--workers', '2', '--with-clean', '--shard-rows', String(SHARD));
    expect(await difference(data('fleet1'), data('fleet2'))).toBe(0);
    const [r] = await duck(`SELECT min(cpu) AS lo, count(*) FILTER (WHERE cpu = 0 AND is_anomaly) AS floored, max(cpu) AS hi, count(DISTINCT machine) FILTER (WHERE cpu > 33) AS above FROM ${data('fleet1')}`);
    expect(r!['lo']).toBe(0);
    expect(Number(r!['floored'])).toBeGreaterThan(100);
    expect(Number(r!['hi'])).toBeLessThanOrEqual(36);
    expect(Number(r!['above'])).toBeGreaterThan(0);
    // Each machine's own ceiling: its largest value is the limit it drew (noise of sd 2 reaches it).
    const tops = await duck(`SELECT machine, max(cpu) AS hi FROM ${data('fleet1')} GROUP BY machine`);
    expect(new Set(tops.map((t) => t['hi'])).size).toBe(6);
  }, 60_000);

  it('bound a uniqueness key as the uniqueness pass sees it: clamped values are redrawn, never written twice', async () => {
    write('keys.json', {
      name: 'keys',
      seed: 7,
      timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: 5_000 },
      uniqueness: { key: ['device'], normal: { mode: 'hard', tries: 100 }, anomalous: { mode: 'hard', tries: 100 } },
      // A third of the draws land above 20,000 and are clamped onto it.
      variables: { device: { normal: { dist: 'integer', min: 0, max: 29_999 }, limits: [0, 20_000] } },
    });
    generated('keys.json', 'keys1', '--workers', '1');
    generated('keys.json', 'keys2', '--workers', '2', '--shard-rows', String(SHARD));
    expect(await difference(data('keys1'), data('keys2'))).toBe(0);
    const [r] = await duck(`SELECT count(*) AS n, count(DISTINCT device) AS distinct_keys, max(device) AS hi FROM ${data('keys1')}`);
    expect(r).toEqual({ n: '5000', distinct_keys: '5000', hi: '20000' });
  }, 60_000);

  it('bound a uniqueness key that limits move out of the range its distribution draws from: the clamped tuples are still unique, or the run stops', async () => {
    // Every device is clamped onto 20 and every channel onto 0 or 1: two tuples in all.
    const keys = (rows: number) => ({
      name: 'outside',
      seed: 7,
      timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows },
      uniqueness: { key: ['device', 'channel'], normal: { mode: 'hard', tries: 50 } },
      variables: {
        device: { normal: { dist: 'integer', min: 0, max: 9 }, limits: [20, null] },
        channel: { normal: { dist: 'integer', min: 0, max: 9 }, dtype: 'int32', limits: [null, 1] },
      },
    });
    write('outside.json', keys(30));
    const r = cli('generate', join(work, 'outside.json'), '--out', join(work, 'outside'));
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toContain('the key (device, channel) can take only 2 distinct values for normal rows');
    write('outside2.json', keys(2));
    generated('outside2.json', 'outside2');
    const [d] = await duck(`SELECT count(*) AS n, count(DISTINCT (device, channel)) AS distinct_keys, min(device) AS lo FROM ${data('outside2')}`);
    expect(d).toEqual({ n: '2', distinct_keys: '2', lo: '20' });
  }, 60_000);

  it('refuse bad values with exit 2, naming the variable and the line', () => {
    const file = write('bad.yaml', [
      'timeline: { rows: 100 }',
      'variables:',
      '  a: { normal: { dist: poisson, lambda: 3 }, limits: [5, 2] }',
      '  b: { normal: { dist: normal, mean: 0, sd: 1 }, limits: ["0", 1] }',
      '  c: { normal: { dist: categorical, values: [1, 2, 3] }, limits: [0, 3] }',
      '  d: { type: id, limits: [0, 10] }',
      '  e: { normal: { dist: poisson, lambda: 3 }, limits: [0.5, null] }',
      '  f: { dtype: string, normal: { dist: categorical, values: [x, y] }, limits: [0, 1] }',
      '  g: { normal: { dist: normal, mean: 0, sd: 1 }, limits: [null, null] }',
      '',
    ].join('\n'));
    for (const command of ['validate', 'generate']) {
      const r = cli(command, file, ...(command === 'generate' ? ['--out', join(work, 'bad-out')] : []));
      expect(r.status).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      for (const [line, v] of [[3, 'a'], [4, 'b'], [5, 'c'], [6, 'd'], [7, 'e'], [8, 'f'], [9, 'g']] as const) expect(r.stderr).toMatch(new RegExp(`bad\\.yaml:${line}:\\d+ variables\\.${v}\\.limits`));
      expect(r.stderr).toContain('upper limit must be above the lower one (5), got 2');
      expect(r.stderr).toContain("got string '0'");
      expect(r.stderr).toContain("'c' is a categorical variable");
    }
  });

  it('hold in a float32 column as it stores them: no value reads back past a limit float32 cannot hold (0.1), and a range no float32 lies in is refused', async () => {
    const work = tempDir('paranom-limits-f32-');
    const file = join(work, 'f32.yaml');
    const doc = (limits: string) => [
      'name: f32', 'seed: 2', 'timeline: { start: 2024-01-01T00:00:00Z, step: 1s, rows: 20000 }',
      'anomalies: { frequency: 0.05, duration: [5, 50], kinds: [{ kind: spike, magnitude: [0.2, 0.5] }, { kind: level_shift, shift: [0.1, 0.3] }] }',
      'variables:',
      `  share: { dtype: float32, normal: { dist: normal, mean: 0.05, sd: 0.04 }, limits: ${limits} }`,
      '',
    ].join('\n');
    writeFileSync(file, doc('[-0.1, 0.1]'));
    const r = cli('generate', file, '--out', join(work, 'out'), '--with-clean');
    expect(r.status, r.stderr).toBe(0);
    const [row] = await duck(`SELECT max(share)::DOUBLE AS hi, min(share)::DOUBLE AS lo, max(share_clean)::DOUBLE AS chi, count(*) FILTER (WHERE share = (SELECT max(share) FROM read_parquet('${work}/out/data/*.parquet'))) AS at FROM read_parquet('${work}/out/data/*.parquet')`);
    // The largest float32 at or below 0.1 (0.0999999940…), reached by clamped rows; never 0.1000000015.
    expect(row!['hi']).toBe(Math.fround(0.1) > 0.1 ? 0.09999999403953552 : Math.fround(0.1));
    expect(Number(row!['hi'])).toBeLessThanOrEqual(0.1);
    expect(Number(row!['chi'])).toBeLessThanOrEqual(0.1);
    expect(Number(row!['lo'])).toBeGreaterThanOrEqual(-0.1);
    expect(Number(row!['at'])).toBeGreaterThan(10);
    writeFileSync(file, doc('[0.1, 0.100000001]'));
    const bad = cli('validate', file);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/f32\.yaml:\d+:\d+ variables\.share\.limits: no float32 value lies between 0\.1 and 0\.100000001; widen the limits or make 'share' a float64 column/);
  });

  it('drawn per entity with ranges that overlap are refused, saying both ends are draws an entity may take together', () => {
    const work = tempDir('paranom-limits-pe-');
    const file = join(work, 'pe.yaml');
    writeFileSync(file, [
      'name: pe', 'seed: 1', 'timeline: { start: 2024-01-01T00:00:00Z, step: 1m, rows: 100 }', 'entities: { count: 5, key: host }', 'variables:',
      '  x: { normal: { dist: normal, mean: 0, sd: 1 }, limits: [{ per_entity: { dist: uniform, min: 0, max: 10 } }, { per_entity: { dist: uniform, min: 5, max: 15 } }] }', '',
    ].join('\n'));
    const r = cli('validate', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/variables\.x\.limits\[1\]: the upper limit must be above the lower one \([0-9.]+\), got [0-9.]+ \(per-entity values checked together: variables\.x\.limits\[0\] at the largest per-entity value drawn, for entity \d+.*, variables\.x\.limits\[1\] at the smallest, for entity \d+.*; an entity may draw both: make their per_entity ranges apart\)/);
    // Apart, they pass.
    writeFileSync(file, readFileSync(file, 'utf8').replace('min: 5, max: 15', 'min: 10.5, max: 15'));
    expect(cli('validate', file).status).toBe(0);
  });

  it('are in the scenario schema: two numbers or nulls', () => {
    const schema = JSON.parse(readFileSync(join(root, 'schema/scenario.schema.json'), 'utf8')) as object;
    const check = new Ajv2020({ allErrors: true, strictTypes: true, strictTuples: true, allowUnionTypes: true }).compile(schema);
    const doc = (limits: unknown, v: Record<string, unknown> = { normal: { dist: 'poisson', lambda: 2 } }) => ({ timeline: { rows: 10 }, variables: { x: { ...v, limits } } });
    expect(check(doc([0, null]))).toBe(true);
    expect(check(doc([null, 100], { type: 'process', components: [{ type: 'constant', value: 1 }] }))).toBe(true);
    expect(check({ ...doc([0, { per_entity: { dist: 'uniform', min: 30, max: 40 } }]), entities: { count: 3 } })).toBe(true);
    expect(check(doc(['0', 1]))).toBe(false);
    expect(check(doc([0, 1, 2]))).toBe(false);
    expect(check(doc([0, 10], { type: 'id' }))).toBe(false);
  });
});
