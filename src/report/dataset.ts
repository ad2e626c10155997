/**
 * A report of a dataset on disk: the manifest and segment table first, then every shard
 * read once (only the columns the report draws) and reduced as it streams past. With
 * `workers` > 1, shards are shared out among worker threads, each reading one shard at a
 * time into its own reduction, and the main thread folds their states together. Memory is
 * the reductions and one shard per thread, whatever the row count.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { parquetWasm } from '../formats/parquet-wasm.js';
import { PAGE_ROWS } from '../formats/parquet-chunks.js';
import { tableFromIPC, type Table } from 'apache-arrow';
import { ParanomError, type ErrorData } from '../errors.js';
import { firstRow } from '../model/types.js';
import { readManifest, SEGMENTS_FILE, type Manifest, type ManifestShard } from '../dataset/manifest.js';
import { csvRecords, splitCsvLine } from '../input/csv-line.js';
import { ChunkBuffers, forEachArrowChunk } from './arrow-chunks.js';
import { fromRowBase, ReportBuilder, type ReportLimits } from './build.js';
import { Reduction, type ReductionSpec, type ReductionState } from './reduction.js';
import type { ReportLayout } from './layout.js';
import type { Chunk } from './chunk.js';
import { latentPanels } from './latent.js';
import { eventRows } from './events.js';

function readParquetTable(bytes: Uint8Array, columns?: string[], rows?: { offset: number; limit: number }): Table {
  return tableFromIPC(parquetWasm().readParquet(bytes, { batchSize: 65536, ...(columns ? { columns } : {}), ...(rows ?? {}) }).intoIPCStream());
}

/**
 * Values decoded from Parquet at a time, about. parquet-wasm decodes every column of the
 * rows it is asked for (it does not honour `columns`), and a shard read whole held them
 * all at once: 6 GB of memory for a 524,288-row shard of 400 numeric columns. A wide shard
 * is read in slices of whole pages (PAGE_ROWS rows, at least one) of about this many
 * values; a narrow shard is one slice, as before.
 */
const SLICE_VALUES = 16_000_000;

/** A Parquet shard's rows, a slice at a time, until a slice comes back short. */
function forEachParquetSlice(bytes: Uint8Array, columns: string[], rowStart: number, layout: ReportLayout, bufs: ChunkBuffers, onChunk: (c: Chunk) => void): void {
  const limit = PAGE_ROWS * Math.max(1, Math.floor(SLICE_VALUES / columns.length / PAGE_ROWS));
  for (let offset = 0; ; offset += limit) {
    const t = readParquetTable(bytes, columns, { offset, limit });
    forEachArrowChunk(t, rowStart + offset, layout, bufs, onChunk);
    if (t.numRows < limit) return;
  }
}

/** Rows of a CSV shard as chunks of up to 65,536 rows. */
function forEachCsvChunk(text: string, rowStart: number, layout: ReportLayout, bufs: ChunkBuffers, onChunk: (c: Chunk) => void): void {
  // Records, not lines: a category value may hold a line break inside its quotes.
  const lines = csvRecords(text).records;
  const header = splitCsvLine(lines[0] ?? '');
  const at = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`column '${name}' missing from a CSV shard`);
    return i;
  };
  const flagAt = at('is_anomaly');
  const numeric = layout.numericColumns.map((n) => [n, at(n)] as const);
  const cats = layout.categorical.map((c) => [c.name, at(c.name), new Map(c.categories.map((v, k) => [v, k]))] as const);
  const total = lines.length - 1;
  for (let off = 0; off < total; off += 65536) {
    const n = Math.min(65536, total - off);
    const flags = bufs.anomaly(n);
    const num = new Map(numeric.map(([name]) => [name, bufs.numeric(name, n)]));
    const cat = new Map(cats.map(([name]) => [name, bufs.codes(name, n)]));
    for (let i = 0; i < n; i++) {
      const f = splitCsvLine(lines[1 + off + i]!);
      flags[i] = f[flagAt] === 'true' ? 1 : 0;
      for (const [name, k] of numeric) {
        const s = f[k]!;
        num.get(name)![i] = s === '' ? NaN : s === 'true' ? 1 : s === 'false' ? 0 : Number(s);
      }
      // A string column holds no nulls: an empty field is the empty category (written "").
      for (const [name, k, index] of cats) cat.get(name)![i] = index.get(f[k]!) ?? -1;
    }
    onChunk({ rowStart: rowStart + off, rows: n, isAnomaly: flags, numeric: num, categorical: cat });
  }
}

/** Reads a dataset's manifest, refusing what a report cannot show with a message that says why. */
/**
 * A dataset over a later stretch of its timeline (a test split) as the report draws it: rows
 * counted from the dataset's first row, times from that row's; `rowBase` is that row.
 */
function fromFirstRow(m: Manifest): { view: Manifest; rowBase: number } {
  const rowBase = firstRow(m.scenario.timeline);
  if (rowBase === 0) return { view: m, rowBase };
  return { view: { ...m, scenario: fromRowBase(m.scenario), shards: m.shards.map((s) => ({ ...s, row_start: s.row_start - rowBase, row_end: s.row_end - rowBase })) }, rowBase };
}

export interface DatasetReportOptions {
  limits?: ReportLimits;
  /**
   * Threads reading shards (default 1, at most one per shard). More threads cost a
   * reduction and a Parquet decoder each; on the 2-core development machine they did not
   * shorten a report (most of its wall time was spent waiting, not computing).
   */
  workers?: number;
  /** A fleet: the entity to show, by key (default: the first). */
  entity?: string | undefined;
}

/** Streams one shard's rows, as chunks, into `onChunk`. */
function readShardChunks(dir: string, format: Manifest['format'], s: ManifestShard, layout: ReportLayout, bufs: ChunkBuffers, onChunk: (c: Chunk) => void): void {
  const path = join(dir, s.file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new ParanomError('DATASET_INVALID', `${path}: shard listed in the manifest is missing (rows ${s.row_start}–${s.row_end - 1})`, { path });
  }
  // Not the shard the manifest lists: a grow that committed while this report read the
  // dataset, or a file replaced by hand. Its rows past the manifest's end would fall past
  // the overview's last bucket (and the bucket walk never ended).
  const changed = `the dataset was changed while the report read it, or is damaged; run 'paranom verify ${dir}', then report again`;
  if (bytes.length !== s.bytes) throw new ParanomError('DATASET_INVALID', `${path}: ${bytes.length} bytes, the manifest says ${s.bytes} (${changed})`, { path });
  const rows = s.row_end - s.row_start;
  let seen = 0;
  const counted = (c: Chunk): void => {
    seen += c.rows;
    if (seen <= rows) onChunk(c);
  };
  const columns = ['is_anomaly', ...layout.numericColumns, ...layout.categorical.map((c) => c.name)];
  try {
    if (format === 'csv') forEachCsvChunk(bytes.toString('utf8'), s.row_start, layout, bufs, counted);
    else if (format === 'arrow') forEachArrowChunk(tableFromIPC(bytes).select(columns), s.row_start, layout, bufs, counted);
    else forEachParquetSlice(bytes, columns, s.row_start, layout, bufs, counted);
  } catch (err) {
    throw new ParanomError('DATASET_INVALID', `${path}: cannot be read (${(err as Error).message})`, { path });
  }
  if (seen !== rows) throw new ParanomError('DATASET_INVALID', `${path}: holds ${seen.toLocaleString('en-US')} rows, the manifest says ${rows.toLocaleString('en-US')} (${changed})`, { path });
}

/** What a thread reducing shards is given. */
export interface ShardReduceTask {
  dir: string;
  format: Manifest['format'];
  shards: ManifestShard[];
  spec: ReductionSpec;
}

/** Reduces some shards of a dataset (one thread's share). */
export function reduceShards(t: ShardReduceTask): Reduction {
  const r = new Reduction(t.spec);
  const bufs = new ChunkBuffers();
  for (const s of t.shards) readShardChunks(t.dir, t.format, s, t.spec.layout, bufs, (c) => r.add(c));
  return r;
}

/** The compiled report worker (from TypeScript sources, as in tests, the one in dist/). */
function workerPath(): string {
  const here = import.meta.url;
  return fileURLToPath(new URL(here.endsWith('.ts') ? '../../dist/workers/report-worker.js' : '../../workers/report-worker.js', here));
}

/** Runs one thread's share of the shards; its errors come back as data. */
function reduceOnWorker(task: ShardReduceTask): Promise<ReductionState> {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerPath(), { workerData: task });
    w.once('message', (m: { ok: true; state: ReductionState } | { ok: false; error: ErrorData }) => {
      void w.terminate();
      if (m.ok) resolve(m.state);
      else reject(ParanomError.fromData(m.error));
    });
    w.once('error', reject);
  });
}

/** The page data of a report of the dataset in `dir`. */
export async function datasetReport(dir: string, options: DatasetReportOptions = {}): Promise<PageData.Report> {
  const whole = readManifest(dir);
  // As a preview of a one-series scenario does: an entity asked of one series is a mistake, not a default.
  if (!whole.entities && options.entity !== undefined) throw new ParanomError('USAGE', `--entity ${options.entity}: ${dir} holds one series (its scenario has no entities)`, { entity: options.entity });
  if (whole.entities) {
    // A fleet: one entity's series, generated from the manifest's scenario (the bytes its
    // rows hold in the dataset, which `paranom verify` checks).
    const { previewReport } = await import('./preview.js');
    return previewReport(whole.scenario, {
      rows: whole.scenario.timeline.rows,
      entity: options.entity,
      columns: whole.columns,
      title: `${whole.scenario.name} — ${whole.entities.count.toLocaleString('en-US')} entities × ${whole.scenario.timeline.rows.toLocaleString('en-US')} rows`,
      notes: [`A fleet: this report shows one entity's ${whole.scenario.timeline.rows.toLocaleString('en-US')} rows, generated from the dataset's manifest (the same values as its rows in the files; \`paranom verify\` checks that).`],
      ...(options.limits ? { limits: options.limits } : {}),
    });
  }
  const { view: m, rowBase } = fromFirstRow(whole);
  const segPath = join(dir, SEGMENTS_FILE);
  if (!existsSync(segPath)) throw new ParanomError('DATASET_INVALID', `${segPath}: the segment table is missing`, { path: segPath });
  const segments = readParquetTable(readFileSync(segPath));
  const latent = latentPanels(m.scenario, eventRows(segments, 2000, rowBase).events);
  const builder = new ReportBuilder({
    rowBase,
    title: `${m.scenario.name} — ${m.rows.toLocaleString('en-US')} rows`,
    source: 'dataset',
    manifest: m,
    segments,
    latent: latent.panels,
    notes: latent.notes,
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const workers = Math.max(1, Math.min(options.workers ?? 1, m.shards.length));
  if (workers === 1) {
    const bufs = new ChunkBuffers();
    for (const s of m.shards) readShardChunks(dir, m.format, s, builder.layout, bufs, (c) => builder.add(c));
  } else {
    // Shards dealt round-robin, so each thread reads a spread of the timeline.
    const groups = Array.from({ length: workers }, (_, k) => m.shards.filter((_, i) => i % workers === k));
    const states = await Promise.all(groups.map((shards) => reduceOnWorker({ dir, format: m.format, shards, spec: builder.reduction.spec })));
    states.forEach((st, k) => builder.reduction.absorb(st, groups[k]!.map((s) => [s.row_start, s.row_end] as const)));
  }
  return builder.finish();
}
