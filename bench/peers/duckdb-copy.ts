/**
 * The DuckDB peer of the end-to-end benchmark: generation and Parquet writing inside
 * DuckDB, at its default thread count, of the reference shape (timestamp, `doubles`
 * random doubles, a 10-value category, a 1% flag).
 *
 *   node dist/bench/peers/duckdb-copy.js <rows> <doubles> <out.parquet>
 *
 * Prints {"threads": n} (DuckDB's thread setting). @duckdb/node-api is a devDependency;
 * the harness skips this peer when it is not installed.
 */
import { DuckDBInstance } from '@duckdb/node-api';

const [rows, doubles, path] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]!];
const floats = Array.from({ length: doubles }, (_, i) => `random() AS x${i}`).join(', ');
const sql =
  `COPY (SELECT make_timestamptz((1704067200000 + i * 100) * 1000) AS "timestamp", ${floats}, ` +
  `chr(97 + CAST(floor(random() * 10) AS INTEGER)) AS category, random() < 0.01 AS is_anomaly ` +
  `FROM range(${rows}) t(i)) TO '${path.replaceAll("'", "''")}' (FORMAT parquet)`;
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const t = (await c.runAndReadAll("SELECT current_setting('threads') AS t")).getRowObjectsJS()[0]!['t'];
await c.run(sql);
console.log(JSON.stringify({ threads: Number(t) }));
