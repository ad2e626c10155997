/**
 * Fleets (`entities:`): many series in one dataset. Each entity is its own scenario
 * (the fleet's, seeded with the entity's seed from entities.parquet), so the determinism
 * contract holds per entity and for the fleet: any worker count and shard size give the
 * same rows, growth in rows and in entities keeps every earlier shard file byte for byte,
 * and an entity generated alone equals its rows in the fleet. Checked through the files,
 * as DuckDB reads them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../src/run/generate.js';
import { formatRunReport } from '../src/cli/report.js';
import { grow } from '../src/run/grow.js';
import { mergeManifests } from '../src/run/merge.js';
import { verify } from '../src/run/verify.js';
import { planGeneration } from '../src/plan/planner.js';
import { entitySeed } from '../src/random/entity-seed.js';
import { duck, scenarioFrom, tempDir } from './helpers.js';
import { parseScenario } from '../src/reader/load.js';
import { generateFleetShard, type EntityStarts } from '../src/generate/fleet.js';
import { generateShard } from '../src/generate/shard.js';
import { fleetShardSegments } from '../src/run/labels.js';
import { entityScenario, entityScenarios } from '../src/fleet/entity.js';
import { drawEntityParamRange, drawEntityParams, paramStream } from '../src/fleet/params.js';
import type { Entities } from '../src/model/entities.js';
import type { Distribution } from '../src/model/types.js';

const ROWS = 30_000;
const SHARD = 65_536;

/** A small fleet: a process with seasonality and AR memory, a stochastic variable, anomaly kinds. */
function fleetDoc(entities: Record<string, unknown>, rows = ROWS): Record<string, unknown> {
  return {
    name: 'fleet-test',
    seed: 11,
    timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows },
    entities,
    anomalies: { frequency: 0.01, duration: [5, 40], kinds: [{ kind: 'spike', magnitude: { per_entity: { dist: 'uniform', min: 8, max: 12 } } }, { kind: 'level_shift', shift: [3, 6] }] },
    variables: {
      cpu: { type: 'process', components: [{ type: 'constant', value: { per_entity: { dist: 'normal', mean: 40, sd: 5 } } }, { type: 'sine', period: '1d', amplitude: 10 }, { type: 'ar', coefficients: [0.7], sd: 1 }] },
      mem: { normal: { dist: 'normal', mean: 60, sd: { per_entity: { dist: 'lognormal', mu: 1, sigma: 0.2 } } } },
      state: { normal: { dist: 'categorical', values: ['idle', 'busy'], weights: [0.3, 0.7] } },
    },
  };
}

const VALUES = ['timestamp', 'cpu', 'mem', 'state', 'is_anomaly', 'anomaly_id'];

/** Per entity: row count and an MD5 of its rows in time order. */
async function perEntity(dir: string, key = 'machine'): Promise<Record<string, string>> {
  const rows = await duck(`SELECT CAST(${key} AS VARCHAR) AS k, count(*) AS n, md5(string_agg(concat_ws('|', ${VALUES.map((c) => `coalesce(CAST(${c} AS VARCHAR), 'null')`).join(', ')}), ',' ORDER BY timestamp)) AS h
    FROM read_parquet('${dir}/data/*.parquet') GROUP BY 1 ORDER BY 1`);
  return Object.fromEntries(rows.map((r) => [String(r['k']), `${String(r['n'])}:${String(r['h'])}`]));
}

/** The rows of a dataset in file order (file name order, then row order): key and timestamp. */
async function fileOrder(dir: string, key = 'machine'): Promise<Array<[string, string]>> {
  const rows = await duck(`SELECT CAST(${key} AS VARCHAR) AS k, CAST(epoch_ms(timestamp) AS VARCHAR) AS t FROM read_parquet('${dir}/data/*.parquet', filename = true) ORDER BY filename, file_row_number`);
  return rows.map((r) => [String(r['k']), String(r['t'])]);
}

function shardFiles(dir: string): Map<string, string> {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { shards: Array<{ file: string; sha256: string }> };
  return new Map(m.shards.map((s) => [s.file, s.sha256]));
}

describe('fleets', () => {
  const base = tempDir('paranom-fleet-');
  const fleet = scenarioFrom(fleetDoc({ count: 7, key: 'machine' }));

  it('plans rectangles within the shard size that tile entities × rows once, in the layout order', () => {
    const et = planGeneration(fleet, { shardRows: SHARD });
    // 30,000-row timelines are packed two to a 65,536-row shard.
    expect(et.shards.map((s) => [s.entityStart, s.entityEnd, s.rowStart, s.rowEnd])).toEqual([[0, 2, 0, ROWS], [2, 4, 0, ROWS], [4, 6, 0, ROWS], [6, 7, 0, ROWS]]);
    const long = planGeneration(scenarioFrom(fleetDoc({ count: 2 }, 100_000)), { shardRows: SHARD });
    expect(long.shards.map((s) => [s.entityStart, s.rowStart, s.rowEnd])).toEqual([[0, 0, SHARD], [0, SHARD, 100_000], [1, 0, SHARD], [1, SHARD, 100_000]]);
    const te = planGeneration(scenarioFrom(fleetDoc({ count: 7, order: 'time_entity' })), { shardRows: SHARD });
    expect(te.shards.every((s) => s.entityStart === 0 && s.entityEnd === 7 && (s.rowEnd - s.rowStart) * 7 <= SHARD)).toBe(true);
    expect(te.shards.map((s) => s.file)).toEqual([...te.shards.map((s) => s.file)].sort());
  });

  it('writes every entity with its key in every row; 1 and 4 workers give the same files; any shard size the same rows', async () => {
    const one = join(base, 'w1');
    const four = join(base, 'w4');
    const big = join(base, 'big');
    await generate(fleet, { out: one, workers: 1, shardRows: SHARD });
    await generate(fleet, { out: four, workers: 4, shardRows: SHARD });
    await generate(fleet, { out: big, workers: 2, shardRows: 4 * SHARD });
    expect([...shardFiles(four)]).toEqual([...shardFiles(one)]);
    expect(shardFiles(big).size).toBe(1);
    const counts = await duck(`SELECT machine, count(*) AS n, count(DISTINCT timestamp) AS t FROM read_parquet('${one}/data/*.parquet') GROUP BY 1 ORDER BY 1`);
    expect(counts).toEqual(Array.from({ length: 7 }, (_, e) => ({ machine: e, n: String(ROWS), t: String(ROWS) })));
    const a = await perEntity(one);
    expect(await perEntity(big)).toEqual(a);
    // entity_time: each entity's rows are contiguous and in time order.
    const order = await fileOrder(big);
    expect(order.map(([k]) => k)).toEqual(Array.from({ length: 7 * ROWS }, (_, i) => String(Math.floor(i / ROWS))));
    expect((await verify(one)).problems).toEqual([]);
  });

  it('gives each entity its own series, and an entity equals the scenario generated alone with its seed', async () => {
    const dir = join(base, 'w1');
    const seeds = await duck(`SELECT machine, CAST(seed AS VARCHAR) AS seed FROM read_parquet('${dir}/entities.parquet') ORDER BY 1`);
    expect(seeds.map((r) => Number(r['seed']))).toEqual(Array.from({ length: 7 }, (_, e) => entitySeed(11, e)));
    expect(new Set(seeds.map((r) => r['seed'])).size).toBe(7);
    const per = await perEntity(dir);
    expect(new Set(Object.values(per)).size).toBe(7);
    // Entity 3 alone: the same scenario without entities, with the seed and parameters entities.parquet gives it.
    const [p] = await duck(`SELECT * FROM read_parquet('${dir}/entities.parquet') WHERE machine = 3`);
    const { entities: _e, ...alone } = fleetDoc({}) as { entities: unknown; anomalies: { kinds: Array<Record<string, unknown>> }; variables: { cpu: { components: Array<Record<string, unknown>> }; mem: { normal: Record<string, unknown> } } };
    alone.anomalies.kinds[0]!['magnitude'] = p!['anomalies.kinds[0].magnitude'];
    alone.variables.cpu.components[0]!['value'] = p!['variables.cpu.components[0].value'];
    alone.variables.mem.normal['sd'] = p!['variables.mem.normal.sd'];
    const solo = join(base, 'alone');
    await generate(scenarioFrom({ ...alone, seed: Number(seeds[3]!['seed']) }), { out: solo, workers: 1 });
    const [r] = await duck(`SELECT count(*) AS n, md5(string_agg(concat_ws('|', ${VALUES.map((c) => `coalesce(CAST(${c} AS VARCHAR), 'null')`).join(', ')}), ',' ORDER BY timestamp)) AS h FROM read_parquet('${solo}/data/*.parquet')`);
    expect(`${String(r!['n'])}:${String(r!['h'])}`).toBe(per['3']);
    // Its events are the entity's rows of the fleet's segment table.
    const fleetEvents = await duck(`SELECT id, kind, start_row, end_row, params FROM read_parquet('${dir}/anomalies.parquet') WHERE machine = 3 ORDER BY id`);
    const soloEvents = await duck(`SELECT id, kind, start_row, end_row, params FROM read_parquet('${solo}/anomalies.parquet') ORDER BY id`);
    expect(fleetEvents.length).toBeGreaterThan(0);
    expect(fleetEvents).toEqual(soloEvents);
  });

  it('reports one chosen entity of a fleet dataset, with its own values; an unknown entity is a usage error', async () => {
    const { datasetReport } = await import('../src/report/dataset.js');
    const dir = join(base, 'w1');
    const page = await datasetReport(dir, { entity: '3' });
    expect(page.time.rows).toBe(ROWS);
    // The page lists the dataset's columns (its key among them) and draws no clean twin it does not hold.
    expect(page.summary.columns.map((c) => c.name)).toEqual(['timestamp', 'machine', ...VALUES.slice(1)]);
    expect(page.series.map((x) => [x.name, x.twin])).toEqual([
      ['cpu', null],
      ['mem', null],
    ]);
    expect(page.notes.join(' ')).toMatch(/Entity 3 \(machine, index 3\) of 7/);
    const w = page.exact[0]!;
    const rows = await duck(`SELECT mem FROM read_parquet('${dir}/data/*.parquet') WHERE machine = 3 ORDER BY timestamp LIMIT ${Math.min(200, w.to - w.from)} OFFSET ${w.from}`);
    // Page arrays are base64 of little-endian Float64Array bytes.
    const b = Buffer.from(w.values['mem']!, 'base64');
    const mem = new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);
    expect(Array.from(mem.subarray(0, rows.length))).toEqual(rows.map((r) => r['mem']));
    await expect(datasetReport(dir, { entity: '99' })).rejects.toThrow(/--entity 99: no such entity; keys are 0 to 6/);
    // A stream is one series: a fleet is refused, not streamed as its template.
    const { streamRows } = await import('../src/run/stream.js');
    const { PassThrough } = await import('node:stream');
    await expect(streamRows(fleet, { out: new PassThrough(), format: 'csv' })).rejects.toThrow(/--stdout streams one series; this scenario is a fleet of 7 entities/);
  });

  it('interleaves rows by timestamp with order: time_entity, with the same series per entity', async () => {
    const dir = join(base, 'te');
    await generate(scenarioFrom(fleetDoc({ count: 7, key: 'machine', order: 'time_entity' })), { out: dir, workers: 2, shardRows: SHARD });
    expect(await perEntity(dir)).toEqual(await perEntity(join(base, 'w1')));
    const order = await fileOrder(dir);
    expect(order.slice(0, 14).map(([k]) => k)).toEqual(['0', '1', '2', '3', '4', '5', '6', '0', '1', '2', '3', '4', '5', '6']);
    for (let i = 1; i < order.length; i++) if (Number(order[i]![1]) < Number(order[i - 1]![1])) throw new Error(`row ${i} goes back in time`);
  });

  it('grows in rows and in entities keeping every earlier shard file, to the rows a fresh run gives', async () => {
    const small = scenarioFrom(fleetDoc({ count: 3, key: 'machine' }, 20_000));
    const dir = join(base, 'grow');
    await generate(small, { out: dir, workers: 2, shardRows: SHARD });
    const first = shardFiles(dir);
    const bytes = new Map([...first.keys()].map((f) => [f, readFileSync(join(dir, f))]));
    await grow(dir, { rows: ROWS }, { workers: 2 });
    const second = shardFiles(dir);
    await grow(dir, { entities: 7 }, { workers: 2 });
    const third = shardFiles(dir);
    for (const [f, h] of first) expect(third.get(f), f).toBe(h);
    for (const [f, h] of second) expect(third.get(f), f).toBe(h);
    for (const [f, b] of bytes) expect(readFileSync(join(dir, f)).equals(b), f).toBe(true);
    expect(third.size).toBeGreaterThan(second.size);
    expect(second.size).toBeGreaterThan(first.size);
    // The grown fleet holds the rows of a fresh 7 × 30,000-row fleet, entity for entity.
    expect(await perEntity(dir)).toEqual(await perEntity(join(base, 'w1')));
    expect((await verify(dir)).problems).toEqual([]);
  });
});

describe('fleets split over machines', () => {
  it('--part K/N runs merge into the dataset one run gives, and merge writes one file DuckDB counts per entity', async () => {
    const { mergeManifests, mergeToFile } = await import('../src/run/merge.js');
    const base = tempDir('paranom-fleet-parts-');
    const s = scenarioFrom(fleetDoc({ names: ['web-1', 'web-2', 'db-1', 'db-2', 'cache'], key: 'host' }));
    const whole = join(base, 'whole');
    const parts = join(base, 'parts');
    await generate(s, { out: whole, workers: 2, shardRows: SHARD });
    for (const k of [1, 2, 3]) await generate(s, { out: parts, workers: 1, shardRows: SHARD, part: { k, n: 3 } });
    await mergeManifests(parts);
    expect([...shardFiles(parts)]).toEqual([...shardFiles(whole)]);
    expect(readFileSync(join(parts, 'anomalies.parquet')).equals(readFileSync(join(whole, 'anomalies.parquet')))).toBe(true);
    expect(readFileSync(join(parts, 'entities.parquet')).equals(readFileSync(join(whole, 'entities.parquet')))).toBe(true);
    const file = join(base, 'merged.parquet');
    await mergeToFile(whole, file);
    const counts = await duck(`SELECT host, count(*) AS n FROM read_parquet('${file}') GROUP BY 1 ORDER BY 1`);
    expect(counts).toEqual(['cache', 'db-1', 'db-2', 'web-1', 'web-2'].map((host) => ({ host, n: String(ROWS) })));
    const keys = await duck(`SELECT host, CAST(seed AS VARCHAR) AS seed FROM read_parquet('${whole}/entities.parquet')`);
    expect(keys.map((r) => r['host'])).toEqual(['web-1', 'web-2', 'db-1', 'db-2', 'cache']);
  });

  it('merge-manifests refuses parts of fleets named differently, naming the first differing entity and both part files', async () => {
    const { mergeManifests } = await import('../src/run/merge.js');
    const base = tempDir('paranom-fleet-parts-');
    const parts = join(base, 'parts');
    const elsewhere = join(base, 'elsewhere');
    // 40,000 rows an entity: a shard each, so each part has shards of its own.
    const named = (names: string[]) => scenarioFrom(fleetDoc({ names, key: 'host' }, 40_000));
    // Two machines whose host lists differ in one name (same length): part 1 here, part 2 there.
    await generate(named(['web-1', 'web-2', 'db-1', 'db-2']), { out: parts, workers: 1, shardRows: SHARD, part: { k: 1, n: 2 } });
    await generate(named(['web-1', 'web-2', 'db-7', 'db-2']), { out: elsewhere, workers: 1, shardRows: SHARD, part: { k: 2, n: 2 } });
    for (const name of ['manifest-part-00002-of-00002.json', 'data']) cpSync(join(elsewhere, name), join(parts, name), { recursive: true });
    const before = readdirSync(parts).sort();
    await expect(mergeManifests(parts)).rejects.toMatchObject({
      code: 'USAGE',
      message: "manifest-part-00002-of-00002.json: belongs to another run than manifest-part-00001-of-00002.json (entity 2 is 'db-1' in manifest-part-00001-of-00002.json, 'db-7' in manifest-part-00002-of-00002.json); merge only the part manifests of one split run",
    });
    // A longer list whose first names agree: the first entity one part has and the other lacks.
    await generate(named(['web-1', 'web-2', 'db-1', 'db-2', 'cache']), { out: join(base, 'longer'), workers: 1, shardRows: SHARD, part: { k: 2, n: 2 } });
    cpSync(join(base, 'longer', 'manifest-part-00002-of-00002.json'), join(parts, 'manifest-part-00002-of-00002.json'));
    await expect(mergeManifests(parts)).rejects.toThrow(/^manifest-part-00002-of-00002\.json: belongs to another run than manifest-part-00001-of-00002\.json \(entity 4 is 'cache' in manifest-part-00002-of-00002\.json, absent in manifest-part-00001-of-00002\.json \(4 named entities in manifest-part-00001-of-00002\.json, 5 in manifest-part-00002-of-00002\.json\)[;)]/);
    expect(readdirSync(parts).sort()).toEqual(before);
  });
});

describe('per-entity parameters', () => {
  it('a parameter drawn for a range of entities at once takes the value each entity draws alone, in the tails too', () => {
    // 20,000 entities reach the normal quantile's tails (and the kernels' slower cases).
    const dists: Distribution[] = [
      { dist: 'normal', mean: 40, sd: 5 },
      { dist: 'lognormal', mu: 1, sigma: 0.2 },
      { dist: 'uniform', min: 2, max: 6 },
      { dist: 'exponential', rate: 0.5 },
      { dist: 'poisson', lambda: 3 },
    ];
    for (const dist of dists) {
      const p = { path: 'variables.x.normal.mean', dist, stream: paramStream(`variables.x.${dist.dist}`), targets: [], checked: [0, 0] };
      const fleet = { count: 20_000, params: [p] } as unknown as Entities;
      const from = 3;
      const range = drawEntityParamRange(9, p, from, 20_000);
      const alone = Float64Array.from({ length: range.length }, (_, i) => drawEntityParams(9, fleet, from + i)[0]!.value);
      expect(new Set(range).size).toBeGreaterThan(dist.dist === 'poisson' ? 5 : 19_000);
      expect(Buffer.from(range.buffer).equals(Buffer.from(alone.buffer))).toBe(true);
    }
  });

  it('a shard\'s entities, their parameters drawn once for the whole range, are each entity\'s scenario alone', () => {
    // Parameters in a process, a distribution and both ends of a kind's range; counts dealt over the fleet.
    for (const anomalies of [undefined, { count: 30, count_per: 'fleet', duration: [5, 20] }]) {
      const d = fleetDoc({ count: 40, key: 'machine' });
      const s = scenarioFrom(anomalies ? { ...d, anomalies } : d);
      const shard = entityScenarios(s, 7, 31);
      for (let e = 7; e < 31; e++) expect(shard(e)).toEqual(entityScenario(s, e));
      expect(shard(8).seed).not.toBe(shard(7).seed);
      expect(shard(8).variables[0]).not.toEqual(shard(7).variables[0]);
      expect(() => shard(31)).toThrow(/outside/);
    }
  });

  it("a shard's pipeline, compiled for its first entity and rebound for each next, gives each entity's rows as generating it alone", () => {
    // Rebound: processes (per-entity numbers in a constant, a wave's amplitude and a noise sd),
    // a distribution without per-entity numbers; compiled again: a distribution with one, a
    // walk. Kinds hold anchors (flat_line from before the shard's rows), masks (dropout) and
    // component factors (variance); most entities have events.
    const s = scenarioFrom({
      name: 'rebind-test',
      seed: 5,
      timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows: 4000 },
      entities: { count: 30, key: 'machine' },
      anomalies: {
        frequency: 0.2,
        duration: [20, 120],
        kinds: [
          { kind: 'spike', magnitude: [5, 9], variables: ['cpu'] },
          { kind: 'flat_line' },
          { kind: 'dropout', rate: 0.5, variables: ['mem', 'load'] },
          { kind: 'variance', factor: [2, 3], variables: ['cpu'] },
          { kind: 'level_shift', shift: { per_entity: { dist: 'uniform', min: 2, max: 4 } } },
        ],
      },
      variables: {
        cpu: {
          type: 'process',
          components: [
            { type: 'constant', value: { per_entity: { dist: 'normal', mean: 40, sd: 5 } } },
            { type: 'sine', period: '1h', amplitude: { per_entity: { dist: 'uniform', min: 2, max: 6 } } },
            { type: 'trend', coefficients: [0, 0.5], unit: '1d' },
            { type: 'noise', sd: { per_entity: { dist: 'uniform', min: 0.5, max: 2 } } },
          ],
        },
        load: { type: 'process', components: [{ type: 'random_walk', sd: 0.3 }, { type: 'noise', sd: 1 }] },
        mem: { normal: { dist: 'normal', mean: { per_entity: { dist: 'uniform', min: 50, max: 70 } }, sd: 3 } },
        disk: { dtype: 'int32', normal: { dist: 'uniform', min: 0, max: 100 } },
        state: { normal: { dist: 'categorical', values: ['idle', 'busy'], weights: [0.3, 0.7] } },
      },
    });
    const [from, to, rowStart, rowEnd] = [3, 29, 1500, 2700];
    const span = rowEnd - rowStart;
    const shard = generateFleetShard(s, { entityStart: from, entityEnd: to, rowStart, rowEnd });
    let events = 0;
    for (let e = from; e < to; e++) {
      const alone = generateShard(entityScenario(s, e), rowStart, rowEnd);
      const j = e - from;
      events += alone.events.length;
      expect(shard.isAnomaly.subarray(j * span, (j + 1) * span)).toEqual(alone.isAnomaly);
      expect(shard.anomalyId.subarray(2 * j * span, 2 * (j + 1) * span)).toEqual(alone.anomalyId);
      for (const c of alone.values) {
        const w = c.dtype === 'int64' ? 2 : 1;
        const inShard = shard.values.find((x) => x.name === c.name)!;
        expect(inShard.data.subarray(w * j * span, w * (j + 1) * span), `${c.name} of entity ${e}`).toEqual(c.data);
        if (c.valid) expect(inShard.valid!.subarray(j * span, (j + 1) * span), `${c.name} nulls of entity ${e}`).toEqual(c.valid);
      }
    }
    expect(events).toBeGreaterThan(to - from);
    expect(shard.values.find((c) => c.name === 'mem')!.valid!.includes(0)).toBe(true);
  });

  it('draws each parameter once per entity from its declared distribution, recorded in entities.parquet and used by the entity', async () => {
    const dir = join(tempDir('paranom-fleet-params-'), 'p');
    const n = 2000;
    const s = scenarioFrom({
      name: 'params',
      seed: 5,
      timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: 50 },
      entities: { count: n, key: 'unit' },
      variables: { level: { normal: { dist: 'normal', mean: { per_entity: { dist: 'normal', mean: 20, sd: 3 } }, sd: 0.01 } }, gain: { type: 'process', components: [{ type: 'constant', value: { per_entity: { dist: 'uniform', min: 1, max: 2 } } }] } },
    });
    await generate(s, { out: dir, workers: 2 });
    const params = await duck(`SELECT unit, "variables.level.normal.mean" AS mean, "variables.gain.components[0].value" AS gain FROM read_parquet('${dir}/entities.parquet') ORDER BY unit`);
    expect(params).toHaveLength(n);
    // Kolmogorov–Smirnov against the declared distributions (critical value 1.63/√n at the 1% level).
    const ks = (xs: number[], cdf: (x: number) => number) => {
      const sorted = [...xs].sort((a, b) => a - b);
      return sorted.reduce((d, x, i) => Math.max(d, Math.abs(cdf(x) - i / n), Math.abs(cdf(x) - (i + 1) / n)), 0);
    };
    const erf = (x: number) => {
      // Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7), enough for a KS bound of 0.036.
      const t = 1 / (1 + 0.3275911 * Math.abs(x));
      const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
      return x >= 0 ? y : -y;
    };
    expect(ks(params.map((r) => Number(r['mean'])), (x) => 0.5 * (1 + erf((x - 20) / (3 * Math.SQRT2))))).toBeLessThan(1.63 / Math.sqrt(n));
    expect(ks(params.map((r) => Number(r['gain'])), (x) => Math.min(1, Math.max(0, x - 1)))).toBeLessThan(1.63 / Math.sqrt(n));
    // Each entity's rows follow its own parameters.
    const rows = await duck(`SELECT unit, avg(level) AS level, min(gain) AS lo, max(gain) AS hi FROM read_parquet('${dir}/data/*.parquet') GROUP BY 1 ORDER BY 1`);
    rows.forEach((r, e) => {
      expect(Math.abs(Number(r['level']) - Number(params[e]!['mean']))).toBeLessThan(0.01);
      expect(r['lo']).toBe(params[e]!['gain']);
      expect(r['hi']).toBe(params[e]!['gain']);
    });
  });

  it('refuses per_entity without a fleet, on a non-numeric distribution, with values the parameter cannot take, and where the value is derived', () => {
    const doc = (variables: Record<string, unknown>, entities: unknown = { count: 10 }) => ({ name: 'x', timeline: { rows: 100 }, ...(entities ? { entities } : {}), variables });
    const issues = (d: unknown) => {
      try {
        scenarioFrom(d);
      } catch (err) {
        return (err as { issues: Array<{ path: string; message: string }> }).issues.map((i) => `${i.path}: ${i.message}`);
      }
      return [];
    };
    expect(issues(doc({ v: { normal: { dist: 'normal', mean: { per_entity: { dist: 'normal', mean: 0, sd: 1 } }, sd: 1 } } }, null))).toContainEqual(expect.stringMatching(/^variables\.v\.normal\.mean: per_entity needs a fleet/));
    expect(issues(doc({ v: { normal: { dist: 'normal', mean: { per_entity: { dist: 'categorical', values: ['a'], weights: [1] } }, sd: 1 } } }))).toContainEqual(expect.stringMatching(/^variables\.v\.normal\.mean\.per_entity: draws a number per entity/));
    expect(issues(doc({ v: { normal: { dist: 'normal', mean: 0, sd: { per_entity: { dist: 'normal', mean: 1, sd: 1 } } } } }))).toContainEqual(expect.stringMatching(/^variables\.v\.normal\.sd: must be > 0, got -.*\(the smallest per-entity value drawn, for entity \d+/));
    expect(issues(doc({ v: { type: 'process', components: [{ type: 'ar', coefficients: [{ per_entity: { dist: 'uniform', min: 0.1, max: 0.9 } }], sd: 1 }] } }))).toContainEqual(expect.stringMatching(/^variables\.v\.components\[0\]\.coefficients\[0\]: cannot vary per entity: the generator uses it converted or derived/));
  });
});

describe('uniqueness in a fleet', () => {
  const doc = (entities: Record<string, unknown> | null, mode: string, max: number) => ({
    name: 'fleet-unique',
    seed: 3,
    timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: 3000 },
    ...(entities ? { entities } : {}),
    uniqueness: { key: ['code'], normal: { mode, tries: 50 }, ...(entities ? { scope: 'entity' } : {}) },
    variables: { code: { dtype: 'int32', normal: { dist: 'integer', min: 0, max } }, load: { normal: { dist: 'normal', mean: 1, sd: 1 } } },
  });

  it('scope: entity makes each entity unique within itself, exactly as the entity alone, for any worker count', async () => {
    const base = tempDir('paranom-fleet-unique-');
    const s = scenarioFrom(doc({ count: 4, key: 'unit' }, 'hard', 4999));
    const [one, two] = [join(base, 'w1'), join(base, 'w2')];
    const r = await generate(s, { out: one, workers: 1, shardRows: SHARD });
    await generate(s, { out: two, workers: 2, shardRows: SHARD });
    expect([...shardFiles(two)]).toEqual([...shardFiles(one)]);
    expect(r.manifest.uniqueness!.normal.retried_rows).toBeGreaterThan(0);
    const dup = await duck(`SELECT unit, count(*) - count(DISTINCT code) AS d FROM read_parquet('${one}/data/*.parquet') GROUP BY 1 ORDER BY 1`);
    expect(dup.map((x) => Number(x['d']))).toEqual([0, 0, 0, 0]);
    // Across entities the same codes recur: uniqueness is per entity.
    const [across] = await duck(`SELECT count(*) - count(DISTINCT code) AS d FROM read_parquet('${one}/data/*.parquet')`);
    expect(Number(across!['d'])).toBeGreaterThan(0);
    const alone = join(base, 'alone');
    await generate(scenarioFrom({ ...doc(null, 'hard', 4999), seed: entitySeed(3, 2) }), { out: alone, workers: 1 });
    const q = (dir: string, where: string) => duck(`SELECT md5(string_agg(concat_ws('|', code, load), ',' ORDER BY timestamp)) AS h FROM read_parquet('${dir}/data/*.parquet') WHERE ${where}`);
    expect(await q(one, 'unit = 2')).toEqual(await q(alone, 'true'));
    expect((await verify(one)).problems).toEqual([]);
  });

  it("the manifest's figures add up every entity's, however the dataset was made: in parts, grown in entities (before: a part's or the new entities' alone)", async () => {
    const base = tempDir('paranom-fleet-unique-figures-');
    // 40,000 rows an entity: shards of one entity (entity_time) or of 13,107 timestamps × 5 entities (time_entity), in 3 parts.
    const s = (count: number, order: string) => scenarioFrom({ ...doc({ count, order }, 'soft', 99_999), timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: 40_000 }, uniqueness: { key: ['code'], normal: { mode: 'soft', tries: 2 } } });
    for (const order of ['entity_time', 'time_entity']) {
      const whole = (await generate(s(5, order), { out: join(base, `whole-${order}`), workers: 2, shardRows: SHARD })).manifest;
      expect(whole.shards.length).toBeGreaterThanOrEqual(4);
      expect(whole.uniqueness!.normal.rows).toBe(200_000);
      expect(whole.uniqueness!.normal.non_unique_rows).toBeGreaterThan(0);
      const parted = join(base, `parts-${order}`);
      for (const k of [1, 2, 3]) await generate(s(5, order), { out: parted, workers: 1, shardRows: SHARD, part: { k, n: 3 } });
      expect((await mergeManifests(parted)).uniqueness, order).toEqual(whole.uniqueness);
      const grown = join(base, `grown-${order}`);
      await generate(s(3, order), { out: grown, workers: 1, shardRows: SHARD });
      expect((await grow(grown, { entities: 5 }, { workers: 1 })).manifest.uniqueness, order).toEqual(whole.uniqueness);
    }
  });

  it('a hard failure names the entity; scope: fleet is refused with a way out', async () => {
    const s = scenarioFrom(doc({ count: 3 }, 'hard', 999));
    await expect(generate(s, { out: join(tempDir(), 'x'), workers: 1 })).rejects.toThrow(/entity 0 \(index 0\): hard uniqueness failed at normal row \d+/);
    expect(() => scenarioFrom({ ...doc({ count: 3 }, 'soft', 999), uniqueness: { key: ['code'], normal: { mode: 'soft' }, scope: 'fleet' } })).toThrow(/uniqueness\.scope: 'fleet' \(unique across all entities\) is not supported yet/);
  });

  it("refuses outages that would change a key variable, as it refuses such kinds (before: a flat_line outage wrote one key on every row it held, under hard uniqueness)", () => {
    const outages = (variables?: string[]) => ({ frequency: 0.05, duration: [20, 50], share: 1, kind: 'flat_line', ...(variables ? { variables } : {}) });
    const withOutages = (o: Record<string, unknown>) => ({ ...doc({ count: 4, key: 'unit' }, 'hard', 999_999), uniqueness: { key: ['code'], normal: { mode: 'hard', tries: 50 }, anomalous: { mode: 'hard', tries: 50 }, scope: 'entity' }, anomalies: { frequency: 0.01, duration: [5, 20], outages: o } });
    // Named, and by default (every numeric variable).
    for (const o of [outages(['code']), outages()]) expect(() => scenarioFrom(withOutages(o))).toThrow(/anomalies\.outages: flat_line outages would change code, which is part of the uniqueness key; exclude it with variables: \[\.\.\.\]/);
    expect(() => scenarioFrom(withOutages(outages(['load'])))).not.toThrow();
  });
});

describe('outages: fleet-wide events', () => {
  const doc = (outages: Record<string, unknown> | null, count: number, rows = 6000) => {
    const d = fleetDoc({ count, key: 'machine' }, rows) as { anomalies: Record<string, unknown>; variables: Record<string, unknown> };
    if (outages) d.anomalies = { ...d.anomalies, outages };
    return d;
  };
  const OUT = { frequency: 0.06, duration: [100, 300], share: 0.4, kind: 'flat_line', variables: ['cpu'] };

  it('hit the entities the segment table lists, at the same rows, leaving every other row as without outages; growth keeps the files', async () => {
    const base = tempDir('paranom-fleet-outage-');
    const [a, b, none, grown] = ['a', 'b', 'none', 'grown'].map((x) => join(base, x)) as [string, string, string, string];
    const ra = await generate(scenarioFrom(doc(OUT, 12)), { out: a, workers: 1, shardRows: SHARD });
    await generate(scenarioFrom(doc(OUT, 12)), { out: b, workers: 4, shardRows: 2 * SHARD });
    const rn = await generate(scenarioFrom(doc(null, 12)), { out: none, workers: 2, shardRows: SHARD });
    // The printed fraction counts the outages' rows, which the requested frequency does not: the line says so.
    expect(ra.manifest.anomalies.realised.anomalous_rows).toBeGreaterThan(rn.manifest.anomalies.realised.anomalous_rows);
    expect(formatRunReport(ra, a, 1)).toMatch(/\(fraction [0-9.]+ with the fleet's outages; requested fraction [0-9.]+, for events alone\)/);
    expect(formatRunReport(rn, none, 1)).not.toContain('outages');
    expect(await perEntity(b)).toEqual(await perEntity(a));
    const outages = await duck(`SELECT id, start_row, end_row, entities FROM read_parquet('${a}/anomalies.parquet') WHERE machine IS NULL ORDER BY id`);
    expect(outages.length).toBeGreaterThan(0);
    for (const o of outages) {
      const listed = String(o['entities']).split(',').filter(Boolean).map(Number);
      expect(listed.length).toBeGreaterThan(0);
      expect(listed.length).toBeLessThan(12);
      // Every listed entity carries the outage's id on exactly its rows, with cpu held flat.
      const rows = await duck(`SELECT machine, count(*) AS n, count(DISTINCT cpu) AS flat, min(epoch_ms(timestamp)) AS t0 FROM read_parquet('${a}/data/*.parquet') WHERE anomaly_id = ${String(o['id'])} GROUP BY 1 ORDER BY 1`);
      expect(rows.map((r) => r['machine'])).toEqual(listed);
      for (const r of rows) {
        expect(Number(r['n'])).toBe(Number(o['end_row']) - Number(o['start_row']) + 1);
        expect(Number(r['flat'])).toBe(1);
      }
    }
    // Rows no outage covers are the rows of the same fleet without outages.
    const outside = (dir: string) => duck(`SELECT machine, md5(string_agg(concat_ws('|', cpu, mem, anomaly_id), ',' ORDER BY timestamp)) AS h FROM read_parquet('${dir}/data/*.parquet') WHERE coalesce(anomaly_id, 0) >= 0 GROUP BY 1 ORDER BY 1`);
    const withOut = await outside(a);
    const without = await duck(`SELECT d.machine, md5(string_agg(concat_ws('|', d.cpu, d.mem, d.anomaly_id), ',' ORDER BY d.timestamp)) AS h FROM read_parquet('${none}/data/*.parquet') d
      JOIN read_parquet('${a}/data/*.parquet') o ON o.machine = d.machine AND o.timestamp = d.timestamp WHERE coalesce(o.anomaly_id, 0) >= 0 GROUP BY 1 ORDER BY 1`);
    expect(withOut).toEqual(without);
    // Growth in rows and entities keeps every file and gives the rows of a fresh run.
    await generate(scenarioFrom(doc(OUT, 8, 3000)), { out: grown, workers: 2, shardRows: SHARD });
    const first = shardFiles(grown);
    await grow(grown, { rows: 6000, entities: 12 }, { workers: 2 });
    const after = shardFiles(grown);
    for (const [f, h] of first) expect(after.get(f), f).toBe(h);
    expect(await perEntity(grown)).toEqual(await perEntity(a));
    expect((await verify(grown)).problems).toEqual([]);
  });

  it('never act on an id column, unique by construction: left out of the default targets, refused when named (before: a flat_line outage repeated ids)', async () => {
    const withId = (o: Record<string, unknown>) => {
      const d = doc(o, 3, 5000) as { variables: Record<string, unknown> };
      return { ...d, variables: { ...d.variables, order_id: { type: 'id', min: 1000, max: 9_999_999 } } };
    };
    const out = join(tempDir('paranom-fleet-outage-id-'), 'x');
    const r = await generate(scenarioFrom(withId({ frequency: 0.05, duration: [20, 50], share: 1, kind: 'flat_line' })), { out, workers: 1 });
    expect(r.manifest.anomalies.realised.anomalous_rows).toBeGreaterThan(0);
    const rows = await duck(`SELECT machine, count(*) AS n, count(DISTINCT order_id) AS d, count(*) FILTER (WHERE anomaly_id < 0) AS outage FROM read_parquet('${out}/data/*.parquet') GROUP BY 1 ORDER BY 1`);
    expect(rows.map((x) => Number(x['d']))).toEqual(rows.map((x) => Number(x['n'])));
    expect(rows.every((x) => Number(x['outage']) > 0)).toBe(true);
    expect(() => scenarioFrom(withId({ frequency: 0.05, duration: [20, 50], share: 1, kind: 'flat_line', variables: ['order_id'] }))).toThrow(/anomalies\.outages\.variables\[0\]: 'order_id' is an id variable, unique by construction; outages do not act on it/);
  });
});

describe('a flat_line outage over an entity\'s dropout', () => {
  it('holds a missing start value missing, never the NaN or 0 a dropout leaves in the cell; any layout gives the same rows', async () => {
    const doc = (order: string) => ({
      name: 'outage-dropout',
      seed: 4,
      timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows: 600 },
      entities: { count: 256, key: 'machine', order },
      anomalies: {
        frequency: 0.3,
        duration: [20, 40],
        kinds: [{ kind: 'dropout', rate: 0.7 }],
        outages: { frequency: 0.3, duration: [40, 80], share: 1, kind: 'flat_line' },
      },
      variables: { f: { normal: { dist: 'normal', mean: 5, sd: 1 } }, n: { dtype: 'int32', normal: { dist: 'integer', min: 1, max: 9 } } },
    });
    const base = tempDir('paranom-fleet-outage-dropout-');
    // time_entity: shards of 256 timestamps, so outages also start before a shard's rows.
    const [te, et] = [join(base, 'te'), join(base, 'et')];
    await generate(scenarioFrom(doc('time_entity')), { out: te, workers: 2, shardRows: SHARD });
    await generate(scenarioFrom(doc('entity_time')), { out: et, workers: 2, shardRows: SHARD });
    // Each entity's rows of each outage, with the value at the outage's start row.
    const groups = await duck(`WITH d AS (SELECT machine, row_number() OVER (PARTITION BY machine ORDER BY timestamp) - 1 AS r, f, n, anomaly_id FROM read_parquet('${te}/data/*.parquet')),
      o AS (SELECT id, start_row FROM read_parquet('${te}/anomalies.parquet') WHERE machine IS NULL)
      SELECT d.machine, o.start_row, count(*) AS rows, count(d.n) AS n_present, count(d.f) AS f_present,
        count(DISTINCT d.n) AS n_values, count(DISTINCT d.f) AS f_values, min(d.n) AS n_min,
        bool_or(d.r = o.start_row AND d.n IS NULL) AS n_starts_missing, bool_or(d.r = o.start_row AND d.f IS NULL) AS f_starts_missing
      FROM d JOIN o ON d.anomaly_id = o.id GROUP BY ALL`);
    const missing = groups.filter((g) => g['n_starts_missing'] === true);
    expect(missing.length).toBeGreaterThan(0);
    // Some of them start in an earlier shard than rows they cover.
    expect(missing.some((g) => Math.floor(Number(g['start_row']) / 256) !== Math.floor((Number(g['start_row']) + Number(g['rows']) - 1) / 256))).toBe(true);
    for (const g of groups) {
      // Before: the dropout's 0 was held in the integer column, and the float's NaN stopped the run.
      // A start that is missing: every row of the flat line is missing; otherwise one value held.
      if (g['n_starts_missing'] === true) expect(Number(g['n_present'])).toBe(0);
      else expect(Number(g['n_values'])).toBe(1);
      if (g['f_starts_missing'] === true) expect(Number(g['f_present'])).toBe(0);
      else expect(Number(g['f_values'])).toBe(1);
      if (g['n_min'] !== null) expect(Number(g['n_min'])).toBeGreaterThanOrEqual(1);
    }
    const series = (dir: string) => duck(`SELECT machine, md5(string_agg(concat_ws('|', coalesce(CAST(f AS VARCHAR), 'null'), coalesce(CAST(n AS VARCHAR), 'null'), anomaly_id), ',' ORDER BY timestamp)) AS h FROM read_parquet('${dir}/data/*.parquet') GROUP BY 1 ORDER BY 1`);
    expect(await series(te)).toEqual(await series(et));
    expect((await verify(te)).problems).toEqual([]);
  });
});

describe('entity names beside outages', () => {
  it('refuse a comma, which the outages\' entities column would read as two names; grow checks appended names too', async () => {
    const OUT = { frequency: 0.06, duration: [100, 300], share: 0.4, kind: 'flat_line', variables: ['cpu'] };
    const withOutages = (entities: Record<string, unknown>) => {
      const d = fleetDoc(entities, 3000) as { anomalies: Record<string, unknown> };
      d.anomalies = { ...d.anomalies, outages: OUT };
      return d;
    };
    // Before: an outage hitting 'db 2' and 'x,y' was listed as "db 2,x,y".
    expect(() => scenarioFrom(withOutages({ names: ['db 2', 'x,y'], key: 'host' }))).toThrow(/entities\.names: entry 1: the name holds a comma, but the segment table lists the entities each outage hits separated by commas/);
    // Without outages no names are listed, so a comma is fine.
    expect(scenarioFrom(fleetDoc({ names: ['db 2', 'x,y'], key: 'host' })).entities!.names).toEqual(['db 2', 'x,y']);
    const dir = tempDir('paranom-fleet-comma-');
    writeFileSync(join(dir, 'hosts.txt'), 'a\nb\n');
    const out = join(dir, 'out');
    await generate(parseScenario(JSON.stringify(withOutages({ source: 'hosts.txt', key: 'host' })), join(dir, 'fleet.json')), { out, workers: 1 });
    writeFileSync(join(dir, 'hosts.txt'), 'a\nb\nc,d\n');
    await expect(grow(out, { entities: 3 }, { workers: 1 })).rejects.toThrow(/entities\.source hosts\.txt: "c,d": the name holds a comma/);
  });
});

describe('outages and the clean twin', () => {
  /** Per entity, in time order: the listed columns' values. */
  const series = (dir: string, cols: string[]) =>
    duck(`SELECT machine, md5(string_agg(concat_ws('|', ${cols.join(', ')}), ',' ORDER BY timestamp)) AS h FROM read_parquet('${dir}/data/*.parquet') GROUP BY 1 ORDER BY 1`);
  const columnsOf = async (dir: string) => (await duck(`DESCRIBE SELECT * FROM read_parquet('${dir}/data/*.parquet')`)).map((r) => String(r['column_name']));

  it('--with-clean twins every outage target, holding the values the fleet has without any anomaly or outage', async () => {
    const base = tempDir('paranom-fleet-twin-');
    const outages = { frequency: 0.08, duration: [100, 300], share: 0.6, kind: 'level_shift', amount: [20, 30], variables: ['cpu', 'mem'] };
    const d = (anomalies: Record<string, unknown> | undefined) => {
      const doc = fleetDoc({ count: 6, key: 'machine' }, 6000) as Record<string, unknown>;
      if (anomalies) doc['anomalies'] = anomalies;
      else delete doc['anomalies'];
      return scenarioFrom(doc);
    };
    const clean = join(base, 'clean');
    await generate(d(undefined), { out: clean, workers: 1 });
    const expected = await series(clean, ['cpu', 'mem']);
    // Events reach cpu only; outages move cpu and mem. Then outages alone.
    const plans = {
      both: { frequency: 0.01, duration: [5, 40], kinds: [{ kind: 'spike', magnitude: [8, 12], variables: ['cpu'] }], outages },
      outages: { outages },
    };
    for (const [name, plan] of Object.entries(plans)) {
      const out = join(base, name);
      const r = await generate(d(plan), { out, workers: 2, withClean: true });
      expect(r.manifest.columns.map((c) => c.name), name).toEqual(await columnsOf(out));
      expect(await columnsOf(out), name).toEqual(expect.arrayContaining(['cpu_clean', 'mem_clean']));
      // The outages did move the values, and the twins hold none of it.
      expect(await series(out, ['mem']), name).not.toEqual(expected);
      expect(await series(out, ['cpu_clean', 'mem_clean']), name).toEqual(expected);
    }
    // The report lists the twins the files hold, and draws the one its entity has (mem's is an outage's, not drawn alone).
    const { datasetReport } = await import('../src/report/dataset.js');
    const page = await datasetReport(join(base, 'both'));
    expect(page.summary.columns.map((c) => c.name)).toEqual(await columnsOf(join(base, 'both')));
    expect(page.series.map((x) => [x.name, x.twin])).toEqual([
      ['cpu', 'cpu_clean'],
      ['mem', null],
    ]);
  });

  it('a one-series scenario without anomalies lists its --with-clean twins in the manifest, as its files hold them', async () => {
    const out = join(tempDir('paranom-twin-none-'), 'ds');
    const r = await generate(scenarioFrom({ name: 'n', seed: 1, timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: 1000 }, variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 }, anomalous: { dist: 'normal', mean: 0, sd: 9 } } } }), { out, withClean: true });
    const cols = (await duck(`DESCRIBE SELECT * FROM read_parquet('${out}/data/*.parquet')`)).map((c) => String(c['column_name']));
    expect(r.manifest.columns.map((c) => c.name)).toEqual(cols);
    expect(cols).toContain('x_clean');
  });
});

describe('anomaly counts over the fleet', () => {
  it('count_per: fleet deals exactly count events over the entities; an entity alone places its share; the dataset says it cannot grow', async () => {
    const base = tempDir('paranom-fleet-count-');
    const d = fleetDoc({ count: 50, key: 'machine' }, 2000) as { anomalies: Record<string, unknown> };
    d.anomalies = { count: 40, count_per: 'fleet', duration: [5, 20], kinds: [{ kind: 'level_shift', shift: [3, 6] }] };
    const dir = join(base, 'f');
    const r = await generate(scenarioFrom(d), { out: dir, workers: 2 });
    expect(r.manifest.growth_stable).toBe(false);
    expect(r.manifest.anomalies.realised.events).toBe(40);
    const per = await duck(`SELECT machine, count(*) AS n FROM read_parquet('${dir}/anomalies.parquet') GROUP BY 1 ORDER BY 2 DESC, 1`);
    expect(per.reduce((a, x) => a + Number(x['n']), 0)).toBe(40);
    expect(per.length).toBeGreaterThan(20);
    // The busiest entity alone: its seed, its parameters, and its share as the count.
    const e = Number(per[0]!['machine']);
    const [p] = await duck(`SELECT * FROM read_parquet('${dir}/entities.parquet') WHERE machine = ${e}`);
    const { entities: _f, ...alone } = structuredClone(d) as unknown as { entities: unknown; anomalies: Record<string, unknown>; variables: { cpu: { components: Array<Record<string, unknown>> }; mem: { normal: Record<string, unknown> } } };
    alone.anomalies = { count: Number(per[0]!['n']), duration: [5, 20], kinds: [{ kind: 'level_shift', shift: [3, 6] }] };
    alone.variables.cpu.components[0]!['value'] = p!['variables.cpu.components[0].value'];
    alone.variables.mem.normal['sd'] = p!['variables.mem.normal.sd'];
    const solo = join(base, 'alone');
    await generate(scenarioFrom({ ...alone, seed: Number(p!['seed']) }), { out: solo, workers: 1 });
    const q = (dir2: string, where: string) => duck(`SELECT md5(string_agg(concat_ws('|', cpu, mem, is_anomaly, anomaly_id), ',' ORDER BY timestamp)) AS h FROM read_parquet('${dir2}/data/*.parquet') WHERE ${where}`);
    expect(await q(dir, `machine = ${e}`)).toEqual(await q(solo, 'true'));
    // The way out it names is one that exists: generate has no --entities (before: "generate it again with --rows 1000").
    await expect(grow(dir, { entities: 60 })).rejects.toThrow(/cannot grow with its rows unchanged — generate it again from its scenario with 60 entities$/);
    // The same run again keeps every shard (its identity is the manifest's).
    const again = await generate(scenarioFrom(d), { out: dir, workers: 2 });
    expect(again.generated).toBe(0);
    expect(again.reused).toBe(r.manifest.shards.length);
    expect(() => scenarioFrom({ ...d, anomalies: { frequency: 0.01, count_per: 'fleet', duration: [5, 20] } })).toThrow(/anomalies\.count_per: fleet spreads anomalies\.count over the fleet; it needs 'count'/);
  });
});

describe('a fleet shard\'s events for the segment table', () => {
  it('measured from the entities its generation found are those measured by building each entity again: kept, dropped and described alike', () => {
    // min_effect drops some events (a `dropped` count to compare); a per-entity magnitude
    // makes each entity's scenario its own.
    const d = fleetDoc({ count: 16, key: 'machine' }, 2000) as { anomalies: Record<string, unknown> };
    d.anomalies = { ...d.anomalies, frequency: 0.02, min_effect: { value: 2, tries: 1 } };
    const s = scenarioFrom(d);
    const shard = { entityStart: 2, entityEnd: 15, rowStart: 500, rowEnd: 1800 };
    const starting: EntityStarts[] = [];
    generateFleetShard(s, shard, undefined, undefined, undefined, starting);
    const fromGeneration = fleetShardSegments(s, shard, undefined, starting);
    const rebuilt = fleetShardSegments(s, shard);
    expect(rebuilt.segments.length).toBeGreaterThan(5);
    expect(rebuilt.dropped).toBeGreaterThan(0);
    expect(fromGeneration).toEqual(rebuilt);
    // Only entities with an event starting in the shard's rows are kept, each once, in order.
    const entities = starting.map((x) => x.entity);
    expect(entities).toEqual([...new Set(entities)].sort((a, b) => a - b));
    expect(entities.length).toBeLessThan(shard.entityEnd - shard.entityStart);
    for (const x of starting) for (const e of x.placed) expect(e.start >= shard.rowStart && e.start < shard.rowEnd).toBe(true);
  });
});

describe('a fleet run killed between a shard landing and its journal line', () => {
  it('finds that shard file its own on the next run, which completes the dataset with the bytes of an uninterrupted one', async () => {
    const base = tempDir();
    const doc = {
      name: 'fleet-kill',
      seed: 4,
      timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows: 20_000 },
      entities: { count: 40, key: 'unit' },
      anomalies: { frequency: 0.02, duration: [3, 9] },
      variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 }, anomalous: { dist: 'uniform', min: 5, max: 9 } } },
    };
    const file = join(base, 'fleet.json');
    writeFileSync(file, JSON.stringify(doc));
    const out = join(base, 'killed');
    const args = ['dist/src/cli/main.js', 'generate', file, '--out', out, '--shard-rows', '65536', '--workers', '1'];
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    const journal = join(out, '.paranom-run.jsonl');
    const shardLines = () => (existsSync(journal) ? readFileSync(journal, 'utf8').split('\n').filter((l) => l.includes('"sha256"')).length : 0);
    for (let i = 0; i < 600 && shardLines() < 2; i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(join(out, 'manifest.json'))).toBe(false);
    // The moment a kill can also fall on: shard files in place, none of them in the journal yet.
    const lines = readFileSync(journal, 'utf8').split('\n').filter(Boolean);
    expect(lines.some((l) => l.includes('"planned"'))).toBe(true);
    writeFileSync(journal, lines.filter((l) => !l.includes('"sha256"')).join('\n') + '\n');
    const landed = readdirSync(join(out, 'data')).filter((f) => f.endsWith('.parquet'));
    expect(landed.length).toBeGreaterThanOrEqual(2);

    const again = spawnSync(process.execPath, args, { encoding: 'utf8' });
    expect(again.status, again.stderr).toBe(0);
    const clean = join(base, 'clean');
    expect(spawnSync(process.execPath, [...args.slice(0, 4), clean, ...args.slice(5)], { encoding: 'utf8' }).status).toBe(0);
    const tree = (d: string) => Object.fromEntries(['anomalies.parquet', 'entities.parquet', ...readdirSync(join(d, 'data')).map((f) => `data/${f}`)].map((f) => [f, createHash('sha256').update(readFileSync(join(d, f))).digest('hex')]));
    expect(tree(out)).toEqual(tree(clean));
    expect((await verify(out, { sampleBlocks: 2 })).problems).toEqual([]);
  }, 120_000);
});
