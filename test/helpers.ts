/** Shared test helpers: temp dirs, scenario building, column hashing, DuckDB queries. */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { parseScenario } from '../src/reader/load.js';
import type { Scenario } from '../src/model/types.js';
import type { ShardColumns } from '../src/generate/shard.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test file. */
export function tempDir(prefix = 'paranom-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** Builds a resolved scenario from a plain object (validated like a file). */
export function scenarioFrom(doc: unknown): Scenario {
  return parseScenario(JSON.stringify(doc), '<test>');
}

export const VALVE = {
  name: 'valve-test',
  seed: 42,
  timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: 200_000 },
  anomalies: { frequency: 0.01, duration: [20, 200] },
  variables: {
    temperature: { type: 'stochastic', normal: { dist: 'normal', mean: 20, sd: 2 }, anomalous: { dist: 'uniform', min: 40, max: 60 } },
    pressure: { dtype: 'float32', normal: { dist: 'lognormal', mu: 1, sigma: 0.1 }, anomalous: { dist: 'lognormal', mu: 1.6, sigma: 0.3 } },
    flow: { normal: { dist: 'poisson', lambda: 3 }, anomalous: { dist: 'poisson', lambda: 40 } },
    state: {
      normal: { dist: 'categorical', values: ['idle', 'run', 'stop'], weights: [0.2, 0.7, 0.1] },
      anomalous: { dist: 'categorical', values: ['fault'] },
    },
    door_open: { normal: { dist: 'bernoulli', p: 0.05 }, anomalous: { dist: 'bernoulli', p: 0.6 } },
    level: { dtype: 'int32', normal: { dist: 'integer', min: -5, max: 5 } },
  },
} as const;

function bytesOf(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Per-column SHA-256 of a shard's raw column bytes (labels and timestamp included). */
export function columnHashes(c: ShardColumns): Record<string, string> {
  const h = (a: ArrayBufferView) => createHash('sha256').update(bytesOf(a)).digest('hex');
  const out: Record<string, string> = { timestamp: h(c.timestamp), is_anomaly: h(c.isAnomaly) };
  // anomaly_id only matters where a row is anomalous.
  const ids = new Int32Array(c.anomalyId);
  for (let i = 0; i < c.rows; i++) if (!c.isAnomaly[i]) ids[2 * i] = ids[2 * i + 1] = 0;
  out['anomaly_id'] = h(ids);
  for (const v of c.values) out[v.name] = h(v.data);
  return out;
}

/** Concatenates the same column of several shards, as raw bytes. */
export function concatColumn(shards: ShardColumns[], pick: (c: ShardColumns) => ArrayBufferView): Buffer {
  return Buffer.concat(shards.map((s) => bytesOf(pick(s))));
}

/** Runs a DuckDB query and returns rows as JSON-friendly objects. */
export async function duck(sql: string): Promise<Record<string, unknown>[]> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const r = await conn.runAndReadAll(sql);
    return r.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
  }
}
