/**
 * Column chunks of paranom's Parquet writer: one data page per PAGE_ROWS rows (PLAIN
 * values straight from the column buffer, RLE definition levels for nullable columns,
 * DELTA_BINARY_PACKED timestamps, RLE_DICTIONARY strings of dictionary columns, PLAIN
 * byte arrays of plain utf8 ones), a dictionary page for dictionary columns, and the
 * chunk's codec chosen by sampling its first page (see parquet.ts).
 */
import { forEachRunOfOnes } from '../columns/columns.js';
import { ThriftWriter } from './thrift.js';
import { snappyCompress, maxCompressedLength } from './snappy.js';
import { ByteSink } from './byte-sink.js';
import { bitWidth, encodeDeltaInt64, encodeHybrid, encodePlainByteArrays } from './parquet-encodings.js';
import { Codec, DataPageHeader, DictionaryPageHeader, Encoding, PageHeader, PageType } from './parquet-spec.js';
import type { Kind, Leaf } from './parquet-leaves.js';
import { addPhase, clock, timing } from '../phases.js';
import { int64MaxRow, int64MinRow } from './int64-extremes.js';

export type ParquetCompression = 'snappy' | 'zstd' | 'none';

/** Rows per data page: one generation block. */
export const PAGE_ROWS = 65536;

/** A sampled page must shrink by at least 1/SNAPPY_MIN_GAIN of its size for a chunk to be compressed. */
const SNAPPY_MIN_GAIN = 16;

/** Reused between calls (one writer per thread): scratch for levels, values and pages. */
const levels = new Uint8Array(PAGE_ROWS);
const valueSink = new ByteSink(1 << 20);
const pageSink = new ByteSink(1 << 20);
let snappyScratch = new Uint8Array(0);
const header = new ThriftWriter(64);

export interface PageLocation {
  offset: number;
  size: number;
  firstRow: number;
}

export interface ChunkMeta {
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

/** Output pieces in file order: written as they are (files.ts), or joined into one buffer. */
export class Pieces {
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
}

/** Unpacks validity bits of rows [from, from+count) into `levels` (1 = value); returns non-null count. */
function unpackLevels(validity: Uint8Array | null, from: number, count: number): number {
  if (!validity) {
    levels.fill(1, 0, count);
    return count;
  }
  let valid = 0;
  let i = 0;
  // A whole byte of bits at a time where the rows are aligned to one: a shard's first code
  // runs unoptimized, where each pass of a loop costs, and labels come in long runs.
  if ((from & 7) === 0) {
    for (; i + 8 <= count; i += 8) {
      const b = validity[(from + i) >> 3]!;
      if (b === 0 || b === 0xff) {
        levels.fill(b & 1, i, i + 8);
        valid += b & 8;
      } else {
        for (let k = 0; k < 8; k++) {
          const bit = (b >> k) & 1;
          levels[i + k] = bit;
          valid += bit;
        }
      }
    }
  }
  for (; i < count; i++) {
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
  // Run by run of non-null rows (levels are 0 or 1), each copied at once.
  forEachRunOfOnes(levels, count, (i, j) => {
    out.set(src.subarray((from + i) * width, (from + j) * width), p);
    p += (j - i) * width;
  });
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

const WIDTH: Record<Kind, number> = { timestamp: 8, int64: 8, int32: 4, float64: 8, float32: 4, bool: 0, dictionary: 4, utf8: 0 };

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
  let encoding: number = Encoding.PLAIN;
  let values: Uint8Array;
  switch (leaf.kind) {
    case 'bool':
      values = packBooleans(leaf, from, count, leaf.nullable && !allValid);
      break;
    case 'dictionary': {
      encoding = Encoding.RLE_DICTIONARY;
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
    case 'utf8':
      valueSink.reset();
      encodePlainByteArrays(valueSink, leaf.offsets!, leaf.bytes, from, count, (i) => allValid || levels[i] === 1);
      values = valueSink.bytes();
      break;
    case 'timestamp': {
      if (allValid) {
        valueSink.reset();
        if (encodeDeltaInt64(valueSink, leaf.words!, from, count)) {
          encoding = Encoding.DELTA_BINARY_PACKED;
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
  if (codec === Codec.UNCOMPRESSED) return body;
  const need = maxCompressedLength(body.length);
  if (snappyScratch.length < need) snappyScratch = new Uint8Array(need);
  const t = timing ? clock() : 0;
  const out = snappyCompress(body, snappyScratch);
  if (timing) addPhase('compress', t);
  return out;
}

/** Bytes of a chunk's first page that are compressed to decide its codec. */
const SNAPPY_SAMPLE = 65536;

/** True when snappy shrinks a sample of `body` by at least 1/SNAPPY_MIN_GAIN. */
function snappyPays(body: Uint8Array): boolean {
  const sample = body.subarray(0, Math.min(body.length, SNAPPY_SAMPLE));
  return compress(Codec.SNAPPY, sample).length * SNAPPY_MIN_GAIN <= sample.length * (SNAPPY_MIN_GAIN - 1);
}

function pageHeader(type: number, uncompressed: number, compressed: number, numValues: number, encoding: number): Uint8Array {
  const h = header.reset().begin();
  h.i32(PageHeader.TYPE, type).i32(PageHeader.UNCOMPRESSED_PAGE_SIZE, uncompressed).i32(PageHeader.COMPRESSED_PAGE_SIZE, compressed);
  if (type === PageType.DICTIONARY_PAGE) {
    h.struct(PageHeader.DICTIONARY_PAGE_HEADER).i32(DictionaryPageHeader.NUM_VALUES, numValues).i32(DictionaryPageHeader.ENCODING, Encoding.PLAIN).end();
  } else {
    h.struct(PageHeader.DATA_PAGE_HEADER)
      .i32(DataPageHeader.NUM_VALUES, numValues)
      .i32(DataPageHeader.ENCODING, encoding)
      .i32(DataPageHeader.DEFINITION_LEVEL_ENCODING, Encoding.RLE)
      .i32(DataPageHeader.REPETITION_LEVEL_ENCODING, Encoding.RLE)
      .end();
  }
  return h.end().bytes().slice();
}

export const utf8 = new TextEncoder();

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

/** Min and max of an int64 column's rows [from, to) as 8-byte little-endian values (timestamp statistics). */
function int64MinMax(leaf: Leaf, from: number, to: number): { min: Uint8Array; max: Uint8Array } | null {
  if (leaf.validity || to <= from) return null;
  const lo = int64MinRow(leaf.words!, from, to);
  const hi = int64MaxRow(leaf.words!, from, to);
  return { min: leaf.bytes.slice(8 * lo, 8 * lo + 8), max: leaf.bytes.slice(8 * hi, 8 * hi + 8) };
}

/** Orders two 8-byte little-endian int64 values: negative, zero or positive. */
function compareInt64(a: Uint8Array, b: Uint8Array): number {
  const va = new DataView(a.buffer, a.byteOffset, 8);
  const vb = new DataView(b.buffer, b.byteOffset, 8);
  return va.getInt32(4, true) - vb.getInt32(4, true) || va.getUint32(0, true) - vb.getUint32(0, true);
}

/**
 * One column chunk written a page at a time, into `out` from its current length on: the
 * pages may come from different tables of the column's values (pieces of a long table,
 * each holding the page's rows), so a chunk needs no more than one page of values at once.
 * Its codec is decided by its first page, its statistics gathered page by page.
 */
export class ChunkWriter {
  readonly meta: ChunkMeta;
  private readonly encodings = new Set<number>();
  private decided: boolean;
  private rows = 0;
  private nulls = false;

  /**
   * `leaf` names the column and its types; `stable`: the pages' leaves keep their buffers
   * until `out` is assembled (else every page is copied out of them).
   */
  constructor(private readonly out: Pieces, leaf: Leaf, compression: ParquetCompression, private readonly stable = true) {
    this.meta = { leaf, codec: Codec.UNCOMPRESSED, encodings: [], numValues: 0, uncompressed: 0, compressed: 0, dataPageOffset: 0, dictionaryPageOffset: -1, stats: null, pages: [], offsetIndexOffset: 0, offsetIndexLength: 0 };
    this.decided = compression !== 'snappy';
    if (leaf.nullable) this.encodings.add(Encoding.RLE);
  }

  /** Writes rows [from, from+count) of `leaf` (at most PAGE_ROWS) as the chunk's next data page. */
  page(leaf: Leaf, from: number, count: number): void {
    const meta = this.meta;
    const out = this.out;
    const first = this.rows === 0;
    if (leaf.kind === 'timestamp') {
      const st = int64MinMax(leaf, from, from + count);
      if (leaf.validity || !st) this.nulls = true;
      else if (first) meta.stats = st;
      else if (meta.stats) {
        if (compareInt64(st.min, meta.stats.min) < 0) meta.stats.min = st.min;
        if (compareInt64(st.max, meta.stats.max) > 0) meta.stats.max = st.max;
      }
      if (this.nulls) meta.stats = null;
    }
    const { body, encoding } = pageBody(leaf, from, count);
    if (!this.decided) {
      meta.codec = snappyPays(body) ? Codec.SNAPPY : Codec.UNCOMPRESSED;
      this.decided = true;
    }
    if (first && leaf.kind === 'dictionary') {
      // The dictionary page comes first; its codec is the chunk's, decided by the first
      // data page (the dictionary page is tiny). Nothing here writes the scratch the first
      // data page's body lives in.
      const dict = dictionaryPage(leaf.dictionary!);
      const stored = meta.codec === Codec.SNAPPY ? compress(Codec.SNAPPY, dict).slice() : dict;
      const h = pageHeader(PageType.DICTIONARY_PAGE, dict.length, stored.length, leaf.dictionary!.length, Encoding.PLAIN);
      meta.dictionaryPageOffset = out.length;
      out.push(h);
      out.push(stored);
      meta.uncompressed += h.length + dict.length;
      meta.compressed += h.length + stored.length;
      this.encodings.add(Encoding.PLAIN);
    }
    this.encodings.add(encoding);
    const stored = compress(meta.codec, body);
    const h = pageHeader(PageType.DATA_PAGE, body.length, stored.length, count, encoding);
    if (first) meta.dataPageOffset = out.length;
    meta.pages.push({ offset: out.length, size: h.length + stored.length, firstRow: this.rows });
    out.push(h);
    // Bodies in the column's own buffer are stable until the file is written (when the
    // leaf is: a piece of a table is not); scratch is not.
    if (this.stable && stored.buffer === leaf.bytes.buffer) out.push(stored);
    else out.pushCopy(stored);
    meta.uncompressed += h.length + body.length;
    meta.compressed += h.length + stored.length;
    this.rows += count;
    meta.numValues = this.rows;
  }

  /** The chunk as the footer describes it, once its last page is written. */
  end(): ChunkMeta {
    this.meta.encodings = [...this.encodings].sort((a, b) => a - b);
    return this.meta;
  }
}

/** Writes rows [from, to) of `leaf` as one column chunk into `out`, a page per PAGE_ROWS rows. */
export function writeChunk(out: Pieces, leaf: Leaf, from: number, to: number, compression: ParquetCompression): ChunkMeta {
  const chunk = new ChunkWriter(out, leaf, compression);
  for (let p = from; p < to; p += PAGE_ROWS) chunk.page(leaf, p, Math.min(PAGE_ROWS, to - p));
  return chunk.end();
}
