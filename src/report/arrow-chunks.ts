/**
 * Apache Arrow record batches (read from Parquet or Arrow IPC shards) → report chunks.
 * Reads the typed buffers directly (bitmaps, int64 as two int32 words, dictionary indices)
 * instead of calling `get(i)` per value, which would dominate the time of a large report.
 */
import { Type, type Data, type RecordBatch, type Table } from 'apache-arrow';
import type { Chunk } from './chunk.js';
import type { ReportLayout } from './layout.js';

const TWO32 = 4294967296;

function bit(bitmap: Uint8Array, i: number): number {
  return (bitmap[i >> 3]! >> (i & 7)) & 1;
}

/** Scratch arrays reused from chunk to chunk. */
export class ChunkBuffers {
  private readonly f64 = new Map<string, Float64Array>();
  private readonly i32 = new Map<string, Int32Array>();
  private flags = new Uint8Array(0);

  numeric(name: string, n: number): Float64Array {
    let a = this.f64.get(name);
    if (!a || a.length < n) this.f64.set(name, (a = new Float64Array(n)));
    return a.subarray(0, n);
  }

  codes(name: string, n: number): Int32Array {
    let a = this.i32.get(name);
    if (!a || a.length < n) this.i32.set(name, (a = new Int32Array(n)));
    return a.subarray(0, n);
  }

  anomaly(n: number): Uint8Array {
    if (this.flags.length < n) this.flags = new Uint8Array(n);
    return this.flags.subarray(0, n);
  }
}

/** Numeric values of one column's data as doubles, NaN where null. */
function numericValues(d: Data, out: Float64Array): void {
  const n = d.length;
  const off = d.offset;
  const t = d.type.typeId;
  const v = d.values as ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; length: number };
  if (t === Type.Int64 || t === Type.Int || t === Type.Float) {
    const bits = (d.type as { bitWidth?: number }).bitWidth;
    if (t !== Type.Float && bits === 64) {
      const w = new Int32Array(v.buffer, v.byteOffset, v.length * 2);
      for (let i = 0; i < n; i++) out[i] = w[2 * (off + i) + 1]! * TWO32 + (w[2 * (off + i)]! >>> 0);
    } else {
      for (let i = 0; i < n; i++) out[i] = v[off + i]!;
    }
  } else if (t === Type.Bool) {
    const b = d.values as Uint8Array;
    for (let i = 0; i < n; i++) out[i] = bit(b, off + i);
  } else {
    throw new Error(`a report cannot read column type ${String(d.type)} as numbers`);
  }
  if (d.nullCount > 0 && d.nullBitmap) {
    const nb = d.nullBitmap;
    for (let i = 0; i < n; i++) if (!bit(nb, off + i)) out[i] = NaN;
  }
}

/** Category codes of a dictionary, string or boolean column (-1 where null or unknown). */
function categoryCodes(d: Data, categories: readonly string[], out: Int32Array): void {
  const n = d.length;
  const off = d.offset;
  const index = new Map(categories.map((c, i) => [c, i]));
  const t = d.type.typeId;
  if (t === Type.Bool) {
    const b = d.values as Uint8Array;
    for (let i = 0; i < n; i++) out[i] = bit(b, off + i);
  } else if (t === Type.Dictionary && d.dictionary) {
    const dict = d.dictionary;
    const map = Int32Array.from({ length: dict.length }, (_, k) => index.get(String(dict.get(k))) ?? -1);
    const v = d.values as unknown as ArrayLike<number>;
    for (let i = 0; i < n; i++) out[i] = map[v[off + i]!]!;
  } else {
    // Plain strings (rare: paranom writes dictionaries): value by value.
    for (let i = 0; i < n; i++) out[i] = index.get(String((d as unknown as { get?: (i: number) => unknown }).get?.(i))) ?? -1;
  }
  if (d.nullCount > 0 && d.nullBitmap) {
    const nb = d.nullBitmap;
    for (let i = 0; i < n; i++) if (!bit(nb, off + i)) out[i] = -1;
  }
}

function columnData(batch: RecordBatch, name: string): Data {
  const child = batch.getChild(name);
  if (!child || child.data.length !== 1) throw new Error(`column '${name}' missing from a shard`);
  return child.data[0]!;
}

/**
 * Calls `onChunk` for each record batch of a table whose first row is `rowStart`. The
 * chunk's arrays are scratch memory, valid only during the call.
 */
export function forEachArrowChunk(table: Table, rowStart: number, layout: ReportLayout, bufs: ChunkBuffers, onChunk: (c: Chunk) => void): void {
  let row = rowStart;
  for (const batch of table.batches) {
    batchChunk(batch, row, layout, bufs, onChunk);
    row += batch.numRows;
  }
}

/** Calls `onChunk` with one record batch whose first row is `row` (not at all when it is empty). */
export function batchChunk(batch: RecordBatch, row: number, layout: ReportLayout, bufs: ChunkBuffers, onChunk: (c: Chunk) => void): void {
  const n = batch.numRows;
  if (n === 0) return;
  const flags = bufs.anomaly(n);
  const fd = columnData(batch, 'is_anomaly');
  for (let i = 0; i < n; i++) flags[i] = bit(fd.values as Uint8Array, fd.offset + i);
  const numeric = new Map<string, Float64Array>();
  for (const name of layout.numericColumns) {
    const out = bufs.numeric(name, n);
    numericValues(columnData(batch, name), out);
    numeric.set(name, out);
  }
  const categorical = new Map<string, Int32Array>();
  for (const c of layout.categorical) {
    const out = bufs.codes(c.name, n);
    categoryCodes(columnData(batch, c.name), c.categories, out);
    categorical.set(c.name, out);
  }
  onChunk({ rowStart: row, rows: n, isAnomaly: flags, numeric, categorical });
}
