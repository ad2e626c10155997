/**
 * Parquet writer benchmark: which encoder should paranom use, and with which settings?
 *
 *   node dist/bench/writers.js [--rows N] [--reps R]       (defaults: 1,000,000 rows, 3 reps)
 *
 * One data set (13 columns: timestamp ms UTC, v0..v9 float64 uniform [0,1), a 10-value string
 * `category`, a boolean `flag` at 5%) is generated once, untimed, with a seeded generator. Each
 * case is then timed single-threaded from paranom's in-memory representation (typed arrays) to
 * a file on disk under os.tmpdir(): building the writer's input (Arrow table, or JS arrays for
 * hyparquet-writer) + encoding + writeFileSync. One untimed warm-up, then R timed repetitions;
 * the median is reported. The DuckDB peer instead generates the same shape itself with
 * random() inside `COPY (...) TO 'x.parquet'` at its default thread count, generation included.
 *
 * Every Parquet output is read back by DuckDB (read_parquet): row count, column count, and for
 * files written from our data also sum(v0), count of flags, distinct categories and min/max
 * timestamp. A writer whose file fails this is flagged INVALID and never ranked.
 *
 * parquetjs-lite (a row-object, pure-JS writer) is measured against paranom's writer in
 * bench/choices.ts.
 */
import { median } from './stats.js';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import {
  Bool,
  Dictionary,
  Field,
  Float64,
  Int32,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMillisecond,
  Utf8,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
  type Data,
} from 'apache-arrow';
import { encodeParquet, ROW_GROUP_ROWS, type ParquetCompression } from '../src/formats/parquet.js';
import { packBits } from '../src/formats/arrow-table.js';

const require = createRequire(import.meta.url);
const pw = require('parquet-wasm') as typeof import('parquet-wasm');

type DuckDBModule = typeof import('@duckdb/node-api');
type DuckDBConnection = import('@duckdb/node-api').DuckDBConnection;
type HyparquetWriter = typeof import('hyparquet-writer');
type ColumnSource = import('hyparquet-writer').ColumnSource;
type SchemaElement = import('hyparquet-writer').SchemaElement;

export type WriterGroup = 'paranom' | 'parquet-wasm' | 'hyparquet-writer' | 'arrow-ipc' | 'duckdb';

export interface WriterResult {
  /** Case label, e.g. "paranom encodeParquet (snappy)". */
  name: string;
  group: WriterGroup;
  format: 'parquet' | 'arrow-ipc';
  /** Threads the writer used: 1 for every JS/WASM case, DuckDB's setting otherwise. */
  threads: number;
  rows: number;
  /** Median wall time of input build + encode + file write (DuckDB: generate + COPY). */
  medianMs: number;
  /** Fastest repetition, same scope as medianMs (less sensitive to background load). */
  minMs: number;
  /** Median of the in-memory encode alone (input build + encode, no file write); null for DuckDB. */
  medianEncodeMs: number | null;
  samplesMs: number[];
  rowsPerSec: number;
  /** Output megabytes (1e6 bytes) per second. */
  mbPerSec: number;
  bytes: number;
  /** rowsPerSec / rowsPerSec of the paranom default case. */
  speedVsDefault: number;
  /** true: read back correctly; false: unreadable or wrong; null: could not be checked. */
  valid: boolean | null;
  check: string;
  /** Per-stage medians (paranom default only). */
  stagesMs?: Record<string, number>;
  error?: string;
}

// ---------------------------------------------------------------- data

const CATEGORIES = Array.from({ length: 10 }, (_, i) => `cat_${i}`);
const START_MS = 1_704_067_200_000; // 2024-01-01T00:00:00Z
const STEP_MS = 1000;
const FLOAT_COLUMNS = 10;
const FLAG_RATE = 0.05;
const SEED = 0x5eed;

interface BenchData {
  rows: number;
  timestamp: BigInt64Array;
  values: Float64Array[];
  category: Int32Array;
  flag: Uint8Array;
  expected: { v0Sum: number; flags: number; tsMin: number; tsMax: number };
}

/** splitmix32: tiny, fast, good enough for benchmark filler. */
function splitmix32(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aafd);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
}

function generateData(rows: number): BenchData {
  const next = splitmix32(SEED);
  const timestamp = new BigInt64Array(rows);
  for (let i = 0; i < rows; i++) timestamp[i] = BigInt(START_MS + i * STEP_MS);
  const values: Float64Array[] = [];
  for (let c = 0; c < FLOAT_COLUMNS; c++) {
    const col = new Float64Array(rows);
    // 53-bit uniform doubles in [0, 1), like DuckDB's random(): full-entropy mantissas.
    for (let i = 0; i < rows; i++) col[i] = ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;
    values.push(col);
  }
  const category = new Int32Array(rows);
  const flag = new Uint8Array(rows);
  let flags = 0;
  for (let i = 0; i < rows; i++) {
    category[i] = next() % CATEGORIES.length;
    const f = next() / 4294967296 < FLAG_RATE ? 1 : 0;
    flag[i] = f;
    flags += f;
  }
  let v0Sum = 0;
  for (const v of values[0]!) v0Sum += v;
  return { rows, timestamp, values, category, flag, expected: { v0Sum, flags, tsMin: START_MS, tsMax: START_MS + (rows - 1) * STEP_MS } };
}

// ---------------------------------------------------------------- writer inputs

/** The Arrow table as paranom builds one: explicit types, buffers wrapped, bools packed. */
function arrowTable(d: BenchData): Table {
  const fields = [
    new Field('timestamp', new TimestampMillisecond('UTC'), false),
    ...d.values.map((_, i) => new Field(`v${i}`, new Float64(), false)),
    new Field('category', new Dictionary(new Utf8(), new Int32()), false),
    new Field('flag', new Bool(), false),
  ];
  const schema = new Schema(fields);
  const length = d.rows;
  const children: Data[] = [
    makeData({ type: fields[0]!.type as TimestampMillisecond, length, data: d.timestamp }),
    ...d.values.map((v, i) => makeData({ type: fields[i + 1]!.type as Float64, length, data: v })),
    makeData({
      type: fields[FLOAT_COLUMNS + 1]!.type as Dictionary<Utf8, Int32>,
      length,
      data: d.category,
      dictionary: vectorFromArray(CATEGORIES, new Utf8()),
    }),
    makeData({ type: new Bool(), length, data: packBits(d.flag) }),
  ];
  const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length, children, nullCount: 0 }));
  return new Table(schema, [batch]);
}

const METADATA = new Map([['paranom', JSON.stringify({ bench: 'writers' })]]);

interface WasmOptions {
  compression: ParquetCompression;
  /** 'timestamp': chunk statistics on the timestamp column only (time-range pruning), none elsewhere. */
  statistics: 'none' | 'chunk' | 'page' | 'timestamp';
  dictionary: 'none' | 'category' | 'all';
  /** Non-dictionary encodings: 'delta-ts' = DELTA_BINARY_PACKED timestamp; 'bss+delta' adds
   *  BYTE_STREAM_SPLIT floats (Parquet 2.8+ readers). Default: PLAIN everywhere. */
  encodings?: 'plain' | 'delta-ts' | 'bss+delta';
  /** Use the parquet-wasm builder's own defaults (ignores the fields above). */
  libraryDefaults?: boolean;
}

const WASM_CODECS: Record<ParquetCompression, number> = {
  snappy: pw.Compression.SNAPPY,
  zstd: pw.Compression.ZSTD,
  none: pw.Compression.UNCOMPRESSED,
};
const WASM_STATS = {
  none: pw.EnabledStatistics.None,
  chunk: pw.EnabledStatistics.Chunk,
  page: pw.EnabledStatistics.Page,
  timestamp: pw.EnabledStatistics.None,
} as const;

/** encodeParquet with knobs; same pipeline (IPC stream → wasm Table → writeParquet). */
function encodeWasm(table: Table, o: WasmOptions): Uint8Array {
  const wasmTable = pw.Table.fromIPCStream(tableToIPC(table, 'stream'));
  let b = new pw.WriterPropertiesBuilder();
  if (!o.libraryDefaults) {
    b = b
      .setCompression(WASM_CODECS[o.compression])
      .setDictionaryEnabled(o.dictionary === 'all')
      .setMaxRowGroupSize(ROW_GROUP_ROWS)
      .setStatisticsEnabled(WASM_STATS[o.statistics])
      .setCreatedBy('paranom')
      .setKeyValueMetadata(METADATA);
    if (o.dictionary === 'category') b = b.setColumnDictionaryEnabled('category', true);
    if (o.statistics === 'timestamp') b = b.setColumnStatisticsEnabled('timestamp', pw.EnabledStatistics.Chunk);
    if (o.encodings === 'delta-ts' || o.encodings === 'bss+delta') b = b.setColumnEncoding('timestamp', pw.Encoding.DELTA_BINARY_PACKED);
    if (o.encodings === 'bss+delta') {
      for (let i = 0; i < FLOAT_COLUMNS; i++) b = b.setColumnEncoding(`v${i}`, pw.Encoding.BYTE_STREAM_SPLIT);
    }
  }
  // writeParquet frees both the table and the properties.
  return pw.writeParquet(wasmTable, b.build());
}

interface HyparquetOptions {
  codec: 'SNAPPY' | 'UNCOMPRESSED';
  statistics: boolean;
}

/** hyparquet-writer's input: typed arrays where it takes them, JS arrays for strings/booleans. */
function encodeHyparquet(hw: HyparquetWriter, d: BenchData, o: HyparquetOptions): Uint8Array {
  const category: string[] = new Array<string>(d.rows);
  const flag: boolean[] = new Array<boolean>(d.rows);
  for (let i = 0; i < d.rows; i++) {
    category[i] = CATEGORIES[d.category[i]!]!;
    flag[i] = d.flag[i] === 1;
  }
  const columnData: ColumnSource[] = [
    { name: 'timestamp', data: d.timestamp, nullable: false },
    ...d.values.map((v, i): ColumnSource => ({ name: `v${i}`, data: v, nullable: false })),
    { name: 'category', data: category, nullable: false },
    { name: 'flag', data: flag, nullable: false },
  ];
  // An explicit schema (hyparquet-writer rejects it together with per-column `type`) so the
  // timestamp carries the same UTC-adjusted TIMESTAMP(MILLIS) logical type as the Arrow path.
  const schema: SchemaElement[] = [
    { name: 'root', num_children: columnData.length },
    {
      name: 'timestamp',
      type: 'INT64',
      repetition_type: 'REQUIRED',
      converted_type: 'TIMESTAMP_MILLIS',
      logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
    },
    ...d.values.map((_, i): SchemaElement => ({ name: `v${i}`, type: 'DOUBLE', repetition_type: 'REQUIRED' })),
    { name: 'category', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
    { name: 'flag', type: 'BOOLEAN', repetition_type: 'REQUIRED' },
  ];
  const writer = new hw.ByteWriter();
  const done = hw.parquetWrite({
    writer,
    columnData,
    schema,
    codec: o.codec,
    statistics: o.statistics,
    rowGroupSize: ROW_GROUP_ROWS,
    kvMetadata: [{ key: 'paranom', value: METADATA.get('paranom')! }],
    createdBy: 'paranom-bench',
  });
  if (done instanceof Promise) throw new Error('hyparquet-writer: ByteWriter unexpectedly asynchronous');
  return writer.getBytes();
}

function duckdbCopySql(rows: number, path: string): string {
  const floats = Array.from({ length: FLOAT_COLUMNS }, (_, i) => `random() AS v${i}`).join(', ');
  return (
    `COPY (SELECT make_timestamptz((${START_MS} + i * ${STEP_MS}) * 1000) AS "timestamp", ${floats}, ` +
    `'cat_' || CAST(floor(random() * ${CATEGORIES.length}) AS INTEGER) AS category, random() < ${FLAG_RATE} AS flag ` +
    `FROM range(${rows}) t(i)) TO ${sqlString(path)} (FORMAT parquet)`
  );
}

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

// ---------------------------------------------------------------- verification

async function queryRow(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>> {
  const reader = await conn.runAndReadAll(sql);
  const row = reader.getRowObjectsJS()[0];
  if (!row) throw new Error(`no row from: ${sql}`);
  return row;
}

interface CheckOutcome {
  valid: boolean | null;
  check: string;
}

async function verifyParquet(conn: DuckDBConnection | null, path: string, d: BenchData, ownData: boolean): Promise<CheckOutcome> {
  if (!conn) {
    // Fallback without DuckDB: parquet-wasm can at least read it back.
    try {
      const t = pw.readParquet(readFileSync(path));
      let n = 0;
      for (const b of t.recordBatches()) {
        n += b.numRows;
        b.free();
      }
      t.free();
      return { valid: null, check: `DuckDB missing; parquet-wasm reads ${n} rows` };
    } catch (e) {
      return { valid: false, check: `parquet-wasm cannot read: ${errorText(e)}` };
    }
  }
  try {
    const p = sqlString(path);
    const cols = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${p})`)).getRowObjectsJS().length;
    const r = await queryRow(
      conn,
      `SELECT count(*) AS n, count(DISTINCT category) AS cats, sum(CAST(flag AS INTEGER)) AS flags, sum(v0) AS v0sum, ` +
        `epoch_ms(min("timestamp")) AS tmin, epoch_ms(max("timestamp")) AS tmax FROM read_parquet(${p})`,
    );
    const problems: string[] = [];
    const n = Number(r.n);
    if (n !== d.rows) problems.push(`count ${n} != ${d.rows}`);
    if (cols !== 2 + FLOAT_COLUMNS + 1) problems.push(`${cols} columns`);
    if (Number(r.cats) !== CATEGORIES.length) problems.push(`${String(r.cats)} categories`);
    if (Number(r.tmin) !== d.expected.tsMin || Number(r.tmax) !== d.expected.tsMax) problems.push('timestamp range');
    if (ownData) {
      if (Number(r.flags) !== d.expected.flags) problems.push(`flags ${String(r.flags)} != ${d.expected.flags}`);
      const v0 = Number(r.v0sum);
      if (!(Math.abs(v0 - d.expected.v0Sum) <= 1e-9 * Math.abs(d.expected.v0Sum))) problems.push(`sum(v0) ${v0} != ${d.expected.v0Sum}`);
    }
    return problems.length
      ? { valid: false, check: problems.join('; ') }
      : { valid: true, check: ownData ? 'duckdb: count, cols, sum, flags, cats, ts ok' : 'duckdb: count, cols, cats, ts ok' };
  } catch (e) {
    return { valid: false, check: `duckdb cannot read: ${errorText(e)}` };
  }
}

function verifyArrowIpc(path: string, d: BenchData): CheckOutcome {
  try {
    const t = tableFromIPC(readFileSync(path));
    return t.numRows === d.rows && t.numCols === 13
      ? { valid: true, check: 'apache-arrow reads it back (not Parquet)' }
      : { valid: false, check: `apache-arrow reads ${t.numRows} rows × ${t.numCols} cols` };
  } catch (e) {
    return { valid: false, check: `apache-arrow cannot read: ${errorText(e)}` };
  }
}

function errorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 160);
}

// ---------------------------------------------------------------- timing

interface CaseSpec {
  name: string;
  group: WriterGroup;
  format: 'parquet' | 'arrow-ipc';
  threads: number;
  /** In-process writers: returns the encoded file. */
  encode?: () => Uint8Array;
  /** External writers (DuckDB): writes `path` itself. */
  writeFile?: (path: string) => Promise<void>;
  /** Whether the file holds our generated values (enables sum/flag checks). */
  ownData: boolean;
  setup?: () => Promise<void>;
  teardown?: () => Promise<void>;
}

const maybeGc = (globalThis as { gc?: () => void }).gc;

interface CaseState {
  spec: CaseSpec;
  path: string;
  total: number[];
  encodeOnly: number[];
  bytes: number;
  error?: string;
}

/** One timed (or warm-up) execution of a case; failures are recorded, not thrown. */
async function runOnce(st: CaseState, timed: boolean): Promise<void> {
  if (st.error !== undefined) return;
  const { spec, path } = st;
  try {
    await spec.setup?.();
    rmSync(path, { force: true });
    maybeGc?.();
    const t0 = performance.now();
    let t1: number;
    if (spec.encode) {
      const out = spec.encode();
      t1 = performance.now();
      writeFileSync(path, out);
      st.bytes = out.byteLength;
    } else if (spec.writeFile) {
      await spec.writeFile(path);
      t1 = performance.now();
    } else {
      throw new Error('case has neither encode nor writeFile');
    }
    const t2 = performance.now();
    if (!spec.encode) st.bytes = statSync(path).size;
    if (timed) {
      st.total.push(t2 - t0);
      if (spec.encode) st.encodeOnly.push(t1 - t0);
    }
  } catch (e) {
    st.error = errorText(e);
  } finally {
    await spec.teardown?.().catch(() => undefined);
  }
}

async function finishCase(st: CaseState, data: BenchData, conn: DuckDBConnection | null): Promise<Omit<WriterResult, 'speedVsDefault'>> {
  const { spec, path, total, encodeOnly, bytes } = st;
  const base = { name: spec.name, group: spec.group, format: spec.format, threads: spec.threads, rows: data.rows, samplesMs: total, bytes };
  try {
    if (st.error !== undefined) {
      const nan = { medianMs: NaN, minMs: NaN, medianEncodeMs: null, rowsPerSec: NaN, mbPerSec: NaN };
      return { ...base, ...nan, valid: false, check: 'writer threw', error: st.error };
    }
    const outcome = spec.format === 'parquet' ? await verifyParquet(conn, path, data, spec.ownData) : verifyArrowIpc(path, data);
    const ms = median(total);
    return {
      ...base,
      medianMs: ms,
      minMs: Math.min(...total),
      medianEncodeMs: encodeOnly.length ? median(encodeOnly) : null,
      rowsPerSec: data.rows / (ms / 1000),
      mbPerSec: bytes / 1e6 / (ms / 1000),
      ...outcome,
    };
  } finally {
    rmSync(path, { force: true });
  }
}

/**
 * Runs every case once untimed (warm-up: JIT, wasm memory growth, DuckDB caches), then `reps`
 * rounds in which each case runs once, round-robin, so that background load on a shared machine
 * spreads over all cases instead of penalising whichever case happened to run during it.
 */
async function runCases(specs: readonly CaseSpec[], reps: number, dir: string, data: BenchData, conn: DuckDBConnection | null, log: (line: string) => void) {
  const states: CaseState[] = specs.map((spec, i) => ({
    spec,
    path: join(dir, `case${i}-${spec.name.replace(/[^a-z0-9]+/gi, '_')}.${spec.format === 'parquet' ? 'parquet' : 'arrow'}`),
    total: [],
    encodeOnly: [],
    bytes: 0,
  }));
  for (let rep = 0; rep <= reps; rep++) {
    const r0 = performance.now();
    for (const st of states) await runOnce(st, rep > 0);
    log(`  ${rep === 0 ? 'warm-up' : `round ${rep}/${reps}`}: ${((performance.now() - r0) / 1000).toFixed(1)} s`);
  }
  const results: Omit<WriterResult, 'speedVsDefault'>[] = [];
  for (const st of states) results.push(await finishCase(st, data, conn));
  return results;
}

/** Median time of each stage of the parquet-wasm path (encodeParquetWasm, paranom's fallback), to see where time goes. */
function paranomStages(data: BenchData, reps: number): Record<string, number> {
  const stages: Record<string, number[]> = { arrowTable: [], tableToIPC: [], fromIPCStream: [], writeParquet: [] };
  for (let rep = 0; rep <= reps; rep++) {
    maybeGc?.();
    const t0 = performance.now();
    const table = arrowTable(data);
    const t1 = performance.now();
    const ipc = tableToIPC(table, 'stream');
    const t2 = performance.now();
    const wasmTable = pw.Table.fromIPCStream(ipc);
    const t3 = performance.now();
    const props = new pw.WriterPropertiesBuilder()
      .setCompression(pw.Compression.SNAPPY)
      .setDictionaryEnabled(false)
      .setColumnDictionaryEnabled('category', true)
      .setMaxRowGroupSize(ROW_GROUP_ROWS)
      .setStatisticsEnabled(pw.EnabledStatistics.Chunk)
      .build();
    pw.writeParquet(wasmTable, props);
    const t4 = performance.now();
    if (rep > 0) {
      stages.arrowTable!.push(t1 - t0);
      stages.tableToIPC!.push(t2 - t1);
      stages.fromIPCStream!.push(t3 - t2);
      stages.writeParquet!.push(t4 - t3);
    }
  }
  return Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, median(v)]));
}

// ---------------------------------------------------------------- the bench

export const DEFAULT_CASE = 'paranom encodeParquet snappy (default)';

/** Cases kept by `npm run bench` (bench/run.ts): paranom, the best-tuned parquet-wasm, library defaults, the peers. */
const PEER_CASES = new Set([DEFAULT_CASE, 'paranom encodeParquet none', 'pw stats ts, snappy, delta ts', 'pw library defaults', 'hyparquet-writer snappy, stats', 'arrow IPC file (reference)']);

export async function runWriterBench(rows: number, reps = 3, log: (line: string) => void = () => undefined, cases: 'all' | 'peers' = 'all'): Promise<WriterResult[]> {
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`rows must be a positive integer, got ${rows}`);
  if (!Number.isInteger(reps) || reps < 3) throw new Error(`reps must be an integer >= 3, got ${reps}`);
  const dir = mkdtempSync(join(tmpdir(), 'paranom-bench-writers-'));
  let instance: import('@duckdb/node-api').DuckDBInstance | null = null;
  let conn: DuckDBConnection | null = null;
  try {
    const duck: DuckDBModule = await import('@duckdb/node-api');
    instance = await duck.DuckDBInstance.create(':memory:');
    conn = await instance.connect();
  } catch (e) {
    log(`@duckdb/node-api not usable (${errorText(e)}): skipping the DuckDB peer; verifying with parquet-wasm only`);
  }
  let hw: HyparquetWriter | null = null;
  try {
    hw = await import('hyparquet-writer');
  } catch {
    log('hyparquet-writer not available: skipping it');
  }

  try {
    const g0 = performance.now();
    const data = generateData(rows);
    log(`generated ${rows.toLocaleString('en-US')} rows × 13 columns in ${(performance.now() - g0).toFixed(0)} ms (untimed)`);

    const wasm = (name: string, o: WasmOptions): CaseSpec => ({
      name,
      group: 'parquet-wasm',
      format: 'parquet',
      threads: 1,
      ownData: true,
      encode: () => encodeWasm(arrowTable(data), o),
    });
    const specs: CaseSpec[] = [
      // a) paranom as shipped
      { name: DEFAULT_CASE, group: 'paranom', format: 'parquet', threads: 1, ownData: true, encode: () => encodeParquet(arrowTable(data), METADATA, 'snappy') },
      { name: 'paranom encodeParquet zstd', group: 'paranom', format: 'parquet', threads: 1, ownData: true, encode: () => encodeParquet(arrowTable(data), METADATA, 'zstd') },
      { name: 'paranom encodeParquet none', group: 'paranom', format: 'parquet', threads: 1, ownData: true, encode: () => encodeParquet(arrowTable(data), METADATA, 'none') },
      // b) parquet-wasm tuned
      wasm('pw stats off, snappy, dict cat', { compression: 'snappy', statistics: 'none', dictionary: 'category' }),
      wasm('pw stats off, none, dict cat', { compression: 'none', statistics: 'none', dictionary: 'category' }),
      wasm('pw stats off, zstd, dict cat', { compression: 'zstd', statistics: 'none', dictionary: 'category' }),
      wasm('pw stats off, snappy, no dict', { compression: 'snappy', statistics: 'none', dictionary: 'none' }),
      wasm('pw stats chunk, snappy, dict all', { compression: 'snappy', statistics: 'chunk', dictionary: 'all' }),
      wasm('pw stats off, snappy, delta ts', { compression: 'snappy', statistics: 'none', dictionary: 'category', encodings: 'delta-ts' }),
      wasm('pw stats chunk, snappy, delta ts', { compression: 'snappy', statistics: 'chunk', dictionary: 'category', encodings: 'delta-ts' }),
      wasm('pw stats ts, snappy, delta ts', { compression: 'snappy', statistics: 'timestamp', dictionary: 'category', encodings: 'delta-ts' }),
      wasm('pw stats ts, snappy, BSS+delta', { compression: 'snappy', statistics: 'timestamp', dictionary: 'category', encodings: 'bss+delta' }),
      wasm('pw stats off, snappy, BSS+delta', { compression: 'snappy', statistics: 'none', dictionary: 'category', encodings: 'bss+delta' }),
      wasm('pw stats off, zstd, BSS+delta', { compression: 'zstd', statistics: 'none', dictionary: 'category', encodings: 'bss+delta' }),
      wasm('pw library defaults', { compression: 'none', statistics: 'page', dictionary: 'all', libraryDefaults: true }),
    ];
    if (hw) {
      const h = hw;
      specs.push(
        { name: 'hyparquet-writer snappy, stats', group: 'hyparquet-writer', format: 'parquet', threads: 1, ownData: true, encode: () => encodeHyparquet(h, data, { codec: 'SNAPPY', statistics: true }) },
        { name: 'hyparquet-writer none, no stats', group: 'hyparquet-writer', format: 'parquet', threads: 1, ownData: true, encode: () => encodeHyparquet(h, data, { codec: 'UNCOMPRESSED', statistics: false }) },
      );
    }
    // d) reference: no Parquet encoding at all
    specs.push({ name: 'arrow IPC file (reference)', group: 'arrow-ipc', format: 'arrow-ipc', threads: 1, ownData: true, encode: () => tableToIPC(arrowTable(data), 'file') });
    // e) the peer: DuckDB generating and writing the same shape itself
    if (conn) {
      const c = conn;
      const threads = Number((await queryRow(c, `SELECT current_setting('threads') AS t`)).t);
      specs.push({
        name: `duckdb COPY, gen incl. (${threads} thr)`,
        group: 'duckdb',
        format: 'parquet',
        threads,
        ownData: false,
        writeFile: async (path) => void (await c.run(duckdbCopySql(rows, path))),
      });
      if (threads !== 1) {
        specs.push({
          name: 'duckdb COPY, gen incl. (1 thr)',
          group: 'duckdb',
          format: 'parquet',
          threads: 1,
          ownData: false,
          setup: async () => void (await c.run('SET threads = 1')),
          teardown: async () => void (await c.run('RESET threads')),
          writeFile: async (path) => void (await c.run(duckdbCopySql(rows, path))),
        });
      }
    }

    if (cases === 'peers') {
      for (let i = specs.length - 1; i >= 0; i--) {
        const sp = specs[i]!;
        if (!(PEER_CASES.has(sp.name) || (sp.group === 'duckdb' && sp.threads !== 1))) specs.splice(i, 1);
      }
    }
    log(`${specs.length} cases, 1 warm-up + ${reps} timed rounds, round-robin`);
    const partial = await runCases(specs, reps, dir, data, conn, log);
    const stages = cases === 'all' ? paranomStages(data, reps) : {};
    const baseline = partial.find((r) => r.name === DEFAULT_CASE)?.rowsPerSec ?? NaN;
    return partial.map((r) => ({
      ...r,
      speedVsDefault: r.rowsPerSec / baseline,
      ...(r.name === DEFAULT_CASE && cases === 'all' ? { stagesMs: stages } : {}),
    }));
  } finally {
    conn?.closeSync();
    instance?.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- report

export function formatWriterTable(results: readonly WriterResult[]): string {
  const header = ['case', 'thr', 'rows/s', 'MB/s', 'file MB', 'median ms', 'min ms', 'encode ms', 'vs default', 'readable'];
  const fmt = (x: number, digits = 0): string =>
    Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-';
  const body = results.map((r) => [
    r.name,
    String(r.threads),
    fmt(r.rowsPerSec),
    fmt(r.mbPerSec, 1),
    fmt(r.bytes / 1e6, 1),
    fmt(r.medianMs),
    fmt(r.minMs),
    r.medianEncodeMs === null ? '-' : fmt(r.medianEncodeMs),
    Number.isFinite(r.speedVsDefault) ? `${r.speedVsDefault.toFixed(2)}x` : '-',
    r.error !== undefined ? 'ERROR' : r.valid === true ? (r.format === 'parquet' ? 'ok' : 'ok (IPC)') : r.valid === null ? 'UNCHECKED' : 'INVALID',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
  const bad = results.filter((r) => r.valid !== true);
  for (const r of bad) {
    const why = r.error !== undefined ? 'writer threw, not ranked' : r.valid === null ? 'unchecked, not ranked' : 'INVALID output, not ranked';
    out.push(`! ${r.name}: ${why}: ${r.error ?? r.check}`);
  }
  return out.join('\n');
}

export function writerConclusion(results: readonly WriterResult[]): string {
  const ranked = results.filter((r) => r.format === 'parquet' && r.valid === true && Number.isFinite(r.rowsPerSec)).sort((a, b) => b.rowsPerSec - a.rowsPerSec);
  const best = ranked[0];
  if (!best) return 'Conclusion: no Parquet writer produced a readable file.';
  const inProcess = ranked.find((r) => r.group !== 'duckdb');
  const describe = (r: WriterResult): string =>
    `${r.name} at ${Math.round(r.rowsPerSec).toLocaleString('en-US')} rows/s (${r.speedVsDefault.toFixed(2)}x paranom default, ${(r.bytes / 1e6).toFixed(1)} MB)`;
  let line =
    inProcess && inProcess !== best
      ? `Conclusion: fastest correct writer is ${describe(best)}; fastest correct in-process single-thread writer is ${describe(inProcess)}.`
      : `Conclusion: fastest correct writer is ${describe(best)}.`;
  // On a busy machine the median is noisy; say so when the best single run disagrees.
  const byMin = [...ranked].sort((a, b) => a.minMs - b.minMs)[0]!;
  if (byMin !== best) line += ` (By best run: ${byMin.name}, ${byMin.minMs.toFixed(0)} ms vs ${best.minMs.toFixed(0)} ms: within noise.)`;
  return line;
}

function parseArgs(argv: readonly string[]): { rows: number; reps: number } {
  let rows = 1_000_000;
  let reps = 3;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.split('=', 2) as [string, string | undefined];
    const value = (): number => Number((inline ?? argv[++i] ?? '').replaceAll('_', ''));
    if (flag === '--rows') rows = value();
    else if (flag === '--reps') reps = value();
    else if (flag === '--help' || flag === '-h') {
      console.log('usage: node dist/bench/writers.js [--rows N] [--reps R]   (run with --expose-gc for steadier numbers)');
      process.exit(0);
    } else throw new Error(`unknown argument: ${a}`);
  }
  return { rows, reps };
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const { rows, reps } = parseArgs(argv);
  console.log(`paranom writer bench: ${rows.toLocaleString('en-US')} rows, ${reps} reps (median), node ${process.version}, gc ${maybeGc ? 'forced between reps' : 'not exposed'}`);
  const results = await runWriterBench(rows, reps, (l) => console.log(l));
  const stages = results.find((r) => r.stagesMs)?.stagesMs;
  console.log('');
  console.log(formatWriterTable(results));
  console.log('');
  console.log('Timed: writer input build + encode + writeFileSync; rows/s, MB/s from the median; encode ms excludes the write.');
  console.log('DuckDB: random() generation + COPY inside DuckDB, at the thread count shown. MB = 1e6 bytes.');
  console.log('parquetjs-lite: see bench/choices.ts (npm run bench:choices).');
  if (stages) {
    console.log(`parquet-wasm path stages (median ms): ${Object.entries(stages).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
  }
  console.log(writerConclusion(results));
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
