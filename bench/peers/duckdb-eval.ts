/**
 * The DuckDB peer of the eval benchmark: the join of predictions and labels on the
 * timestamp, the ranking of the scores and ROC-AUC from it (rank sum, ties at their
 * average rank), inside DuckDB at its default thread count: one metric where `paranom
 * eval` computes all of them, a floor for what the join and one sort cost.
 *
 *   node dist/bench/peers/duckdb-eval.js <predictions.parquet> <score column> <dataset dir>
 *
 * Prints {"threads": n, "rows": n, "roc_auc": x}. @duckdb/node-api is a devDependency;
 * the benchmark skips this peer when it is not installed.
 */
import { DuckDBInstance } from '@duckdb/node-api';

const [preds, column, dataset] = [process.argv[2]!, process.argv[3]!, process.argv[4]!];
const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
const sql =
  `WITH j AS (SELECT p."${column}" AS s, l.is_anomaly AS y FROM read_parquet(${q(preds)}) p JOIN read_parquet(${q(`${dataset}/data/*.parquet`)}) l USING ("timestamp")), ` +
  `r AS (SELECT y, avg(rn) OVER (PARTITION BY s) AS rk FROM (SELECT s, y, row_number() OVER (ORDER BY s) AS rn FROM j)) ` +
  `SELECT count(*) AS n, (sum(rk) FILTER (WHERE y) - count(*) FILTER (WHERE y) * (count(*) FILTER (WHERE y) + 1) / 2.0) / (count(*) FILTER (WHERE y) * count(*) FILTER (WHERE NOT y)) AS auc FROM r`;
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const t = (await c.runAndReadAll("SELECT current_setting('threads') AS t")).getRowObjectsJS()[0]!['t'];
const row = (await c.runAndReadAll(sql)).getRowObjectsJS()[0]!;
console.log(JSON.stringify({ threads: Number(t), rows: Number(row['n']), roc_auc: Number(row['auc']) }));
