/**
 * The contract every kind shares (test/kinds-contract.test.ts, test/shape-kinds-contract.test.ts):
 * scenarios written beside the callback fixtures, pool runs with one and four workers, row
 * digests as DuckDB reads them, and the in-memory part (same seed, prefix stability).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { parseScenario } from '../src/reader/load.js';
import { generateShard, type ShardColumns } from '../src/generate/shard.js';
import { generate } from '../src/run/generate.js';
import { prepareScenario } from '../src/variables/registry.js';
import { getInt64, type ValueColumn } from '../src/columns/columns.js';
import type { Scenario } from '../src/model/types.js';
import { columnHashes, duck, tempDir } from './helpers.js';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const FIXTURES = join(root, 'test/fixtures/callbacks');
/** Rows of the in-memory checks: not a whole number of blocks. */
export const ROWS = 2 * 65_536 + 777;

/** A scenario written in the callbacks fixture folder, so module paths resolve there. */
export function scenarioOf(doc: Record<string, unknown>): Scenario {
  return parseScenario(JSON.stringify({ seed: 17, timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: ROWS }, ...doc }), join(FIXTURES, 'contract.json'));
}

export function column(c: ShardColumns, name: string): ValueColumn {
  const v = c.values.find((x) => x.name === name);
  if (!v) throw new Error(`no column ${name}`);
  return v;
}

export function num(v: ValueColumn, i: number): number {
  return v.dtype === 'int64' ? getInt64(v.data as Int32Array, i) : v.data[i]!;
}

export function withRows(s: Scenario, rows: number): Scenario {
  return { ...s, timeline: { ...s.timeline, rows } };
}

/** Rows of the datasets written through the worker pool: four shards of up to 65,536 rows. */
export const POOL_ROWS = 3 * 65_536 + 777;

export interface PoolRun {
  dir: string;
  hashes: string[];
}

/**
 * One scenario holding every kind of a family, written with 1 and with 4 workers (two pool
 * runs for the whole family instead of two per kind); each kind's test then compares what
 * belongs to it, so a failure still names the kind.
 */
export async function poolRuns(s: Scenario): Promise<[PoolRun, PoolRun]> {
  const base = tempDir();
  const run = async (workers: number): Promise<PoolRun> => {
    const dir = join(base, `w${workers}`);
    const r = await generate(withRows(s, POOL_ROWS), { out: dir, workers, shardRows: 65_536 });
    return { dir, hashes: r.manifest.shards.map((x) => `${x.file}:${x.sha256}`) };
  };
  return [await run(1), await run(4)];
}

/** MD5 of the given columns over the rows a filter selects, in row order, as DuckDB reads them. */
export async function digest(dir: string, columns: string[], where = 'true'): Promise<string> {
  const [r] = await duck(`SELECT md5(string_agg(concat_ws('|', ${columns.map((c) => `coalesce(CAST(${c} AS VARCHAR), 'null')`).join(', ')}), ',' ORDER BY d.timestamp)) AS h, count(*) AS n
    FROM read_parquet('${dir}/data/*.parquet') d LEFT JOIN read_parquet('${dir}/anomalies.parquet') a ON d.anomaly_id = a.id WHERE ${where}`);
  return `${String(r!['n'])}:${String(r!['h'])}`;
}

/** The in-memory part of the contract every kind shares (the worker part is below, per family). */
export function sharedContract(name: string, build: () => Scenario, random: boolean): void {
  it(`${name}: the same seed gives the same values${random ? ', another seed others' : ''}`, async () => {
    const s = build();
    await prepareScenario(s);
    const a = columnHashes(generateShard(s, 0, ROWS));
    expect(columnHashes(generateShard(s, 0, ROWS))).toEqual(a);
    if (random) {
      const b = columnHashes(generateShard({ ...s, seed: s.seed + 1 }, 0, ROWS));
      const names = s.variables.map((v) => v.name);
      expect(names.some((n) => b[n] !== a[n])).toBe(true);
    }
  });

  it(`${name}: prefix stable (N rows ≡ the first N of 3N)`, async () => {
    const s = build();
    await prepareScenario(s);
    const n = 70_001;
    const small = generateShard(withRows(s, n), 0, n);
    const big = generateShard(withRows(s, 3 * n), 0, n);
    expect(columnHashes(small)).toEqual(columnHashes(big));
  });
}

