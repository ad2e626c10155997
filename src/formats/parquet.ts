/**
 * Parquet encoding of shards.
 *
 * Shard tables (timestamp, numeric/bool/dictionary-string value columns, labels) go
 * through paranom's own writer: the pages of a PLAIN column are the little-endian bytes
 * of its typed array, so encoding costs little more than one copy. Anything else — other
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
import { createRequire } from 'node:module';
import { DataType, Table, tableToIPC, Type, TimeUnit, type Data, type Schema } from 'apache-arrow';
import { ThriftWriter, TType } from './thrift.js';
import { snappyCompress, maxCompressedLength } from './snappy.js';
import { ByteSink } from './byte-sink.js';
import { bitWidth, encodeDeltaInt64, encodeHybrid } from './parquet-encodings.js';

// parquet-wasm's Node build is CommonJS and instantiates its WebAssembly synchronously
// (some 100 ms). Loaded on first use: shard workers writing snappy or none never need it.
const require = createRequire(import.meta.url);
type ParquetWasm = typeof import('parquet-wasm');
let pwModule: ParquetWasm | null = null;
function parquetWasm(): ParquetWasm {
  return (pwModule ??= require('parquet-wasm') as ParquetWasm);
}

export type ParquetCompression = 'snappy' | 'zstd' | 'none';

/** Largest row group written; well under Parquet's limits and DuckDB-friendly. */
export const ROW_GROUP_ROWS = 1 << 20;

/** Rows per data page: one generation block. */
export const PAGE_ROWS = 65536;

/** A sampled page must shrink by at least 1/SNAPPY_MIN_GAIN of its size for a chunk to be compressed. */
const SNAPPY_MIN_GAIN = 16;

// ---------------------------------------------------------------- format constants

const PT = { BOOLEAN: 0, INT32: 1, INT64: 2, FLOAT: 4, DOUBLE: 5, BYTE_ARRAY: 6 } as const;
const ENC = { PLAIN: 0, RLE: 3, DELTA_BINARY_PACKED: 5, RLE_DICTIONARY: 8 } as const;
const CODEC = { UNCOMPRESSED: 0, SNAPPY: 1 } as const;
const PAGE = { DATA: 0, DICTIONARY: 2 } as const;
const REQUIRED = 0;
const OPTIONAL = 1;
const CONVERTED_UTF8 = 0;
const CONVERTED_TIMESTAMP_MILLIS = 9;

type Kind = 'timestamp' | 'int64' | 'int32' | 'float64' | 'float32' | 'bool' | 'dictionary';

/** One leaf column of a shard table, as the writer sees it. */
interface Leaf {
  name: string;
  kind: Kind;
  physical: number;
  nullable: boolean;
  /** Timestamp: adjusted to UTC (a zone was given). */
  utc: boolean;
  /** Little-endian value bytes (bool: an LSB-first bitmap). */
  bytes: Uint8Array;
  /** int64/timestamp as (lo, hi) pairs; dictionary indices. */
  words: Int32Array | null;
  /** Arrow validity bitmap, or null when every row is valid. */
  validity: Uint8Array | null;
  dictionary: string[] | null;
}

function leafOf(name: string, nullable: boolean, d: Data): Leaf | null {
  if (d.offset !== 0) return null;
  const validity = d.nullCount > 0 && d.nullBitmap && d.nullBitmap.length > 0 ? d.nullBitmap : null;
  const base = { name, nullable, utc: false, validity, dictionary: null, words: null };
  const v = d.values as ArrayBufferView;
  const bytes = (n: number) => new Uint8Array(v.buffer, v.byteOffset, n);
  const t = d.type as DataType;
  switch (t.typeId) {
    case Type.Float: {
      const precision = (t as unknown as { precision: number }).precision;
      if (precision === 2) return { ...base, kind: 'float64', physical: PT.DOUBLE, bytes: bytes(8 * d.length) };
      if (precision === 1) return { ...base, kind: 'float32', physical: PT.FLOAT, bytes: bytes(4 * d.length) };
      return null;
    }
    case Type.Int: {
      const it = t as unknown as { bitWidth: number; isSigned: boolean };
      if (!it.isSigned) return null;
      if (it.bitWidth === 32) return { ...base, kind: 'int32', physical: PT.INT32, bytes: bytes(4 * d.length) };
      if (it.bitWidth === 64) return { ...base, kind: 'int64', physical: PT.INT64, bytes: bytes(8 * d.length), words: new Int32Array(v.buffer, v.byteOffset, 2 * d.length) };
      return null;
    }
    case Type.Timestamp: {
      const ts = t as unknown as { unit: TimeUnit; timezone: string | null };
      if (ts.unit !== TimeUnit.MILLISECOND || (ts.timezone !== null && ts.timezone !== 'UTC')) return null;
      return { ...base, kind: 'timestamp', physical: PT.INT64, utc: ts.timezone === 'UTC', bytes: bytes(8 * d.length), words: new Int32Array(v.buffer, v.byteOffset, 2 * d.length) };
    }
    case Type.Bool:
      return { ...base, kind: 'bool', physical: PT.BOOLEAN, bytes: bytes((d.length + 7) >> 3) };
    case Type.Dictionary: {
      const dt = t as unknown as { dictionary: DataType; indices: { bitWidth: number; isSigned: boolean } };
      if (dt.dictionary.typeId !== Type.Utf8 || dt.indices.bitWidth !== 32 || !d.dictionary) return null;
      const dictionary = (d.dictionary.toArray() as unknown[]).map(String);
      return { ...base, kind: 'dictionary', physical: PT.BYTE_ARRAY, bytes: bytes(4 * d.length), words: new Int32Array(v.buffer, v.byteOffset, d.length), dictionary };
    }
    default:
      return null;
  }
}

/** The leaves of a single-batch table of supported flat types, or null (use parquet-wasm). */
function leavesOf(table: Table): Leaf[] | null {
  if (table.batches.length !== 1) return null;
  const batch = table.batches[0]!;
  const leaves: Leaf[] = [];
  for (let j = 0; j < table.schema.fields.length; j++) {
    const f = table.schema.fields[j]!;
    const d = batch.data.children[j]!;
    // Nulls in a non-nullable field have no Parquet form here: leave them to parquet-wasm.
    if (!f.nullable && d.nullCount > 0) return null;
    const leaf = leafOf(f.name, f.nullable, d);
    if (!leaf) return null;
    leaves.push(leaf);
  }
  return leaves;
}

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

// ---------------------------------------------------------------- pages

/** Reused between calls (one writer per thread): scratch for levels, values and pages. */
const levels = new Uint8Array(PAGE_ROWS);
const valueSink = new ByteSink(1 << 20);
const pageSink = new ByteSink(1 << 20);
let snappyScratch = new Uint8Array(0);
const header = new ThriftWriter(64);

interface PageLocation {
  offset: number;
  size: number;
  firstRow: number;
}

interface ChunkMeta {
  leaf: Leaf;
  codec: number;
  encodings: number[];
  numValues: number;
  uncompressed: number;
  compressed: number;
  dataPageOffset: number;
  dictionaryPageOffset: number;
  stats: { min: Uint8Array; max: Uint8Array } | null;
  pages: PageLocation[];
  offsetIndexOffset: number;
  offsetIndexLength: number;
}

/** Output pieces, concatenated once at the end. */
class Pieces {
  readonly list: Uint8Array[] = [];
  length = 0;

  push(b: Uint8Array): void {
    this.list.push(b);
    this.length += b.length;
  }

  /** Pushes a copy (for bytes in scratch that will be overwritten). */
  pushCopy(b: Uint8Array): void {
    this.push(b.slice());
  }

  concat(into?: ParquetOutput): Uint8Array {
    const out = into ? into.take(this.length) : new Uint8Array(this.length);
    let o = 0;
    for (const b of this.list) {
      out.set(b, o);
      o += b.length;
    }
    return out;
  }
}

/** Unpacks validity bits of rows [from, from+count) into `levels` (1 = value); returns non-null count. */
function unpackLevels(validity: Uint8Array | null, from: number, count: number): number {
  if (!validity) {
    levels.fill(1, 0, count);
    return count;
  }
  let valid = 0;
  for (let i = 0; i < count; i++) {
    const r = from + i;
    const bit = (validity[r >> 3]! >> (r & 7)) & 1;
    levels[i] = bit;
    valid += bit;
  }
  return valid;
}

/** Copies the non-null fixed-width values of rows [from, from+count) into the value sink. */
function compactValues(leaf: Leaf, from: number, count: number, width: number): Uint8Array {
  valueSink.reset();
  valueSink.ensure(count * width);
  const src = leaf.bytes;
  const out = valueSink.buf;
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (levels[i]) {
      const s = (from + i) * width;
      for (let b = 0; b < width; b++) out[p + b] = src[s + b]!;
      p += width;
    }
  }
  valueSink.pos = p;
  return valueSink.bytes();
}

/** Packs the bits of non-null booleans of rows [from, from+count) (PLAIN booleans). */
function packBooleans(leaf: Leaf, from: number, count: number, nullable: boolean): Uint8Array {
  const src = leaf.bytes;
  valueSink.reset();
  if (!nullable && (from & 7) === 0) return src.subarray(from >> 3, (from + count + 7) >> 3);
  valueSink.ensure((count + 7) >> 3);
  const out = valueSink.buf;
  out.fill(0, 0, (count + 7) >> 3);
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (nullable && !levels[i]) continue;
    const r = from + i;
    if ((src[r >> 3]! >> (r & 7)) & 1) out[p >> 3]! |= 1 << (p & 7);
    p++;
  }
  valueSink.pos = (p + 7) >> 3;
  return valueSink.bytes();
}

const WIDTH: Record<Kind, number> = { timestamp: 8, int64: 8, int32: 4, float64: 8, float32: 4, bool: 0, dictionary: 4 };

/**
 * The body of one data page (levels, then values) and its encoding. The result may be a
 * view of the column's own buffer (PLAIN, no nulls) or of the page sink.
 */
function pageBody(leaf: Leaf, from: number, count: number): { body: Uint8Array; encoding: number } {
  let valid = count;
  pageSink.reset();
  if (leaf.nullable) {
    valid = unpackLevels(leaf.validity, from, count);
    const lenAt = pageSink.pos;
    pageSink.u32le(0);
    encodeHybrid(pageSink, levels, 0, count, 1);
    const len = pageSink.pos - lenAt - 4;
    pageSink.buf[lenAt] = len & 0xff;
    pageSink.buf[lenAt + 1] = (len >>> 8) & 0xff;
    pageSink.buf[lenAt + 2] = (len >>> 16) & 0xff;
    pageSink.buf[lenAt + 3] = len >>> 24;
  }
  const allValid = valid === count;
  let encoding: number = ENC.PLAIN;
  let values: Uint8Array;
  switch (leaf.kind) {
    case 'bool':
      values = packBooleans(leaf, from, count, leaf.nullable && !allValid);
      break;
    case 'dictionary': {
      encoding = ENC.RLE_DICTIONARY;
      let idx = leaf.words!;
      let start = from;
      if (!allValid) {
        // Indices of the non-null rows only.
        const compact = new Int32Array(valid);
        for (let i = 0, p = 0; i < count; i++) if (levels[i]) compact[p++] = idx[from + i]!;
        idx = compact;
        start = 0;
      }
      const width = Math.max(1, bitWidth(Math.max(0, leaf.dictionary!.length - 1)));
      valueSink.reset();
      valueSink.byte(width);
      encodeHybrid(valueSink, idx, start, valid, width);
      values = valueSink.bytes();
      break;
    }
    case 'timestamp': {
      if (allValid) {
        valueSink.reset();
        if (encodeDeltaInt64(valueSink, leaf.words!, from, count)) {
          encoding = ENC.DELTA_BINARY_PACKED;
          values = valueSink.bytes();
          break;
        }
      }
      values = allValid ? leaf.bytes.subarray(from * 8, (from + count) * 8) : compactValues(leaf, from, count, 8);
      break;
    }
    default: {
      const w = WIDTH[leaf.kind];
      values = allValid ? leaf.bytes.subarray(from * w, (from + count) * w) : compactValues(leaf, from, count, w);
    }
  }
  if (pageSink.pos === 0) return { body: values, encoding };
  pageSink.ensure(values.length);
  pageSink.buf.set(values, pageSink.pos);
  pageSink.pos += values.length;
  return { body: pageSink.bytes(), encoding };
}

function compress(codec: number, body: Uint8Array): Uint8Array {
  if (codec === CODEC.UNCOMPRESSED) return body;
  const need = maxCompressedLength(body.length);
  if (snappyScratch.length < need) snappyScratch = new Uint8Array(need);
  return snappyCompress(body, snappyScratch);
}

/** Bytes of a chunk's first page that are compressed to decide its codec. */
const SNAPPY_SAMPLE = 65536;

/** True when snappy shrinks a sample of `body` by at least 1/SNAPPY_MIN_GAIN. */
function snappyPays(body: Uint8Array): boolean {
  const sample = body.subarray(0, Math.min(body.length, SNAPPY_SAMPLE));
  return compress(CODEC.SNAPPY, sample).length * SNAPPY_MIN_GAIN <= sample.length * (SNAPPY_MIN_GAIN - 1);
}

function pageHeader(type: number, uncompressed: number, compressed: number, numValues: number, encoding: number): Uint8Array {
  const h = header.reset().begin();
  h.i32(1, type).i32(2, uncompressed).i32(3, compressed);
  if (type === PAGE.DICTIONARY) h.struct(7).i32(1, numValues).i32(2, ENC.PLAIN).end();
  else h.struct(5).i32(1, numValues).i32(2, encoding).i32(3, ENC.RLE).i32(4, ENC.RLE).end();
  return h.end().bytes().slice();
}

const utf8 = new TextEncoder();

function dictionaryPage(dict: readonly string[]): Uint8Array {
  const s = new ByteSink(64);
  for (const v of dict) {
    const b = utf8.encode(v);
    s.u32le(b.length);
    s.ensure(b.length);
    s.buf.set(b, s.pos);
    s.pos += b.length;
  }
  return s.bytes();
}

/** Min and max of an int64 column chunk as 8-byte little-endian values (timestamp statistics). */
function int64MinMax(leaf: Leaf, from: number, to: number): { min: Uint8Array; max: Uint8Array } | null {
  if (leaf.validity || to <= from) return null;
  const w = leaf.words!;
  let lo = from;
  let hi = from;
  let min = w[2 * from + 1]! * 4294967296 + (w[2 * from]! >>> 0);
  let max = min;
  for (let i = from + 1; i < to; i++) {
    const v = w[2 * i + 1]! * 4294967296 + (w[2 * i]! >>> 0);
    if (v < min) {
      min = v;
      lo = i;
    } else if (v > max) {
      max = v;
      hi = i;
    }
  }
  return { min: leaf.bytes.slice(8 * lo, 8 * lo + 8), max: leaf.bytes.slice(8 * hi, 8 * hi + 8) };
}

function writeChunk(out: Pieces, leaf: Leaf, from: number, to: number, compression: ParquetCompression): ChunkMeta {
  const meta: ChunkMeta = {
    leaf,
    codec: CODEC.UNCOMPRESSED,
    encodings: [],
    numValues: to - from,
    uncompressed: 0,
    compressed: 0,
    dataPageOffset: 0,
    dictionaryPageOffset: -1,
    stats: leaf.kind === 'timestamp' ? int64MinMax(leaf, from, to) : null,
    pages: [],
    offsetIndexOffset: 0,
    offsetIndexLength: 0,
  };
  const encodings = new Set<number>();
  if (leaf.nullable) encodings.add(ENC.RLE);
  let decided = compression !== 'snappy';
  if (leaf.kind === 'dictionary') {
    const dict = dictionaryPage(leaf.dictionary!);
    // The dictionary page is tiny: the chunk's codec is decided by its first data page.
    const first = pageBody(leaf, from, Math.min(PAGE_ROWS, to - from)).body;
    if (!decided) {
      meta.codec = snappyPays(first) ? CODEC.SNAPPY : CODEC.UNCOMPRESSED;
      decided = true;
    }
    const body = meta.codec === CODEC.SNAPPY ? compress(CODEC.SNAPPY, dict).slice() : dict;
    const h = pageHeader(PAGE.DICTIONARY, dict.length, body.length, leaf.dictionary!.length, ENC.PLAIN);
    meta.dictionaryPageOffset = out.length;
    out.push(h);
    out.push(body);
    meta.uncompressed += h.length + dict.length;
    meta.compressed += h.length + body.length;
    encodings.add(ENC.PLAIN);
  }
  for (let p = from; p < to; p += PAGE_ROWS) {
    const count = Math.min(PAGE_ROWS, to - p);
    const { body, encoding } = pageBody(leaf, p, count);
    encodings.add(encoding);
    if (!decided) {
      meta.codec = snappyPays(body) ? CODEC.SNAPPY : CODEC.UNCOMPRESSED;
      decided = true;
    }
    const stored = compress(meta.codec, body);
    const h = pageHeader(PAGE.DATA, body.length, stored.length, count, encoding);
    if (p === from) meta.dataPageOffset = out.length;
    meta.pages.push({ offset: out.length, size: h.length + stored.length, firstRow: p - from });
    out.push(h);
    // Bodies in the column's own buffer are stable until the output is assembled; scratch is not.
    if (stored.buffer === leaf.bytes.buffer) out.push(stored);
    else out.pushCopy(stored);
    meta.uncompressed += h.length + body.length;
    meta.compressed += h.length + stored.length;
  }
  meta.encodings = [...encodings].sort((a, b) => a - b);
  return meta;
}

// ---------------------------------------------------------------- footer

function schemaElements(t: ThriftWriter, leaves: readonly Leaf[]): void {
  t.list(2, TType.Struct, leaves.length + 1);
  t.begin().binary(4, 'arrow_schema').i32(5, leaves.length).end();
  for (const l of leaves) {
    t.begin().i32(1, l.physical).i32(3, l.nullable ? OPTIONAL : REQUIRED).binary(4, l.name);
    if (l.kind === 'dictionary') t.i32(6, CONVERTED_UTF8).struct(10).struct(1).end().end();
    else if (l.kind === 'timestamp') {
      t.i32(6, CONVERTED_TIMESTAMP_MILLIS)
        .struct(10)
        .struct(8)
        .bool(1, l.utc)
        .struct(2)
        .struct(1)
        .end()
        .end()
        .end()
        .end();
    }
    t.end();
  }
}

function columnChunk(t: ThriftWriter, c: ChunkMeta): void {
  t.begin().i64(2, 0).struct(3);
  t.i32(1, c.leaf.physical);
  t.list(2, TType.I32, c.encodings.length);
  for (const e of c.encodings) t.rawI32(e);
  t.list(3, TType.Binary, 1).rawBinary(c.leaf.name);
  t.i32(4, c.codec).i64(5, c.numValues).i64(6, c.uncompressed).i64(7, c.compressed).i64(9, c.dataPageOffset);
  if (c.dictionaryPageOffset >= 0) t.i64(11, c.dictionaryPageOffset);
  if (c.stats) t.struct(12).binary(1, c.stats.max).binary(2, c.stats.min).i64(3, 0).binary(5, c.stats.max).binary(6, c.stats.min).end();
  t.end();
  t.i64(4, c.offsetIndexOffset).i32(5, c.offsetIndexLength);
  t.end();
}

/**
 * An output buffer reused from one file to the next (a worker's shards): a fresh 40 MB
 * array costs ~25 ms of page faults, a reused one ~4 ms to fill. A file encoded into it
 * is valid until the next encode with the same output.
 */
export class ParquetOutput {
  private buf = new Uint8Array(0);

  take(n: number): Uint8Array {
    if (this.buf.length < n) this.buf = new Uint8Array(n);
    return this.buf.subarray(0, n);
  }
}

/** Writes a table of supported leaves; `numRows` rows in groups of ROW_GROUP_ROWS. */
function writeFile(schema: Schema, leaves: readonly Leaf[], numRows: number, metadata: Map<string, string>, compression: ParquetCompression, output?: ParquetOutput): Uint8Array {
  const out = new Pieces();
  out.push(utf8.encode('PAR1'));
  const groups: { rows: number; chunks: ChunkMeta[] }[] = [];
  for (let g = 0; g < numRows || (g === 0 && numRows === 0); g += ROW_GROUP_ROWS) {
    const to = Math.min(numRows, g + ROW_GROUP_ROWS);
    groups.push({ rows: to - g, chunks: leaves.map((l) => writeChunk(out, l, g, to, compression)) });
    if (numRows === 0) break;
  }
  // Offset indexes (page locations), after the data, before the footer.
  const idx = new ThriftWriter(256);
  for (const g of groups) {
    for (const c of g.chunks) {
      idx.reset().begin().list(1, TType.Struct, c.pages.length);
      for (const p of c.pages) idx.begin().i64(1, p.offset).i32(2, p.size).i64(3, p.firstRow).end();
      const bytes = idx.end().bytes().slice();
      c.offsetIndexOffset = out.length;
      c.offsetIndexLength = bytes.length;
      out.push(bytes);
    }
  }
  const t = new ThriftWriter(4096).begin();
  t.i32(1, 1);
  schemaElements(t, leaves);
  t.i64(3, numRows);
  t.list(4, TType.Struct, groups.length);
  for (const g of groups) {
    t.begin();
    t.list(1, TType.Struct, g.chunks.length);
    for (const c of g.chunks) columnChunk(t, c);
    const uncompressed = g.chunks.reduce((a, c) => a + c.uncompressed, 0);
    const compressed = g.chunks.reduce((a, c) => a + c.compressed, 0);
    const first = g.chunks[0];
    t.i64(2, uncompressed).i64(3, g.rows);
    if (first) t.i64(5, first.dictionaryPageOffset >= 0 ? first.dictionaryPageOffset : first.dataPageOffset);
    t.i64(6, compressed);
    t.end();
  }
  const kv = [...metadata.entries(), ['ARROW:schema', arrowSchemaBase64(schema)] as [string, string]];
  t.list(5, TType.Struct, kv.length);
  for (const [k, v] of kv) t.begin().binary(1, k).binary(2, v).end();
  t.binary(6, 'paranom');
  t.list(7, TType.Struct, leaves.length);
  for (let i = 0; i < leaves.length; i++) t.begin().struct(1).end().end();
  const footer = t.end().bytes().slice();
  out.push(footer);
  const tail = new Uint8Array(8);
  new DataView(tail.buffer).setUint32(0, footer.length, true);
  tail.set(utf8.encode('PAR1'), 4);
  out.push(tail);
  return out.concat(output);
}

// ---------------------------------------------------------------- entry points

/**
 * Encodes a table as one Parquet file with `metadata` as key-value metadata. Shard-shaped
 * tables use paranom's writer (snappy, none), everything else parquet-wasm. With an
 * `output`, the file is written into that reused buffer (valid until its next use).
 */
export function encodeParquet(table: Table, metadata: Map<string, string>, compression: ParquetCompression = 'snappy', output?: ParquetOutput): Uint8Array {
  const leaves = compression === 'zstd' || table.numRows === 0 ? null : leavesOf(table);
  if (leaves) return writeFile(table.schema, leaves, table.numRows, metadata, compression, output);
  return encodeParquetWasm(table, metadata, compression);
}

/** The parquet-wasm path (other types, zstd; and the baseline bench/ compares against). */
export function encodeParquetWasm(table: Table, metadata: Map<string, string>, compression: ParquetCompression = 'snappy'): Uint8Array {
  const pw = parquetWasm();
  const codec = { snappy: pw.Compression.SNAPPY, zstd: pw.Compression.ZSTD, none: pw.Compression.UNCOMPRESSED }[compression];
  const wasmTable = pw.Table.fromIPCStream(tableToIPC(table, 'stream'));
  let builder = new pw.WriterPropertiesBuilder()
    .setCompression(codec)
    .setDictionaryEnabled(false)
    .setMaxRowGroupSize(ROW_GROUP_ROWS)
    .setStatisticsEnabled(pw.EnabledStatistics.None)
    .setCreatedBy('paranom')
    .setKeyValueMetadata(metadata);
  for (const f of table.schema.fields) {
    if (DataType.isDictionary(f.type)) builder = builder.setColumnDictionaryEnabled(f.name, true);
    if (DataType.isTimestamp(f.type)) {
      builder = builder.setColumnStatisticsEnabled(f.name, pw.EnabledStatistics.Chunk).setColumnEncoding(f.name, pw.Encoding.DELTA_BINARY_PACKED);
    }
    // zstd on raw doubles gains little; split into byte streams it finds the exponents.
    if (compression === 'zstd' && DataType.isFloat(f.type)) builder = builder.setColumnEncoding(f.name, pw.Encoding.BYTE_STREAM_SPLIT);
  }
  // writeParquet frees both the table and the properties: do not free them again.
  return pw.writeParquet(wasmTable, builder.build());
}
