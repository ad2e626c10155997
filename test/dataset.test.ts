/**
 * Whole datasets through the worker pool, read back by an independent reader (DuckDB):
 * layout, types, row counts, labels, segment table, provenance, byte-identical reruns.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tableFromIPC } from 'apache-arrow';
import { generate } from '../src/run/generate.js';
import { verify } from '../src/run/verify.js';
import type { Manifest } from '../src/dataset/manifest.js';
import { duck, scenarioFrom, tempDir, VALVE } from './helpers.js';
import { withCleanTwin } from '../src/anomaly/kinds/clean-twin.js';

const scenario = scenarioFrom({ ...VALVE, timeline: { ...VALVE.timeline, rows: 300_000 } });
let out: string;
let manifest: Manifest;

beforeAll(async () => {
  out = join(tempDir(), 'valve');
  ({ manifest } = await generate(scenario, { out, workers: 2, shardRows: 131_072 }));
});

describe('a generated Parquet dataset', () => {
  it('has the documented layout and a manifest with per-shard ranges and hashes', () => {
    expect(readdirSync(out).sort()).toEqual(['anomalies.parquet', 'data', 'manifest.json']);
    expect(readdirSync(join(out, 'data'))).toEqual(['part-00000.parquet', 'part-00001.parquet', 'part-00002.parquet']);
    expect(manifest.rows).toBe(300_000);
    expect(manifest.shards.map((s) => [s.row_start, s.row_end])).toEqual([[0, 131_072], [131_072, 262_144], [262_144, 300_000]]);
    for (const s of manifest.shards) expect(s.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.prng).toBe('philox4x32-10');
    expect(manifest.growth_stable).toBe(true);
    expect(JSON.stringify(manifest)).not.toMatch(/20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d.\d+Z.*generated|hostname/);
  });

  it('reads in DuckDB as one table with the declared types and row count', async () => {
    const cols = await duck(`DESCRIBE SELECT * FROM read_parquet('${out}/data/*.parquet')`);
    expect(cols.map((c) => [c['column_name'], c['column_type']])).toEqual([
      ['timestamp', 'TIMESTAMP WITH TIME ZONE'],
      ['temperature', 'DOUBLE'],
      ['pressure', 'FLOAT'],
      ['flow', 'BIGINT'],
      ['state', 'VARCHAR'],
      ['door_open', 'BOOLEAN'],
      ['level', 'INTEGER'],
      ['is_anomaly', 'BOOLEAN'],
      ['anomaly_id', 'BIGINT'],
    ]);
    const [r] = await duck(`SELECT count(*) AS n, min(timestamp)::VARCHAR AS t0, max(timestamp)::VARCHAR AS t1,
      sum(is_anomaly::INT) AS anomalous, count(anomaly_id) AS with_id,
      count(*) FILTER (WHERE is_anomaly <> (anomaly_id IS NOT NULL)) AS mislabelled,
      count(*) FILTER (WHERE state = 'fault' AND NOT is_anomaly) AS fault_on_normal,
      count(*) FILTER (WHERE is_anomaly AND temperature < 40) AS cold_anomalies
      FROM read_parquet('${out}/data/*.parquet')`);
    expect(r).toMatchObject({ n: '300000', t0: '2024-01-01 00:00:00+00', t1: '2024-01-04 11:19:59+00', mislabelled: '0', fault_on_normal: '0', cold_anomalies: '0' });
    expect(Number(r!['anomalous'])).toBe(manifest.anomalies.realised.anomalous_rows);
    expect(Number(r!['with_id'])).toBe(manifest.anomalies.realised.anomalous_rows);
  });

  it('writes a segment table that agrees with the row labels', async () => {
    const seg = await duck(`SELECT count(*) AS n, sum(rows) AS rows, bool_and(rows = end_row - start_row + 1) AS consistent,
      bool_and(truncated OR rows BETWEEN 20 AND 200) AS in_range FROM read_parquet('${out}/anomalies.parquet')`);
    expect(seg[0]).toMatchObject({ n: String(manifest.anomalies.realised.events), rows: String(manifest.anomalies.realised.anomalous_rows), consistent: true, in_range: true });
    const [mismatch] = await duck(`SELECT count(*) AS n FROM read_parquet('${out}/data/*.parquet') d
      LEFT JOIN read_parquet('${out}/anomalies.parquet') s ON d.anomaly_id = s.id
      WHERE d.is_anomaly AND NOT (d.timestamp BETWEEN s.start_time AND s.end_time)`);
    expect(mismatch!['n']).toBe('0');
  });

  it('carries provenance in every Parquet file', async () => {
    const kv = await duck(`SELECT file_name, decode(value) AS v FROM parquet_kv_metadata('${out}/data/*.parquet') WHERE decode(key) = 'paranom' ORDER BY file_name`);
    expect(kv).toHaveLength(3);
    const facts = kv.map((r) => JSON.parse(String(r['v'])) as Record<string, any>);
    for (const f of facts) {
      expect(f).toMatchObject({ scenario_hash: manifest.scenario_hash, seed: 42, prng: 'philox4x32-10', format_version: manifest.format_version, engine_version: manifest.engine_version });
      expect(f['scenario']['name']).toBe('valve-test');
    }
    expect(facts.map((f) => [f['shard']['row_start'], f['shard']['row_end']])).toEqual([[0, 131_072], [131_072, 262_144], [262_144, 300_000]]);
  });

  it('is byte-identical when generated again, with any worker count', async () => {
    const again = join(tempDir(), 'again');
    const r = await generate(scenario, { out: again, workers: 1, shardRows: 131_072 });
    expect(r.manifest.shards.map((s) => s.sha256)).toEqual(manifest.shards.map((s) => s.sha256));
    expect(readFileSync(join(again, 'anomalies.parquet'))).toEqual(readFileSync(join(out, 'anomalies.parquet')));
  });

  it('gives the same rows when the shard size changes', async () => {
    const other = join(tempDir(), 'other');
    await generate(scenario, { out: other, workers: 2, shardRows: 65_536 });
    const q = (dir: string) => `SELECT md5(string_agg(concat_ws('|', timestamp, temperature, pressure, flow, state, door_open, level, is_anomaly, anomaly_id), ',' ORDER BY timestamp)) AS h FROM read_parquet('${dir}/data/*.parquet')`;
    const [a] = await duck(q(out));
    const [b] = await duck(q(other));
    expect(b!['h']).toBe(a!['h']);
  });
});

describe('the manifest column list', () => {
  it('names every column of the files in order, with clean twins and nullable dropout columns', async () => {
    const s = withCleanTwin(
      scenarioFrom({
        seed: 3,
        timeline: { rows: 20_000 },
        anomalies: { frequency: 0.05, duration: [10, 30], kinds: [{ kind: 'dropout', variables: ['p'] }, { kind: 'spike', magnitude: 3, variables: ['q'] }] },
        variables: { p: { type: 'process', components: [{ type: 'noise', sd: 1 }] }, q: { normal: { dist: 'normal', mean: 0, sd: 1 } } },
      }),
    );
    const out = join(tempDir(), 'cols');
    const { manifest: m } = await generate(s, { out, workers: 1 });
    const described = await duck(`DESCRIBE SELECT * FROM read_parquet('${out}/data/*.parquet')`);
    expect(m.columns.map((c) => c.name)).toEqual(described.map((c) => c['column_name']));
    expect(m.columns.find((c) => c.name === 'p')?.type).toBe('float64?');
    expect(m.columns.map((c) => c.name)).toEqual(['timestamp', 'p', 'q', 'p_clean', 'q_clean', 'is_anomaly', 'anomaly_id']);
  });
});

describe('other formats', () => {
  it('writes Arrow IPC files readable by apache-arrow with the same values', async () => {
    const dir = join(tempDir(), 'arrow');
    const small = scenarioFrom({ ...VALVE, timeline: { ...VALVE.timeline, rows: 70_000 } });
    await generate(small, { out: dir, format: 'arrow', workers: 1 });
    const t = tableFromIPC(readFileSync(join(dir, 'data/part-00000.arrow')));
    expect(t.numRows).toBe(70_000);
    expect(t.schema.fields.map((f) => f.name)).toEqual(['timestamp', 'temperature', 'pressure', 'flow', 'state', 'door_open', 'level', 'is_anomaly', 'anomaly_id']);
    const pq = join(tempDir(), 'pq');
    await generate(small, { out: pq, workers: 1 });
    const [r] = await duck(`SELECT sum(temperature) AS s FROM read_parquet('${pq}/data/*.parquet')`);
    const temps = t.getChild('temperature')!.toArray() as Float64Array;
    expect(temps.reduce((a, b) => a + b, 0)).toBeCloseTo(Number(r!['s']), 6);
  });

  it('writes CSV files that DuckDB reads with the same values as Parquet', async () => {
    const small = scenarioFrom({ ...VALVE, timeline: { ...VALVE.timeline, rows: 5_000 } });
    const csv = join(tempDir(), 'csv');
    const pq = join(tempDir(), 'pq');
    await generate(small, { out: csv, format: 'csv', workers: 1 });
    await generate(small, { out: pq, workers: 1 });
    const q = (src: string) => `SELECT count(*) AS n, sum(temperature) AS t, sum(flow) AS f, count(*) FILTER (WHERE state='fault') AS faults, sum(is_anomaly::INT) AS a FROM ${src}`;
    const [a] = await duck(q(`read_csv('${csv}/data/*.csv', header=true)`));
    const [b] = await duck(q(`read_parquet('${pq}/data/*.parquet')`));
    expect(a).toEqual(b);
  });

  it('writes floats as floats ("3.0"), so DuckDB reads a float column whole in one shard and fractional in another as one table', async () => {
    // A real series of whole numbers for its first shard and fractions after: DuckDB guesses
    // a CSV column's type per file, so "3" would make the first shard's column an integer.
    const dir = tempDir();
    writeFileSync(join(dir, 'series.csv'), ['value', ...Array.from({ length: 140_000 }, (_, i) => (i < 70_000 ? '3' : '3.25'))].join('\n') + '\n');
    const s = join(dir, 'scenario.json');
    writeFileSync(s, JSON.stringify({
      seed: 1, timeline: { rows: 140_000 },
      variables: { x: { type: 'source', file: 'series.csv' }, f: { dtype: 'float32', normal: { dist: 'constant', value: -3 } }, n: { dtype: 'int32', normal: { dist: 'constant', value: 7 } } },
    }));
    const csv = join(dir, 'csv');
    const pq = join(dir, 'pq');
    await generate(s, { out: csv, format: 'csv', workers: 1, shardRows: 65_536 });
    await generate(s, { out: pq, workers: 1, shardRows: 65_536 });
    expect(readFileSync(join(csv, 'data/part-00000.csv'), 'utf8').split('\n')[1]).toMatch(/^[^,]+,3\.0,-3\.0,7,false,$/);
    const q = (src: string) => duck(`SELECT x, f, n::INT AS n, count(*)::INT AS rows FROM ${src} GROUP BY ALL ORDER BY ALL`);
    const fromCsv = await q(`read_csv('${csv}/data/*.csv')`);
    expect(fromCsv).toEqual(await q(`read_parquet('${pq}/data/*.parquet')`));
    expect(fromCsv).toEqual([{ x: 3, f: -3, n: 7, rows: 70_000 }, { x: 3.25, f: -3, n: 7, rows: 70_000 }]);

    // A shard written before floats kept their ".0" ("3", "-3") holds the same values:
    // verify says ok; a value changed in it is still found.
    const shard = join(csv, 'data/part-00000.csv');
    const legacy = (text: string) => {
      writeFileSync(shard, text);
      const manifest = JSON.parse(readFileSync(join(csv, 'manifest.json'), 'utf8')) as { shards: Array<{ sha256: string; bytes: number }> };
      manifest.shards[0]!.sha256 = createHash('sha256').update(readFileSync(shard)).digest('hex');
      manifest.shards[0]!.bytes = readFileSync(shard).length;
      writeFileSync(join(csv, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    };
    const old = readFileSync(shard, 'utf8').replace(/,(-?\d+)\.0(?=,|$)/gm, ',$1');
    expect(old.split('\n')[1]).toMatch(/^[^,]+,3,-3,7,false,$/);
    legacy(old);
    expect((await verify(csv)).ok).toBe(true);
    legacy(old.replace(/,3,-3,7,/, ',4,-3,7,'));
    expect((await verify(csv)).problems).toEqual([expect.stringMatching(/part-00000\.csv: regenerated rows 0–65535 differ from the file/)]);
  });

  it('writes an empty category as "" and a missing value as an empty field, so the two stay apart', async () => {
    // Before: both were an empty field; DuckDB (any reader) turned the category into NULL.
    const s = scenarioFrom({
      seed: 2, timeline: { rows: 400 }, anomalies: { frequency: 0.1, duration: [5, 10], kinds: [{ kind: 'dropout', rate: 1, variables: ['x'] }] },
      variables: { c: { normal: { dist: 'categorical', values: ['', 'a,b', 'x\ny', ' lead'] } }, x: { normal: { dist: 'uniform', min: 0, max: 1 } } },
    });
    const csv = join(tempDir(), 'csv-empty');
    const pq = join(tempDir(), 'pq-empty');
    await generate(s, { out: csv, format: 'csv', workers: 1 });
    await generate(s, { out: pq, workers: 1 });
    const text = readFileSync(join(csv, 'data/part-00000.csv'), 'utf8');
    expect(text).toMatch(/^[^,\n]+,"",/m);
    const rows = (src: string) => duck(`SELECT c, x, count(*) AS n FROM ${src} GROUP BY ALL ORDER BY ALL`);
    // DuckDB reads a quoted "" as NULL unless told otherwise; with that, every value matches.
    const fromCsv = await rows(`read_csv('${csv}/data/*.csv', allow_quoted_nulls = false)`);
    expect(fromCsv).toEqual(await rows(`read_parquet('${pq}/data/*.parquet')`));
    const [counts] = await duck(`SELECT count(*) FILTER (WHERE c = '') AS empty, count(*) FILTER (WHERE x IS NULL) AS missing FROM read_csv('${csv}/data/*.csv', allow_quoted_nulls = false)`);
    expect(Number(counts!['empty'])).toBeGreaterThan(0);
    expect(Number(counts!['missing'])).toBeGreaterThan(0);
  });
});
