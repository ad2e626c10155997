/**
 * The two build-or-borrow choices, measured beside the packages one would otherwise use:
 *
 *   node dist/bench/choices.js [--rows 200000] [--reps 3]       (npm run bench:choices)
 *
 * 1. Random numbers: paranom's counter-based Philox (WebAssembly block kernel, and the
 *    plain-JS path) against pure-rand's xoroshiro128+ and Mersenne Twister for a block of
 *    uniform doubles; then the cost of one value at an arbitrary row, which D1/D2 need
 *    (a shard starts anywhere): one Philox call against pure-rand's skipN to that row.
 * 2. Parquet: paranom's writer (encodeParquet, snappy where it pays) against
 *    parquetjs-lite (row objects, its defaults) on the same 13 columns; both files are
 *    read back with parquet-wasm and their row counts checked.
 *
 * pure-rand and parquetjs-lite are devDependencies used only here. Medians of `reps`
 * single-threaded runs; the load average is printed beside the figures.
 */
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { mersenne } from 'pure-rand/generator/mersenne';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { skipN } from 'pure-rand/utils/skipN';
import { fillRowUniforms, fillRowUniformsJs, seedKey } from '../src/random/counter.js';
import { putInt64, type ColumnSet, type ValueColumn } from '../src/columns/columns.js';
import { shardTable } from '../src/formats/arrow-table.js';
import { encodeParquet } from '../src/formats/parquet.js';
import { readParquetColumns } from '../src/formats/read.js';
import { median } from './stats.js';

const require = createRequire(import.meta.url);
const BLOCK = 65_536;

function timeMs(reps: number, f: () => void): number {
  f(); // warm-up, untimed
  const xs: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    f();
    xs.push(performance.now() - t0);
  }
  return median(xs);
}

async function timeMsAsync(reps: number, f: () => Promise<void>): Promise<number> {
  await f();
  const xs: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await f();
    xs.push(performance.now() - t0);
  }
  return median(xs);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Uniform doubles per second for blocks, and the cost of one value at a far row. */
export function randomChoice(reps: number): string[] {
  const key = seedKey(42);
  const out = new Float64Array(BLOCK);
  const blocks = 64;
  const perSec = (ms: number) => (blocks * BLOCK) / (ms / 1000);
  const philoxWasm = timeMs(reps, () => {
    for (let b = 0; b < blocks; b++) fillRowUniforms(key, 7, 0, 0, b * BLOCK, BLOCK, out);
  });
  const philoxJs = timeMs(reps, () => {
    for (let b = 0; b < blocks; b++) fillRowUniformsJs(key, 7, 0, 0, b * BLOCK, BLOCK, out);
  });
  const xoro = timeMs(reps, () => {
    const rng = xoroshiro128plus(42);
    for (let b = 0; b < blocks; b++) for (let i = 0; i < BLOCK; i++) out[i] = uniformFloat64(rng);
  });
  const mt = timeMs(reps, () => {
    const rng = mersenne(42);
    for (let b = 0; b < blocks; b++) for (let i = 0; i < BLOCK; i++) out[i] = uniformFloat64(rng);
  });
  // One value at row `far`: Philox computes it from (seed, stream, row); a sequential
  // generator must step through every draw before it (two 32-bit draws per double).
  const far = 10_000_000;
  const one = new Float64Array(1);
  const philoxAt = timeMs(reps, () => fillRowUniformsJs(key, 7, 0, 0, far, 1, one));
  const xoroAt = timeMs(reps, () => {
    const rng = xoroshiro128plus(42);
    skipN(rng, 2 * far);
    one[0] = uniformFloat64(rng);
  });
  return [
    `uniform doubles, ${blocks} blocks of ${fmt(BLOCK)} (median of ${reps}):`,
    `  paranom Philox4x32-10, WebAssembly block kernel  ${fmt(perSec(philoxWasm))} /s`,
    `  paranom Philox4x32-10, plain JS                   ${fmt(perSec(philoxJs))} /s`,
    `  pure-rand xoroshiro128+ + uniformFloat64          ${fmt(perSec(xoro))} /s`,
    `  pure-rand Mersenne Twister + uniformFloat64       ${fmt(perSec(mt))} /s`,
    `one value at row ${fmt(far)}:`,
    `  paranom Philox (one call)                         ${philoxAt.toFixed(4)} ms`,
    `  pure-rand xoroshiro128+ (skipN to the row)        ${xoroAt.toFixed(1)} ms  (grows with the row)`,
  ];
}

/** The reference shape: timestamp, ten uniform doubles, a 10-value category, a 5% flag. */
function dataset(rows: number): ColumnSet & { cats: string[] } {
  const key = seedKey(7);
  const cats = 'abcdefghij'.split('');
  const timestamp = new Int32Array(2 * rows);
  for (let i = 0; i < rows; i++) putInt64(timestamp, i, 1704067200000 + i * 1000);
  const u = new Float64Array(rows);
  const values: ValueColumn[] = [];
  for (let c = 0; c < 10; c++) {
    const d = new Float64Array(rows);
    fillRowUniforms(key, c, 0, 0, 0, rows, d);
    values.push({ name: `v${c}`, dtype: 'float64', data: d, categories: null });
  }
  fillRowUniforms(key, 10, 0, 0, 0, rows, u);
  values.push({ name: 'category', dtype: 'string', data: Int32Array.from(u, (x) => Math.floor(x * 10)), categories: cats });
  fillRowUniforms(key, 11, 0, 0, 0, rows, u);
  values.push({ name: 'flag', dtype: 'bool', data: Uint8Array.from(u, (x) => (x < 0.05 ? 1 : 0)), categories: null });
  return { rows, timestamp, isAnomaly: new Uint8Array(rows), anomalyId: new Int32Array(2 * rows), values, cats };
}

/** Rows per second and bytes of each Parquet writer, files checked by reading them back. */
export async function parquetChoice(rows: number, reps: number): Promise<string[]> {
  const parquet = require('parquetjs-lite') as {
    ParquetSchema: new (s: Record<string, unknown>) => unknown;
    ParquetWriter: { openFile(schema: unknown, path: string): Promise<{ appendRow(r: Record<string, unknown>): Promise<void>; close(): Promise<void> }> };
  };
  const dir = mkdtempSync(join(tmpdir(), 'paranom-choices-'));
  try {
    const data = dataset(rows);
    const own = join(dir, 'paranom.parquet');
    const ownMs = timeMs(reps, () => writeFileSync(own, encodeParquet(shardTable(data), new Map(), 'snappy')));
    const fields: Record<string, unknown> = { timestamp: { type: 'TIMESTAMP_MILLIS' } };
    for (let c = 0; c < 10; c++) fields[`v${c}`] = { type: 'DOUBLE' };
    fields['category'] = { type: 'UTF8' };
    fields['flag'] = { type: 'BOOLEAN' };
    const schema = new parquet.ParquetSchema(fields);
    const lite = join(dir, 'parquetjs-lite.parquet');
    const cols = data.values.map((v) => v.data);
    const liteMs = await timeMsAsync(reps, async () => {
      const w = await parquet.ParquetWriter.openFile(schema, lite);
      for (let i = 0; i < rows; i++) {
        const row: Record<string, unknown> = { timestamp: new Date(1704067200000 + i * 1000) };
        for (let c = 0; c < 10; c++) row[`v${c}`] = cols[c]![i];
        row['category'] = data.cats[cols[10]![i]!];
        row['flag'] = cols[11]![i] === 1;
        await w.appendRow(row);
      }
      await w.close();
    });
    const check = (file: string) => readParquetColumns(readFileSync(file), ['v0']).numRows;
    const lines = [`Parquet, ${fmt(rows)} rows × 13 columns, single thread, encode + write (median of ${reps}):`];
    for (const [name, file, ms] of [
      ['paranom encodeParquet (snappy where it pays)', own, ownMs],
      ['parquetjs-lite appendRow (its defaults)', lite, liteMs],
    ] as const) {
      const n = check(file);
      const bytes = readFileSync(file).length;
      lines.push(`  ${name.padEnd(46)} ${fmt(rows / (ms / 1000)).padStart(12)} rows/s  ${(bytes / 1e6).toFixed(1)} MB${n === rows ? '' : `  INVALID: read back ${n} rows`}`);
    }
    lines.push(`  ratio paranom / parquetjs-lite: ${(liteMs / ownMs).toFixed(0)}×`);
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string' }, reps: { type: 'string' } } });
  const rows = Number(values.rows ?? 200_000);
  const reps = Number(values.reps ?? 3);
  const before = loadavg()[0]!;
  const lines = [...randomChoice(reps), ...(await parquetChoice(rows, reps))];
  lines.push(`load average (1 min): ${before.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after`);
  process.stdout.write(lines.join('\n') + '\n');
}

await main();
