/**
 * A dataset read back by readers paranom does not share code with — DuckDB for Parquet and
 * CSV, apache-arrow for Arrow IPC, parquet-wasm's decoder beside it — and held to what the
 * manifest says: row counts per shard and in all, column names and types, nulls only in
 * nullable columns, no NaN or infinity (unless allowed), every timestamp where the timeline puts it,
 * `is_anomaly` and `anomaly_id` agreeing with each other, with the manifest's counts and
 * with the segment table, the clean twin equal to the data outside labelled windows. The
 * same rows in another format give the same values. Returns problems as text (empty: none),
 * so a long campaign can collect them and a test can assert there are none.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { tableFromIPC, type Table } from 'apache-arrow';
import { rowTimeMs } from '../src/model/row-time.js';

const require = createRequire(import.meta.url);

type Row = Record<string, unknown>;
let conn: Promise<{ all(sql: string): Promise<Row[]> }> | undefined;

/** One in-memory DuckDB connection for the process: queries return rows as JSON-safe values. */
export function duckdb(): Promise<{ all(sql: string): Promise<Row[]> }> {
  conn ??= (async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    return { all: async (sql: string) => (await c.runAndReadAll(sql)).getRowObjectsJson() as Row[] };
  })();
  return conn;
}

interface ManifestColumn {
  name: string;
  type: string;
}
/** The parts of manifest.json the checks read. */
export interface ReadManifest {
  rows: number;
  format: 'parquet' | 'arrow' | 'csv';
  growth_stable: boolean;
  columns: ManifestColumn[];
  shards: Array<{ file: string; rows: number; row_start?: number; row_end?: number; anomalous_rows?: number }>;
  anomalies: { realised: { anomalous_rows: number; events: number } } | null;
  entities?: { key: string; count: number; order: string; rows_per_entity: number; entities_file?: string } | null;
  /** The resolved scenario (model/types.ts names). */
  scenario: { allowNonFinite?: boolean; timeline: { startMs: number; stepMs: number; rows: number; offset?: number; jitter?: { ms: number; seed: number } }; anomalies?: { label?: string; labelMargin?: [number, number]; minEffect?: { below?: string } } | null };
}

export function readManifestFile(out: string): ReadManifest {
  return JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as ReadManifest;
}

/** DuckDB's name for a manifest type (`float32?` → FLOAT). */
export function duckType(t: string): string {
  const base = t.replace(/\?$/, '');
  if (base.startsWith('timestamp')) return 'TIMESTAMP WITH TIME ZONE';
  const map: Record<string, string> = { float64: 'DOUBLE', float32: 'FLOAT', int64: 'BIGINT', int32: 'INTEGER', bool: 'BOOLEAN', string: 'VARCHAR' };
  return map[base] ?? `?${base}`;
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Every check on one dataset directory written as Parquet. */
export async function checkParquetDataset(out: string): Promise<string[]> {
  const db = await duckdb();
  const m = readManifestFile(out);
  const problems: string[] = [];
  const files = m.shards.map((s) => join(out, s.file));
  if (files.length === 0) return m.rows === 0 ? [] : [`${m.rows} rows but no shards`];
  const src = `read_parquet([${files.map(lit).join(', ')}], filename = true, file_row_number = true)`;

  // Columns: names in order, DuckDB's types, nulls only where the manifest allows them.
  const described = await db.all(`DESCRIBE SELECT * FROM read_parquet([${files.map(lit).join(', ')}])`);
  const got = described.map((r) => `${String(r['column_name'])}:${String(r['column_type'])}`);
  const want = m.columns.map((c) => `${c.name}:${duckType(c.type)}`);
  if (got.join(',') !== want.join(',')) problems.push(`columns: DuckDB reads ${got.join(', ')}; the manifest says ${want.join(', ')}`);

  // Rows per shard and in all.
  const perFile = await db.all(`SELECT filename, count(*)::BIGINT AS n FROM ${src} GROUP BY filename`);
  const count = new Map(perFile.map((r) => [String(r['filename']), Number(r['n'])]));
  for (const s of m.shards) {
    const n = count.get(join(out, s.file)) ?? 0;
    if (n !== s.rows) problems.push(`${s.file}: ${n} rows read, the manifest says ${s.rows}`);
  }
  const total = [...count.values()].reduce((a, b) => a + b, 0);
  if (total !== m.rows) problems.push(`${total} rows read, the manifest says ${m.rows}`);

  const checks: string[] = [];
  for (const c of m.columns) {
    if (!c.type.endsWith('?')) checks.push(`count(*) FILTER (WHERE ${q(c.name)} IS NULL) AS ${q(`null:${c.name}`)}`);
    // No NaN or infinity, unless the scenario allows them (allow_non_finite).
    if (/^float/.test(c.type) && !m.scenario.allowNonFinite) checks.push(`count(*) FILTER (WHERE isnan(${q(c.name)}) OR isinf(${q(c.name)})) AS ${q(`nan:${c.name}`)}`);
  }
  if (checks.length > 0) {
    const [r] = await db.all(`SELECT ${checks.join(', ')} FROM ${src}`);
    for (const [k, v] of Object.entries(r ?? {})) if (Number(v) !== 0) problems.push(`${k.startsWith('null:') ? 'nulls in non-nullable column' : 'NaN or infinity in column'} '${k.slice(k.indexOf(':') + 1)}': ${String(v)} rows`);
  }

  // Timestamps: each row's own instant. A single series in file order; a fleet per entity.
  const { startMs, stepMs, jitter } = m.scenario.timeline;
  const offset = m.scenario.timeline.offset ?? 0;
  const key = m.entities?.key;
  const rowStart = `CASE filename ${m.shards.map((s) => `WHEN ${lit(join(out, s.file))} THEN ${s.row_start ?? 0}`).join(' ')} END`;
  // With jitter (under half a step) a fleet row's timestamp rounds to its grid row.
  const rowExpr = key ? `((epoch_ms("timestamp") - ${startMs}${jitter ? ` + ${Math.floor(stepMs / 2)}` : ''}) // ${stepMs})` : `(${rowStart} + file_row_number)`;
  if (jitter) {
    // Each row at its own jittered instant, recomputed here row by row.
    const rows = await db.all(`SELECT ${rowExpr} AS r, epoch_ms("timestamp") AS t FROM ${src}`);
    const wrong = rows.filter((x) => Number(x['t']) !== rowTimeMs(m.scenario.timeline, Number(x['r']))).length;
    if (wrong !== 0) problems.push(`${wrong} timestamps not at start + row × step plus the row's jitter`);
  }
  if (key) {
    const [r] = await db.all(`SELECT count(*) FILTER (WHERE ${jitter ? 'false' : `(epoch_ms("timestamp") - ${startMs}) % ${stepMs} <> 0`} OR epoch_ms("timestamp") < ${startMs + offset * stepMs - (jitter?.ms ?? 0)})::BIGINT AS off_grid, count(DISTINCT (${q(key)}, "timestamp"))::BIGINT AS distinct_rows, count(DISTINCT ${q(key)})::BIGINT AS entities FROM ${src}`);
    if (Number(r!['off_grid']) !== 0) problems.push(`${String(r!['off_grid'])} timestamps off the timeline's grid`);
    if (Number(r!['distinct_rows']) !== m.rows) problems.push(`${String(r!['distinct_rows'])} distinct (entity, timestamp) pairs in ${m.rows} rows`);
    if (Number(r!['entities']) !== m.entities!.count) problems.push(`${String(r!['entities'])} entities read, the manifest says ${m.entities!.count}`);
    // Within a file, an entity's rows go forward in time.
    const [o] = await db.all(`SELECT count(*)::BIGINT AS back FROM (SELECT "timestamp" <= lag("timestamp") OVER (PARTITION BY filename, ${q(key)} ORDER BY file_row_number) AS b FROM ${src}) WHERE b`);
    if (Number(o!['back']) !== 0) problems.push(`${String(o!['back'])} rows of an entity not after its previous row in the same file`);
  } else if (!jitter) {
    const [r] = await db.all(`SELECT count(*) FILTER (WHERE epoch_ms("timestamp") <> ${startMs} + ${rowExpr} * ${stepMs})::BIGINT AS wrong FROM ${src}`);
    if (Number(r!['wrong']) !== 0) problems.push(`${String(r!['wrong'])} timestamps not at start + row × step`);
  }

  // Labels against each other, the manifest and the segment table.
  const hasLabels = m.columns.some((c) => c.name === 'is_anomaly');
  if (hasLabels && m.anomalies) {
    const [r] = await db.all(`SELECT count(*) FILTER (WHERE is_anomaly)::BIGINT AS labelled, count(*) FILTER (WHERE is_anomaly <> (anomaly_id IS NOT NULL))::BIGINT AS disagree FROM ${src}`);
    if (Number(r!['disagree']) !== 0) problems.push(`${String(r!['disagree'])} rows where is_anomaly and anomaly_id IS NOT NULL disagree`);
    if (Number(r!['labelled']) !== m.anomalies.realised.anomalous_rows) problems.push(`${String(r!['labelled'])} labelled rows read, the manifest says ${m.anomalies.realised.anomalous_rows}`);
    const segs = join(out, 'anomalies.parquet');
    if (!existsSync(segs)) problems.push('no anomalies.parquet');
    else {
      const seg = `read_parquet(${lit(segs)})`;
      // Events and a fleet's outages (negative ids) alike.
      const [n] = await db.all(`SELECT count(*)::BIGINT AS n FROM ${seg}`);
      if (Number(n!['n']) !== m.anomalies.realised.events) problems.push(`${String(n!['n'])} segment rows, the manifest says ${m.anomalies.realised.events} events`);
      const hasMargin = (m.scenario.anomalies?.labelMargin ?? [0, 0]).some((x) => x > 0);
      const join_ = key ? `s.id = d.anomaly_id AND (s.id < 0 OR s.${q(key)} = d.${q(key)})` : 's.id = d.anomaly_id';
      // Every labelled row names a segment; without margins, one whose window holds the row.
      const [j] = await db.all(`SELECT count(*) FILTER (WHERE s.id IS NULL)::BIGINT AS orphan, count(*) FILTER (WHERE s.id IS NOT NULL AND (${rowExpr.replace(/"timestamp"/g, 'd."timestamp"').replace(/\bfilename\b/g, 'd.filename').replace(/\bfile_row_number\b/g, 'd.file_row_number')} NOT BETWEEN s.start_row AND s.end_row))::BIGINT AS outside FROM (SELECT * FROM ${src} WHERE is_anomaly) d LEFT JOIN (SELECT DISTINCT id, start_row, end_row${key ? `, ${q(key)}` : ''} FROM ${seg}) s ON ${join_}`);
      // A margin may label the last rows for an event that starts after them (as a longer dataset does): its segment row is not here.
      if (!hasMargin && Number(j!['orphan']) !== 0) problems.push(`${String(j!['orphan'])} labelled rows whose anomaly_id has no segment row`);
      if (!hasMargin && Number(j!['outside']) !== 0) problems.push(`${String(j!['outside'])} labelled rows outside their segment's [start_row, end_row]`);
      // With window labels and no margin, a segment's rows are all labelled (outages, id < 0, may overlap an entity's events).
      if (!hasMargin && m.scenario.anomalies?.label !== 'changed' && !key) {
        const [w] = await db.all(`SELECT count(*)::BIGINT AS bad FROM (SELECT s.id, s.rows, count(d.anomaly_id) AS got FROM ${seg} s LEFT JOIN (SELECT anomaly_id FROM ${src} WHERE is_anomaly) d ON d.anomaly_id = s.id GROUP BY s.id, s.rows) WHERE got <> rows`);
        if (Number(w!['bad']) !== 0) problems.push(`${String(w!['bad'])} segments whose labelled rows differ from their 'rows' (window labels)`);
      }
    }
    // The clean twin: equal to the data on every unlabelled row where only labelled rows change.
    const twins = m.columns.filter((c) => c.name.endsWith('_clean') && m.columns.some((d) => d.name === c.name.slice(0, -6)));
    const plain = !hasMarginOrChanged(m);
    if (twins.length > 0 && plain) {
      const [t] = await db.all(`SELECT ${twins.map((c) => `count(*) FILTER (WHERE NOT is_anomaly AND ${q(c.name.slice(0, -6))} IS DISTINCT FROM ${q(c.name)})::BIGINT AS ${q(c.name)}`).join(', ')} FROM ${src}`);
      for (const [k, v] of Object.entries(t ?? {})) if (Number(v) !== 0) problems.push(`${String(v)} unlabelled rows where '${k.slice(0, -6)}' differs from '${k}'`);
    }
  }
  if (m.entities?.entities_file) {
    const [e] = await db.all(`SELECT count(*)::BIGINT AS n FROM read_parquet(${lit(join(out, m.entities.entities_file))})`);
    if (Number(e!['n']) !== m.entities.count) problems.push(`${m.entities.entities_file}: ${String(e!['n'])} rows, the manifest says ${m.entities.count} entities`);
  }
  return problems;
}

/** Labels that may leave changed rows unlabelled or label unchanged ones: margins, `label: changed`, near misses. */
function hasMarginOrChanged(m: ReadManifest): boolean {
  const a = m.scenario.anomalies;
  if (!a) return false;
  return (a.labelMargin ?? [0, 0]).some((x) => x > 0) || a.label === 'changed' || a.minEffect?.below === 'normal';
}

/**
 * CSV files against Parquet files holding the same rows, in DuckDB: the CSV read with the
 * Parquet files' types (no type detection), every row of each found in the other (EXCEPT
 * ALL both ways). Returns problems, naming `what`.
 */
export async function compareCsvFilesToParquet(what: string, csvFiles: string[], parquetFiles: string[]): Promise<string[]> {
  const db = await duckdb();
  const pq = `read_parquet([${parquetFiles.map(lit).join(', ')}])`;
  const types = await db.all(`DESCRIBE SELECT * FROM ${pq}`);
  const columns = `{${types.map((r) => `${lit(String(r['column_name']))}: ${lit(String(r['column_type']))}`).join(', ')}}`;
  const csv = `read_csv([${csvFiles.map(lit).join(', ')}], header = true, columns = ${columns}, auto_detect = false, quote = '"', escape = '"', delim = ',', allow_quoted_nulls = false)`;
  try {
    const [r] = await db.all(`SELECT (SELECT count(*) FROM (SELECT * FROM ${csv} EXCEPT ALL SELECT * FROM ${pq}))::BIGINT AS only_csv, (SELECT count(*) FROM (SELECT * FROM ${pq} EXCEPT ALL SELECT * FROM ${csv}))::BIGINT AS only_parquet, (SELECT count(*) FROM ${csv})::BIGINT AS n`);
    if (Number(r!['only_csv']) === 0 && Number(r!['only_parquet']) === 0) return [];
    const sample = await db.all(`SELECT * FROM (SELECT * FROM ${csv} EXCEPT ALL SELECT * FROM ${pq}) LIMIT 2`);
    return [`${what}: ${String(r!['only_csv'])} CSV rows not in the Parquet rows, ${String(r!['only_parquet'])} the other way (of ${String(r!['n'])}); e.g. ${JSON.stringify(sample).slice(0, 400)}`];
  } catch (err) {
    return [`${what}: DuckDB cannot read the CSV with the Parquet types: ${(err as Error).message.split('\n')[0]}`];
  }
}

/**
 * An NDJSON stream (`generate --stdout --format ndjson`, maybe `--start-at`) against the
 * Parquet files' rows at or after `fromMs`, in DuckDB: the JSON read with the Parquet types.
 */
export async function compareNdjsonToParquet(ndjson: string, parquetFiles: string[], fromMs: number): Promise<string[]> {
  const db = await duckdb();
  const types = await db.all(`DESCRIBE SELECT * FROM read_parquet([${parquetFiles.map(lit).join(', ')}])`);
  // JSON has no NaN or infinity: NDJSON writes a non-finite float (allow_non_finite) as null.
  const cells = types.map((r) => {
    const name = String(r['column_name']);
    return /^(FLOAT|DOUBLE)$/.test(String(r['column_type'])) ? `CASE WHEN isfinite(${JSON.stringify(name)}) THEN ${JSON.stringify(name)} END AS ${JSON.stringify(name)}` : JSON.stringify(name);
  });
  const pq = `(SELECT ${cells.join(', ')} FROM read_parquet([${parquetFiles.map(lit).join(', ')}]) WHERE epoch_ms("timestamp") >= ${fromMs})`;
  const columns = `{${types.map((r) => `${lit(String(r['column_name']))}: ${lit(String(r['column_type']))}`).join(', ')}}`;
  const js = `read_json(${lit(ndjson)}, format = 'newline_delimited', columns = ${columns}, auto_detect = false)`;
  try {
    const [r] = await db.all(`SELECT (SELECT count(*) FROM (SELECT * FROM ${js} EXCEPT ALL SELECT * FROM ${pq}))::BIGINT AS only_json, (SELECT count(*) FROM (SELECT * FROM ${pq} EXCEPT ALL SELECT * FROM ${js}))::BIGINT AS only_parquet, (SELECT count(*) FROM ${js})::BIGINT AS n`);
    if (Number(r!['only_json']) === 0 && Number(r!['only_parquet']) === 0) return [];
    const sample = await db.all(`SELECT * FROM (SELECT * FROM ${js} EXCEPT ALL SELECT * FROM ${pq}) LIMIT 2`);
    return [`ndjson: ${String(r!['only_json'])} JSON rows not in the Parquet rows, ${String(r!['only_parquet'])} the other way (of ${String(r!['n'])}); e.g. ${JSON.stringify(sample).slice(0, 400)}`];
  } catch (err) {
    return [`ndjson: DuckDB cannot read the stream with the Parquet types: ${(err as Error).message.split('\n')[0]}`];
  }
}

/** A CSV dataset against the Parquet dataset of the same scenario and layout, shard by shard. */
export async function compareCsvToParquet(csvOut: string, parquetOut: string): Promise<string[]> {
  const a = readManifestFile(csvOut);
  const b = readManifestFile(parquetOut);
  if (a.shards.length !== b.shards.length) return [`${a.shards.length} CSV shards against ${b.shards.length} Parquet shards`];
  const problems: string[] = [];
  for (let i = 0; i < a.shards.length; i++) problems.push(...(await compareCsvFilesToParquet(a.shards[i]!.file, [join(csvOut, a.shards[i]!.file)], [join(parquetOut, b.shards[i]!.file)])));
  return problems;
}

const pw = require('parquet-wasm') as typeof import('parquet-wasm');

/** A cell as comparable text: bigints and numbers alike, floats by their bits (-0 and NaN kept). */
function cellText(x: unknown): string {
  if (x === null || x === undefined) return 'null';
  if (typeof x === 'number') return Object.is(x, -0) ? '-0' : String(x);
  if (typeof x === 'bigint') return String(x);
  return JSON.stringify(x);
}

/** Each row of some tables as one text (column names checked equal), counted: a multiset of rows; with `fromMs`, only rows at or after that timestamp. */
function rowMultiset(tables: Table[], names: string[], problems: string[], what: string, fromMs = -Infinity): Map<string, number> {
  const rows = new Map<string, number>();
  for (const t of tables) {
    const got = t.schema.fields.map((f) => f.name);
    if (got.join(',') !== names.join(',')) problems.push(`${what}: columns ${got.join(',')}, expected ${names.join(',')}`);
    const cols = names.map((n) => t.getChild(n));
    const time = t.getChild('timestamp');
    for (let r = 0; r < t.numRows; r++) {
      if (fromMs > -Infinity && Number(time?.get(r)) < fromMs) continue;
      const key = cols.map((c) => cellText(c?.get(r))).join('\u0001');
      rows.set(key, (rows.get(key) ?? 0) + 1);
    }
  }
  return rows;
}

/**
 * The rows of an Arrow dataset against a Parquet dataset of the same scenario (any layout):
 * apache-arrow reads one, parquet-wasm the other, and every row of each must be a row of
 * the other as often.
 */
export function compareArrowToParquet(arrowOut: string, parquetOut: string): string[] {
  const a = readManifestFile(arrowOut);
  const b = readManifestFile(parquetOut);
  const problems: string[] = [];
  const names = a.columns.map((c) => c.name);
  const x = rowMultiset(a.shards.map((s) => tableFromIPC(readFileSync(join(arrowOut, s.file)))), names, problems, 'Arrow');
  const y = rowMultiset(b.shards.map((s) => tableFromIPC(pw.readParquet(readFileSync(join(parquetOut, s.file))).intoIPCStream())), names, problems, 'Parquet');
  return compareMultisets(x, y, problems, 'Arrow');
}

/**
 * An Arrow IPC stream (`generate --stdout --format arrow`, maybe `--start-at`) against a
 * Parquet dataset's rows at or after `fromMs`: apache-arrow reads the stream, parquet-wasm the shards.
 */
export function compareArrowStreamToParquet(stream: string, parquetOut: string, fromMs: number): string[] {
  const b = readManifestFile(parquetOut);
  const problems: string[] = [];
  const names = b.columns.map((c) => c.name);
  const x = rowMultiset([tableFromIPC(readFileSync(stream))], names, problems, 'Arrow stream');
  const y = rowMultiset(b.shards.map((s) => tableFromIPC(pw.readParquet(readFileSync(join(parquetOut, s.file))).intoIPCStream())), names, problems, 'Parquet', fromMs);
  return compareMultisets(x, y, problems, 'Arrow stream');
}

function compareMultisets(x: Map<string, number>, y: Map<string, number>, problems: string[], what: string): string[] {
  let only = 0;
  let example = '';
  for (const [k, n] of x) {
    if ((y.get(k) ?? 0) !== n) {
      only++;
      example ||= k.split('\u0001').join(', ');
    }
  }
  if (only > 0 || x.size !== y.size) problems.push(`${only} distinct ${what} rows not found as often in the Parquet rows (${x.size} against ${y.size} distinct); e.g. ${example.slice(0, 400)}`);
  return problems;
}

/** An order-free digest of a dataset's rows (Parquet or CSV as text): count and the sum of row hashes, additive over disjoint row sets. */
export async function rowDigest(out: string): Promise<{ rows: number; sum: bigint }> {
  const m = readManifestFile(out);
  return filesDigest(m.shards.map((s) => join(out, s.file)), m.format);
}

/** rowDigest of data files (a merged file, shards). */
export async function filesDigest(paths: string[], format: 'parquet' | 'arrow' | 'csv' = 'parquet'): Promise<{ rows: number; sum: bigint }> {
  const db = await duckdb();
  if (paths.length === 0) return { rows: 0, sum: 0n };
  const files = `[${paths.map(lit).join(', ')}]`;
  const from = format === 'csv' ? `read_csv(${files}, header = true, all_varchar = true, allow_quoted_nulls = false)` : `read_parquet(${files})`;
  const [r] = await db.all(`SELECT count(*)::BIGINT AS n, coalesce(sum(hash(t)), 0)::VARCHAR AS h FROM ${from} t`);
  return { rows: Number(r!['n']), sum: BigInt(String(r!['h'])) };
}

/** The data files of a dataset directory. */
export function dataFiles(out: string): string[] {
  return existsSync(join(out, 'data')) ? readdirSync(join(out, 'data')).sort() : [];
}
