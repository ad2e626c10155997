/**
 * A report of a dataset on disk: the manifest and segment table first, then every shard
 * streamed once, one at a time (only the columns the report draws), into the builder.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { tableFromIPC, type Table } from 'apache-arrow';
import { ParanomError } from '../errors.js';
import { MANIFEST_FILE, readManifest, SEGMENTS_FILE, type Manifest } from '../dataset/manifest.js';
import { splitCsvLine } from '../input/csv-line.js';
import { ChunkBuffers, forEachArrowChunk } from './arrow-chunks.js';
import { ReportBuilder, type ReportLimits } from './build.js';
import type { ReportLayout } from './layout.js';
import type { Chunk } from './chunk.js';
import { latentPanels } from './latent.js';
import { eventRows } from './events.js';

const require = createRequire(import.meta.url);
const pw = require('parquet-wasm') as typeof import('parquet-wasm');

function readParquetTable(bytes: Uint8Array, columns?: string[]): Table {
  return tableFromIPC(pw.readParquet(bytes, { batchSize: 65536, ...(columns ? { columns } : {}) }).intoIPCStream());
}

/** Rows of a CSV shard as chunks of up to 65,536 rows. */
function forEachCsvChunk(text: string, rowStart: number, layout: ReportLayout, bufs: ChunkBuffers, onChunk: (c: Chunk) => void): void {
  const lines = text.split('\n');
  const header = splitCsvLine(lines[0] ?? '');
  const at = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`column '${name}' missing from a CSV shard`);
    return i;
  };
  const flagAt = at('is_anomaly');
  const numeric = layout.numericColumns.map((n) => [n, at(n)] as const);
  const cats = layout.categorical.map((c) => [c.name, at(c.name), new Map(c.categories.map((v, k) => [v, k]))] as const);
  const total = lines.length - 1 - (lines[lines.length - 1] === '' ? 1 : 0);
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
      for (const [name, k, index] of cats) cat.get(name)![i] = f[k] === '' ? -1 : (index.get(f[k]!) ?? -1);
    }
    onChunk({ rowStart: rowStart + off, rows: n, isAnomaly: flags, numeric: num, categorical: cat });
  }
}

/** Reads a dataset's manifest, refusing what a report cannot show with a message that says why. */
export function reportManifest(dir: string): Manifest {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ParanomError('USAGE', `${dir}: no such dataset directory (expected a directory written by 'paranom generate')`, { path: dir });
  if (!existsSync(join(dir, MANIFEST_FILE))) {
    throw new ParanomError('USAGE', `${dir}: not a complete paranom dataset (no ${MANIFEST_FILE}; an interrupted run resumes when its command is run again, and the parts of a split run need 'paranom merge-manifests')`, { path: dir });
  }
  return readManifest(dir);
}

export interface DatasetReportOptions {
  limits?: ReportLimits;
}

/** The page data of a report of the dataset in `dir`. */
export function datasetReport(dir: string, options: DatasetReportOptions = {}): PageData.Report {
  const m = reportManifest(dir);
  const segPath = join(dir, SEGMENTS_FILE);
  if (!existsSync(segPath)) throw new ParanomError('DATASET_INVALID', `${segPath}: the segment table is missing`, { path: segPath });
  const segments = readParquetTable(readFileSync(segPath));
  const latent = latentPanels(m.scenario, eventRows(segments, 2000).events);
  const builder = new ReportBuilder({
    title: `${m.scenario.name} — ${m.rows.toLocaleString('en-US')} rows`,
    source: 'dataset',
    manifest: m,
    segments,
    latent: latent.panels,
    notes: latent.notes,
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const layout = builder.layout;
  const columns = ['is_anomaly', ...layout.numericColumns, ...layout.categorical.map((c) => c.name)];
  const bufs = new ChunkBuffers();
  for (const s of m.shards) {
    const path = join(dir, s.file);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      throw new ParanomError('DATASET_INVALID', `${path}: shard listed in the manifest is missing (rows ${s.row_start}–${s.row_end - 1})`, { path });
    }
    const add = (c: Chunk) => builder.add(c);
    try {
      if (m.format === 'csv') forEachCsvChunk(bytes.toString('utf8'), s.row_start, layout, bufs, add);
      else forEachArrowChunk(m.format === 'arrow' ? tableFromIPC(bytes).select(columns) : readParquetTable(bytes, columns), s.row_start, layout, bufs, add);
    } catch (err) {
      throw new ParanomError('DATASET_INVALID', `${path}: cannot be read (${(err as Error).message})`, { path });
    }
  }
  return builder.finish();
}
