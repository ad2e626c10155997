/**
 * A CSV dataset's string columns whose values look like numbers, booleans or dates: DuckDB's
 * read_csv guesses such a column's type from a sample and stops at a rarer value that is not
 * one. `generate --format csv` names those columns and the read that keeps them as text, and
 * that read gives the values the Parquet dataset of the same scenario holds.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { duck, tempDir } from './helpers.js';
import { cliProcess, writeScenario } from './reliability-helpers.js';

/** '1' and '2' half the time each, 'other' about once in 330,000 rows: not in the sample a reader guesses from. */
const RARE = {
  seed: 1,
  timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: 400_000 },
  variables: {
    code: { normal: { dist: 'categorical', values: ['1', '2', 'other'], weights: [0.5, 0.5, 0.000003] } },
    plain: { normal: { dist: 'categorical', values: ['a', 'b'] } },
  },
};

describe('string columns a CSV reader would guess as another type', () => {
  it("are named after a CSV run with DuckDB's read that keeps them text, which gives the Parquet dataset's values (before: no word; read_csv stopped at 'other')", async () => {
    const dir = tempDir();
    const scenario = writeScenario(dir, RARE);
    const csv = join(dir, 'csv');
    const r = cliProcess(['generate', scenario, '--out', csv, '--format', 'csv', '--shard-rows', '65536']);
    expect(r.code, r.err).toBe(0);
    const read = `read_csv('${csv}/data/*.csv', types = {'code': 'VARCHAR'})`;
    expect(r.out).toContain(`note: string column 'code' (a value such as '1') may be guessed as numbers, booleans or dates by CSV readers that sniff types (a rarer value is then refused, or '1.50' read as 1.5); read it as text, in DuckDB ${read}`);
    // Why: the guessed read fails on a value the dataset does hold.
    await expect(duck(`SELECT count(*) FROM read_csv('${csv}/data/*.csv')`)).rejects.toThrow(/Could not convert string "other" to 'BIGINT'|"code" is expected to have type: BIGINT But has type: VARCHAR/);
    const pq = join(dir, 'pq');
    const p = cliProcess(['generate', scenario, '--out', pq, '--shard-rows', '65536']);
    expect(p.code, p.err).toBe(0);
    expect(p.out).not.toContain('note:');
    const counts = (from: string) => duck(`SELECT code, plain, count(*)::INT AS n FROM ${from} GROUP BY ALL ORDER BY ALL`);
    const fromCsv = await counts(read);
    expect([...new Set(fromCsv.map((row) => row['code']))]).toEqual(['1', '2', 'other']);
    expect(fromCsv).toEqual(await counts(`read_parquet('${pq}/data/*.parquet')`));
  });

  it("a fleet's key column of names such as '7' is named too, and the advised read gives every name", async () => {
    const dir = tempDir();
    const scenario = writeScenario(dir, { ...RARE, timeline: { ...RARE.timeline, rows: 100 }, entities: { names: ['7', '8', 'web-1'], key: 'host' }, variables: { plain: RARE.variables.plain } });
    const csv = join(dir, 'csv');
    const r = cliProcess(['generate', scenario, '--out', csv, '--format', 'csv']);
    expect(r.code, r.err).toBe(0);
    const read = `read_csv('${csv}/data/*.csv', types = {'host': 'VARCHAR'})`;
    expect(r.out).toContain(`note: string column 'host' (a value such as '7') may be guessed`);
    expect(r.out).toContain(`in DuckDB ${read}`);
    expect(await duck(`SELECT host, count(*)::INT AS n FROM ${read} GROUP BY ALL ORDER BY ALL`)).toEqual([{ host: '7', n: 100 }, { host: '8', n: 100 }, { host: 'web-1', n: 100 }]);
  });

  it('a dataset whose string columns hold only words gets no note', () => {
    const dir = tempDir();
    const scenario = writeScenario(dir, { ...RARE, timeline: { ...RARE.timeline, rows: 1000 }, variables: { plain: RARE.variables.plain } });
    const r = cliProcess(['generate', scenario, '--out', join(dir, 'csv'), '--format', 'csv']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).not.toContain('note:');
  });
});

describe('anomaly_id where a CSV reader guesses types from rows without a label', () => {
  /** Rare short events: the first lies past the 20,480 rows DuckDB samples (seed 5: rows 37,974 and 41,466). */
  const SPARSE = {
    seed: 5,
    timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: 70_000 },
    anomalies: { frequency: 0.00005, duration: [2, 4], kinds: [{ kind: 'spike', magnitude: 4 }] },
    variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 } } },
  };
  const idType = async (from: string) => (await duck(`SELECT column_type FROM (DESCRIBE SELECT * FROM ${from}) WHERE column_name = 'anomaly_id'`))[0]!['column_type'];

  it("is named after the run with the read that keeps it an integer, which gives the Parquet dataset's labels (before: no word; DuckDB read it as VARCHAR)", async () => {
    const dir = tempDir();
    const scenario = writeScenario(dir, SPARSE);
    const csv = join(dir, 'csv');
    const r = cliProcess(['generate', scenario, '--out', csv, '--format', 'csv']);
    expect(r.code, r.err).toBe(0);
    const read = `read_csv('${csv}/data/*.csv', types = {'anomaly_id': 'BIGINT'})`;
    expect(r.out).toContain(`note: anomaly_id is empty on every row CSV readers sniff types from (DuckDB: the first 20,480 rows of the first file; no labelled row there), so they take it for text (VARCHAR); read it as an integer, in DuckDB ${read}`);
    // Why: the guessed read takes the labels for text.
    expect(await idType(`read_csv('${csv}/data/*.csv')`)).toBe('VARCHAR');
    expect(await idType(read)).toBe('BIGINT');
    const pq = join(dir, 'pq');
    expect(cliProcess(['generate', scenario, '--out', pq]).code).toBe(0);
    const labels = (from: string) => duck(`SELECT anomaly_id, count(*)::INT AS n FROM ${from} WHERE anomaly_id IS NOT NULL GROUP BY ALL ORDER BY ALL`);
    const fromCsv = await labels(read);
    expect(fromCsv.length).toBeGreaterThan(0);
    expect(fromCsv).toEqual(await labels(`read_parquet('${pq}/data/*.parquet')`));
  });

  it('is not named when a label lies in the sampled rows, where the reader guesses an integer', async () => {
    const dir = tempDir();
    const scenario = writeScenario(dir, { ...SPARSE, anomalies: { ...SPARSE.anomalies, frequency: 0.01 } });
    const csv = join(dir, 'csv');
    const r = cliProcess(['generate', scenario, '--out', csv, '--format', 'csv']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).not.toContain('note:');
    expect(await idType(`read_csv('${csv}/data/*.csv')`)).toBe('BIGINT');
  });
});
