/**
 * The naive peer of the end-to-end benchmark: what a first attempt looks like —
 * Math.random() row by row into arrays, an Arrow table, parquet-wasm with its default
 * settings, one file per million rows, single-threaded. Same shape as the DuckDB peer.
 *
 *   node dist/bench/peers/naive.js <rows> <doubles> <out-dir>
 */
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Dictionary, Int32, tableFromArrays, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';

const pw = createRequire(import.meta.url)('parquet-wasm') as typeof import('parquet-wasm');
const [rows, doubles, out] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]!];
const chunk = 1_000_000;
const cats = 'abcdefghij'.split('');
mkdirSync(out, { recursive: true });
for (let start = 0, part = 0; start < rows; start += chunk, part++) {
  const n = Math.min(chunk, rows - start);
  const cols: Record<string, unknown> = { timestamp: new BigInt64Array(n) };
  const xs = Array.from({ length: doubles }, () => new Float64Array(n));
  const category = new Array<string>(n);
  const flag = new Array<boolean>(n);
  for (let i = 0; i < n; i++) {
    (cols['timestamp'] as BigInt64Array)[i] = BigInt(1704067200000 + (start + i) * 100);
    for (let c = 0; c < doubles; c++) xs[c]![i] = Math.random();
    category[i] = cats[Math.floor(Math.random() * 10)]!;
    flag[i] = Math.random() < 0.01;
  }
  xs.forEach((x, c) => (cols[`x${c}`] = x));
  cols['category'] = vectorFromArray(category, new Dictionary(new Utf8(), new Int32()));
  cols['is_anomaly'] = flag;
  const table = tableFromArrays(cols as Parameters<typeof tableFromArrays>[0]);
  writeFileSync(`${out}/part-${part}.parquet`, pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(table, 'stream'))));
}
