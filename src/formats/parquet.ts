/**
 * Parquet encoding of shards and of the dataset-wide tables.
 *
 * Shard tables (timestamp, numeric/bool/dictionary-string value columns, labels) and the
 * segment and entity tables (plain strings too) go through paranom's own writer: the
 * pages of a PLAIN column are the little-endian bytes of its typed array, so encoding
 * costs little more than one copy. Anything else — other
 * Arrow types, several record batches, zstd — goes through parquet-wasm (the Rust
 * `parquet` crate compiled to WebAssembly). Both write the same values; only file bytes
 * differ. Settings, chosen by measurement (bench/writers.ts, bench/run.ts):
 *
 * - one row group per shard up to ROW_GROUP_ROWS rows; one data page per PAGE_ROWS rows
 *   (a 65,536-row block, so `verify` can read a block by its pages), with an offset index;
 * - DELTA_BINARY_PACKED timestamps (a few bytes per 128 rows at a fixed step), PLAIN
 *   numbers and booleans, dictionary encoding for string columns only;
 * - statistics (min/max/nulls) on the timestamp column only, for time-range pruning;
 * - `snappy` compresses a column chunk only where it pays: the first 64 KiB of the chunk's
 *   first page are compressed as a sample and the chunk is stored compressed when that
 *   saves at least 1/16 of their bytes. Random doubles do not compress (snappy made them
 *   0.01% larger), so their chunks are stored plain; labels, ids and runs are compressed.
 *   Parquet sets the codec per column chunk, so every reader handles the mix.
 * - the Arrow schema travels in `ARROW:schema` (as arrow-rs and pyarrow write it), so
 *   Arrow readers restore dictionary and time-zone types.
 */
import { parquetWasm, type ParquetWasm } from './parquet-wasm.js';
import { DataType, Table, tableToIPC, type Schema } from 'apache-arrow';
import { ThriftWriter, TType } from './thrift.js';
import { leavesOf, type Leaf } from './parquet-leaves.js';
import { Pieces, utf8, writeChunk, type ChunkMeta, type ParquetCompression } from './parquet-chunks.js';
import { columnChunk, schemaElements } from './parquet-footer.js';
import { ColumnOrder, FileMetaData, KeyValue, OffsetIndex, PageLocation, RowGroup } from './parquet-spec.js';
import { alignedBytes, DIRECT_ALIGN, type FileParts } from './files.js';

export { PAGE_ROWS, type ParquetCompression } from './parquet-chunks.js';


/** Largest row group written; well under Parquet's limits and DuckDB-friendly. */
export const ROW_GROUP_ROWS = 1 << 20;

// ---------------------------------------------------------------- ARROW:schema

const arrowSchemaCache = new Map<string, string>();

/** The IPC schema message, base64 (what arrow-rs and pyarrow store in ARROW:schema). */
function arrowSchemaBase64(schema: Schema): string {
  const key = schema.fields.map((f) => `${f.name}\u0000${String(f.type)}\u0000${f.nullable}`).join('\u0001');
  let b64 = arrowSchemaCache.get(key);
  if (b64 === undefined) {
    const ipc = tableToIPC(new Table(schema), 'stream');
    const len = new DataView(ipc.buffer, ipc.byteOffset, ipc.byteLength).getInt32(4, true);
    b64 = Buffer.from(ipc.subarray(0, 8 + len)).toString('base64');
    arrowSchemaCache.set(key, b64);
  }
  return b64;
}

/**
 * An output buffer reused from one file to the next, for a caller that wants file after
 * file in one buffer: a fresh 40 MB array costs ~25 ms of page faults, a reused one ~4 ms
 * to fill. A file encoded into it is valid until the next encode with the same output. A
 * worker needs none: it writes its shards from their parts (`encodeParquetParts`).
 */
export class ParquetOutput {
  private buf = new Uint8Array(0);

  take(n: number): Uint8Array {
    // Aligned, with room for a direct write's padded last block (files.ts); 1/16 more, so
    // shards a few bytes longer than the last do not allocate (and fault) a new buffer.
    if (this.buf.length < n + DIRECT_ALIGN) this.buf = alignedBytes(n + (n >> 4));
    return this.buf.subarray(0, n);
  }
}

/** A row group as the footer describes it: its rows and its column chunks. */
export interface GroupMeta {
  rows: number;
  chunks: ChunkMeta[];
}

/** Writes a table of supported leaves; `numRows` rows in groups of `groupRows`. */
function writeFile(schema: Schema, leaves: readonly Leaf[], numRows: number, metadata: Map<string, string>, compression: ParquetCompression, groupRows: number): Pieces {
  const out = new Pieces();
  out.push(utf8.encode('PAR1'));
  const groups: GroupMeta[] = [];
  // An empty table has no row group (as arrow-rs writes it): a schema and no data.
  for (let g = 0; g < numRows; g += groupRows) {
    const to = Math.min(numRows, g + groupRows);
    groups.push({ rows: to - g, chunks: leaves.map((l) => writeChunk(out, l, g, to, compression)) });
  }
  writeTail(out, schema, leaves, numRows, groups, metadata);
  return out;
}

/**
 * What follows the column chunks of a file: their offset indexes, the footer and its
 * length and magic. Only the leaves' names and types are read (not their values).
 */
export function writeTail(out: Pieces, schema: Schema, leaves: readonly Leaf[], numRows: number, groups: readonly GroupMeta[], metadata: Map<string, string>): void {
  // Offset indexes (page locations), after the data, before the footer.
  const idx = new ThriftWriter(256);
  for (const g of groups) {
    for (const c of g.chunks) {
      idx.reset().begin().list(OffsetIndex.PAGE_LOCATIONS, TType.Struct, c.pages.length);
      for (const p of c.pages) {
        idx.begin().i64(PageLocation.OFFSET, p.offset).i32(PageLocation.COMPRESSED_PAGE_SIZE, p.size).i64(PageLocation.FIRST_ROW_INDEX, p.firstRow).end();
      }
      const bytes = idx.end().bytes().slice();
      c.offsetIndexOffset = out.length;
      c.offsetIndexLength = bytes.length;
      out.push(bytes);
    }
  }
  const t = new ThriftWriter(4096).begin();
  t.i32(FileMetaData.VERSION, 1);
  schemaElements(t, leaves);
  t.i64(FileMetaData.NUM_ROWS, numRows);
  t.list(FileMetaData.ROW_GROUPS, TType.Struct, groups.length);
  for (const g of groups) {
    t.begin();
    t.list(RowGroup.COLUMNS, TType.Struct, g.chunks.length);
    for (const c of g.chunks) columnChunk(t, c);
    const uncompressed = g.chunks.reduce((a, c) => a + c.uncompressed, 0);
    const compressed = g.chunks.reduce((a, c) => a + c.compressed, 0);
    const first = g.chunks[0];
    t.i64(RowGroup.TOTAL_BYTE_SIZE, uncompressed).i64(RowGroup.NUM_ROWS, g.rows);
    if (first) t.i64(RowGroup.FILE_OFFSET, first.dictionaryPageOffset >= 0 ? first.dictionaryPageOffset : first.dataPageOffset);
    t.i64(RowGroup.TOTAL_COMPRESSED_SIZE, compressed);
    t.end();
  }
  const kv = [...metadata.entries(), ['ARROW:schema', arrowSchemaBase64(schema)] as [string, string]];
  t.list(FileMetaData.KEY_VALUE_METADATA, TType.Struct, kv.length);
  for (const [k, v] of kv) t.begin().binary(KeyValue.KEY, k).binary(KeyValue.VALUE, v).end();
  t.binary(FileMetaData.CREATED_BY, 'paranom');
  // Every column is ordered by its type's natural order (TypeDefinedOrder, an empty struct).
  t.list(FileMetaData.COLUMN_ORDERS, TType.Struct, leaves.length);
  for (let i = 0; i < leaves.length; i++) t.begin().struct(ColumnOrder.TYPE_ORDER).end().end();
  const footer = t.end().bytes().slice();
  out.push(footer);
  const tail = new Uint8Array(8);
  new DataView(tail.buffer).setUint32(0, footer.length, true);
  tail.set(utf8.encode('PAR1'), 4);
  out.push(tail);
}

// ---------------------------------------------------------------- entry points

/**
 * Encodes a table as one Parquet file with `metadata` as key-value metadata. Tables of
 * flat columns (shards, the segment table, empty or not) use paranom's writer (snappy,
 * none), everything else parquet-wasm. With an
 * `output`, the file is written into that reused buffer (valid until its next use).
 * `groupRows`: rows of a row group (paranom's writer; a multiple of PAGE_ROWS), lowered
 * only by tests, which check files of several row groups without millions of rows.
 */
export function encodeParquet(table: Table, metadata: Map<string, string>, compression: ParquetCompression = 'snappy', output?: ParquetOutput, groupRows = ROW_GROUP_ROWS): Uint8Array {
  return joinParts(encodeParquetParts(table, metadata, compression, groupRows), output);
}

/**
 * The file of `encodeParquet` as the writer makes it: parts in order, some of them views
 * of the table's own column buffers and valid only while those are unchanged. Writing the
 * parts (files.ts) needs no buffer of the whole file.
 */
export function encodeParquetParts(table: Table, metadata: Map<string, string>, compression: ParquetCompression = 'snappy', groupRows = ROW_GROUP_ROWS): FileParts {
  const leaves = compression === 'zstd' ? null : leavesOf(table);
  if (leaves) return writeFile(table.schema, leaves, table.numRows, metadata, compression, groupRows).list;
  return [encodeParquetWasm(table, metadata, compression)];
}

/** The parts of a file in one buffer (`output`'s when given, else a new one; a single part as it is). */
export function joinParts(parts: FileParts, output?: ParquetOutput): Uint8Array {
  if (!output && parts.length === 1) return parts[0]!;
  const length = parts.reduce((n, b) => n + b.length, 0);
  const out = output ? output.take(length) : new Uint8Array(length);
  let o = 0;
  for (const b of parts) {
    out.set(b, o);
    o += b.length;
  }
  return out;
}

/** The parquet-wasm path (other types, zstd; and the baseline bench/ compares against). */
export function encodeParquetWasm(table: Table, metadata: Map<string, string>, compression: ParquetCompression = 'snappy'): Uint8Array {
  const pw = parquetWasm();
  const wasmTable = pw.Table.fromIPCStream(tableToIPC(table, 'stream'));
  // writeParquet frees both the table and the properties: do not free them again.
  return pw.writeParquet(wasmTable, wasmWriterProperties(table.schema, metadata, compression));
}

/**
 * parquet-wasm's settings for a table of `schema`: those of `encodeParquetWasm`, also for
 * its streaming writer (`transformParquetStream`, which writes a table given in pieces in
 * the same row groups, though not always with the same data pages).
 */
export function wasmWriterProperties(schema: Schema, metadata: Map<string, string>, compression: ParquetCompression): ReturnType<InstanceType<ParquetWasm['WriterPropertiesBuilder']>['build']> {
  const pw = parquetWasm();
  const codec = { snappy: pw.Compression.SNAPPY, zstd: pw.Compression.ZSTD, none: pw.Compression.UNCOMPRESSED }[compression];
  let builder = new pw.WriterPropertiesBuilder()
    .setCompression(codec)
    .setDictionaryEnabled(false)
    .setMaxRowGroupSize(ROW_GROUP_ROWS)
    .setStatisticsEnabled(pw.EnabledStatistics.None)
    .setCreatedBy('paranom')
    .setKeyValueMetadata(metadata);
  for (const f of schema.fields) {
    if (DataType.isDictionary(f.type)) builder = builder.setColumnDictionaryEnabled(f.name, true);
    if (DataType.isTimestamp(f.type)) {
      builder = builder.setColumnStatisticsEnabled(f.name, pw.EnabledStatistics.Chunk).setColumnEncoding(f.name, pw.Encoding.DELTA_BINARY_PACKED);
    }
    // zstd on raw doubles gains little; split into byte streams it finds the exponents.
    if (compression === 'zstd' && DataType.isFloat(f.type)) builder = builder.setColumnEncoding(f.name, pw.Encoding.BYTE_STREAM_SPLIT);
  }
  return builder.build();
}
