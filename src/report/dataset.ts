/**
 * A report of a dataset on disk: the manifest and segment table first, then every shard
 * read once from disk, a piece at a time (only the columns the report draws, where the
 * format allows), and reduced as it streams past. With `workers` > 1, shards are shared
 * out among worker threads, each reading one shard at a time into its own reduction, and
 * the main thread folds their states together. Memory is the reductions and one piece of
 * a shard per thread, whatever the row count or a shard's size.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { parquetWasm } from '../formats/parquet-wasm.js';
import { PAGE_ROWS } from '../formats/parquet-chunks.js';
import { tableFromIPC, type Table } from 'apache-arrow';
import { ParanomError, type ErrorData } from '../errors.js';
import { firstRow } from '../model/types.js';
import { readManifest, SEGMENTS_FILE, type Manifest, type ManifestShard } from '../dataset/manifest.js';
import { forEachParquetRows } from '../formats/parquet-batches.js';
import { forEachArrowRows } from '../formats/arrow-rows.js';
import { batchChunk, ChunkBuffers, forEachArrowChunk } from './arrow-chunks.js';
import { forEachCsvChunk } from './csv-chunks.js';
import { fromRowBase, ReportBuilder, type ReportLimits } from './build.js';
import { Reduction, type ReductionSpec, type ReductionState } from './reduction.js';
import type { ReportLayout } from './layout.js';
import type { Chunk } from './chunk.js';
import { latentPanels } from './latent.js';
import { eventRows } from './events.js';

function readParquetTable(bytes: Uint8Array): Table {
  return tableFromIPC(parquetWasm().readParquet(bytes, { batchSize: 65536 }).intoIPCStream());
}

/**
 * How much of a shard is read at a time. A Parquet or Arrow shard is read from disk in
 * pieces of whole 65,536-row pages (at least one) of the columns the report draws, about
 * `values` values each (default 1,000,000); a CSV shard in pieces of about `csvBytes`
 * bytes of text (default 4 MiB). So memory is a piece whatever a shard's size or width (a
 * Parquet shard handed to parquet-wasm whole was copied into WebAssembly memory, which
 * never shrinks, and every column of it decoded; an Arrow shard is one record batch).
 * Pieces this small did not slow a report down (bench/report-shard-memory.ts). The page
 * is the same whatever the pieces.
 */
export interface ShardPieces {
  values?: number;
  csvBytes?: number;
}

/** Rows of a piece of `columns` of about `values` values: whole pages, at least one. */
function pieceRows(columns: readonly string[], values: number): number {
  return PAGE_ROWS * Math.max(1, Math.floor(values / columns.length / PAGE_ROWS));
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
  pieces?: ShardPieces;
}

/** Streams one shard's rows, as chunks, into `onChunk`. */
function readShardChunks(dir: string, format: Manifest['format'], s: ManifestShard, layout: ReportLayout, pieces: ShardPieces, bufs: ChunkBuffers, onChunk: (c: Chunk) => void): void {
  const path = join(dir, s.file);
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new ParanomError('DATASET_INVALID', `${path}: shard listed in the manifest is missing (rows ${s.row_start}–${s.row_end - 1})`, { path });
  }
  // Not the shard the manifest lists: a grow that committed while this report read the
  // dataset, or a file replaced by hand. Its rows past the manifest's end would fall past
  // the overview's last bucket (and the bucket walk never ended).
  const changed = `the dataset was changed while the report read it, or is damaged; run 'paranom verify ${dir}', then report again`;
  if (size !== s.bytes) throw new ParanomError('DATASET_INVALID', `${path}: ${size} bytes, the manifest says ${s.bytes} (${changed})`, { path });
  const rows = s.row_end - s.row_start;
  let seen = 0;
  const counted = (c: Chunk): void => {
    seen += c.rows;
    if (seen <= rows) onChunk(c);
  };
  const columns = ['is_anomaly', ...layout.numericColumns, ...layout.categorical.map((c) => c.name)];
  const piece = pieceRows(columns, pieces.values ?? 1_000_000);
  try {
    // Each read from disk a piece at a time: memory is a piece, not the shard.
    if (format === 'csv') forEachCsvChunk(path, pieces.csvBytes ?? 4 << 20, s.row_start, layout, bufs, counted);
    else if (format === 'arrow') forEachArrowRows(path, columns, piece, (batch, first) => batchChunk(batch, s.row_start + first, layout, bufs, counted));
    else forEachParquetRows(path, piece, (t, first) => forEachArrowChunk(t, s.row_start + first, layout, bufs, counted), columns);
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
  pieces: ShardPieces;
}

/** Reduces some shards of a dataset (one thread's share). */
export function reduceShards(t: ShardReduceTask): Reduction {
  const r = new Reduction(t.spec);
  const bufs = new ChunkBuffers();
  for (const s of t.shards) readShardChunks(t.dir, t.format, s, t.spec.layout, t.pieces, bufs, (c) => r.add(c));
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
  const pieces = options.pieces ?? {};
  if (workers === 1) {
    const bufs = new ChunkBuffers();
    for (const s of m.shards) readShardChunks(dir, m.format, s, builder.layout, pieces, bufs, (c) => builder.add(c));
  } else {
    // Shards dealt round-robin, so each thread reads a spread of the timeline.
    const groups = Array.from({ length: workers }, (_, k) => m.shards.filter((_, i) => i % workers === k));
    const states = await Promise.all(groups.map((shards) => reduceOnWorker({ dir, format: m.format, shards, spec: builder.reduction.spec, pieces })));
    states.forEach((st, k) => builder.reduction.absorb(st, groups[k]!.map((s) => [s.row_start, s.row_end] as const)));
  }
  return builder.finish();
}
