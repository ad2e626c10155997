/**
 * A CSV shard → report chunks of 65,536 rows, read from disk a piece at a time: memory is
 * a piece of text and a chunk's records, whatever the shard's size (its whole text, split
 * into records, held several times the shard's bytes).
 */
import { forEachCsvFileRecords, splitCsvLine } from '../input/csv-line.js';
import type { ChunkBuffers } from './arrow-chunks.js';
import type { Chunk } from './chunk.js';
import type { ReportLayout } from './layout.js';

/** Rows of a chunk (the first chunk of a shard starts at its first row, each next where the last ended). */
const CHUNK_ROWS = 65536;

/** Where the report's columns are in a CSV shard's header. */
function columnsAt(header: readonly string[], layout: ReportLayout) {
  const at = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`column '${name}' missing from a CSV shard`);
    return i;
  };
  return {
    flag: at('is_anomaly'),
    numeric: layout.numericColumns.map((n) => [n, at(n)] as const),
    cats: layout.categorical.map((c) => [c.name, at(c.name), new Map(c.categories.map((v, k) => [v, k]))] as const),
  };
}

/** Records [from, from + n) of `records` as one chunk whose first row is `rowStart`. */
function recordsChunk(records: readonly string[], from: number, n: number, cols: ReturnType<typeof columnsAt>, rowStart: number, bufs: ChunkBuffers, onChunk: (c: Chunk) => void): void {
  const flags = bufs.anomaly(n);
  const num = new Map(cols.numeric.map(([name]) => [name, bufs.numeric(name, n)]));
  const cat = new Map(cols.cats.map(([name]) => [name, bufs.codes(name, n)]));
  for (let i = 0; i < n; i++) {
    const f = splitCsvLine(records[from + i]!);
    flags[i] = f[cols.flag] === 'true' ? 1 : 0;
    for (const [name, k] of cols.numeric) {
      const s = f[k]!;
      num.get(name)![i] = s === '' ? NaN : s === 'true' ? 1 : s === 'false' ? 0 : Number(s);
    }
    // A string column holds no nulls: an empty field is the empty category (written "").
    for (const [name, k, index] of cols.cats) cat.get(name)![i] = index.get(f[k]!) ?? -1;
  }
  onChunk({ rowStart, rows: n, isAnomaly: flags, numeric: num, categorical: cat });
}

/**
 * Rows of the CSV shard at `path` as chunks of up to 65,536 rows, read in pieces of about
 * `pieceBytes`. Records, not lines: a category value may hold a line break inside its quotes.
 */
export function forEachCsvChunk(path: string, pieceBytes: number, rowStart: number, layout: ReportLayout, bufs: ChunkBuffers, onChunk: (c: Chunk) => void): void {
  let cols: ReturnType<typeof columnsAt> | undefined;
  // Records read but not yet in a chunk: a piece's records seldom end on a chunk's.
  let pending: string[] = [];
  let row = rowStart;
  forEachCsvFileRecords(path, (records) => {
    let i = 0;
    if (!cols) {
      cols = columnsAt(splitCsvLine(records[0] ?? ''), layout);
      i = 1;
    }
    for (; i < records.length; i++) pending.push(records[i]!);
    let from = 0;
    for (; pending.length - from >= CHUNK_ROWS; from += CHUNK_ROWS, row += CHUNK_ROWS) recordsChunk(pending, from, CHUNK_ROWS, cols, row, bufs, onChunk);
    if (from > 0) pending = pending.slice(from);
    return true;
  }, { pieceBytes });
  // An empty shard: its missing header says which column it lacks.
  cols ??= columnsAt(splitCsvLine(''), layout);
  if (pending.length > 0) recordsChunk(pending, 0, pending.length, cols, row, bufs, onChunk);
}
