/**
 * Uniqueness at scale: on a 10M-row dataset whose key domain makes collisions
 * frequent (device ids from 3× as many values as rows), DuckDB's count(DISTINCT key) equals
 * the row count of each hard-unique class, with W=1 and W=2 giving identical bytes.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../src/run/generate.js';
import { duck, tempDir } from './helpers.js';

describe('hard uniqueness at 10M rows', () => {
  it('every (device, channel) tuple is distinct per class, W=1 ≡ W=2', async () => {
    const base = tempDir();
    const w2 = await generate('scenarios/unique-keys.yaml', { out: join(base, 'w2'), workers: 2 });
    const w1 = await generate('scenarios/unique-keys.yaml', { out: join(base, 'w1'), workers: 1 });
    expect(w1.manifest.shards.map((s) => s.sha256)).toEqual(w2.manifest.shards.map((s) => s.sha256));
    const u = w2.manifest.uniqueness!;
    expect(u.normal.retried_rows).toBeGreaterThan(1_000_000); // collisions really were frequent
    const rows = await duck(`SELECT is_anomaly, count(*) AS n, count(DISTINCT (device, channel)) AS d, count(DISTINCT order_id) AS ids
      FROM read_parquet('${base}/w2/data/*.parquet') GROUP BY ALL ORDER BY is_anomaly`);
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r['d']).toBe(r['n']);
      expect(r['ids']).toBe(r['n']);
    }
    expect(Number(rows[0]!['n']) + Number(rows[1]!['n'])).toBe(10_000_000);
    expect(Number(rows[0]!['n'])).toBe(u.normal.rows);
    expect(Number(rows[1]!['n'])).toBe(u.anomalous.rows);
  }, 300_000);
});
