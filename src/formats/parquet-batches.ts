/**
 * A Parquet file read a few row groups at a time, from disk: each batch of row groups is
 * cut out as a small Parquet file of its own (its bytes, and the footer rewritten to hold
 * just those row groups at their new offsets) and decoded by parquet-wasm. Memory is one
 * batch, whatever the file's size: handing parquet-wasm the whole file copies all of it
 * into WebAssembly memory, which never shrinks, on every read. A range of rows is read
 * the same way, as just the row groups — or, through the offset index, the pages — holding it.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parquetWasm } from './parquet-wasm.js';
import { Schema, Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { ByteSink } from './byte-sink.js';
import { ColumnChunk, ColumnMetaData, FileMetaData, KeyValue, OffsetIndex, PageLocation, RowGroup, SchemaElement } from './parquet-spec.js';
import { field, intOf, intValue, readThriftStruct, structOf, structsOf, writeThriftStruct, type TField, type TValue } from './thrift-tree.js';

const MAGIC = [0x50, 0x41, 0x52, 0x31]; // PAR1
/** Fields of a column chunk that point outside its row group (page indexes, bloom filters): dropped from a batch's footer. */
const CHUNK_DROP = new Set([ColumnChunk.OFFSET_INDEX_OFFSET, ColumnChunk.OFFSET_INDEX_LENGTH, 6, 7]);
const META_DROP = new Set([14, 15]);
const INDEX_PAGE_OFFSET = 10;
const ARROW_SCHEMA = 'ARROW:schema';

interface Chunk {
  start: number;
  end: number;
  fields: TField[];
  /** Bytes [from, to) of the chunk left out: data pages before the rows read. */
  gap?: { from: number; to: number };
}

/** The bytes a chunk takes in a batch file. */
function chunkBytes(c: Chunk): number {
  return c.end - c.start - (c.gap ? c.gap.to - c.gap.from : 0);
}

interface Group {
  rows: number;
  chunks: Chunk[];
  /** The row group's other fields (row count, sizes, ordinal). */
  fields: TField[];
}

/** A file's footer, row groups and leaf columns (null names: a nested schema, read whole). */
interface Layout {
  meta: TField[];
  groups: Group[];
  leaves: string[] | null;
}

const decoder = new TextDecoder();

function readAt(fd: number, at: number, length: number, into?: Uint8Array, offset = 0): Uint8Array {
  const b = into ?? new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, b, offset + done, length - done, at + done);
    if (n === 0) throw new RangeError('the file ends early');
    done += n;
  }
  return b;
}

function layoutOf(fd: number): Layout {
  const size = fstatSync(fd).size;
  if (size < 12) throw new RangeError('too small for a Parquet file');
  const tail = readAt(fd, size - 8, 8);
  if (!MAGIC.every((m, k) => tail[4 + k] === m)) throw new RangeError('no PAR1 magic at the end (an encrypted or other file)');
  const length = tail[0]! | (tail[1]! << 8) | (tail[2]! << 16) | (tail[3]! * 2 ** 24);
  if (length + 12 > size) throw new RangeError('the footer length runs past the start of the file');
  const meta = readThriftStruct(readAt(fd, size - 8 - length, length));
  const groups = structsOf(field(meta, FileMetaData.ROW_GROUPS)).map((g) => ({
    rows: intOf(field(g, RowGroup.NUM_ROWS)) ?? 0,
    fields: g,
    chunks: structsOf(field(g, RowGroup.COLUMNS)).map((chunk) => {
      const cm = structOf(field(chunk, ColumnChunk.META_DATA));
      if (!cm) throw new RangeError('a column chunk without metadata');
      // Where a chunk starts, as parquet-rs reads it: its dictionary page if it has one.
      const start = intOf(field(cm, ColumnMetaData.DICTIONARY_PAGE_OFFSET)) ?? intOf(field(cm, ColumnMetaData.DATA_PAGE_OFFSET)) ?? 0;
      return { start, end: start + (intOf(field(cm, ColumnMetaData.TOTAL_COMPRESSED_SIZE)) ?? 0), fields: chunk };
    }),
  }));
  // A flat schema (a root over leaves only): leaf k is column chunk k of every row group.
  const schema = structsOf(field(meta, FileMetaData.SCHEMA));
  const flat = schema.slice(1).every((e) => field(e, SchemaElement.NUM_CHILDREN) === undefined);
  return { meta, groups, leaves: flat ? schema.slice(1).map((e) => textOf(field(e, SchemaElement.NAME))) : null };
}

/** Bytes of the varint length prefix of a binary value. */
function varintLength(b: Uint8Array): number {
  let k = 0;
  while (b[k]! >= 0x80) k++;
  return k + 1;
}

/** A copy of `fields` with integer fields in `ids` moved by `move` and fields in `drop` left out. */
function patched(fields: readonly TField[], ids: ReadonlySet<number>, move: (offset: number) => number, drop: ReadonlySet<number> = new Set()): TField[] {
  return fields.filter((f) => !drop.has(f.id)).map((f) => (ids.has(f.id) ? { ...f, value: intValue(Math.max(0, move(intOf(f)!))) } : f));
}

const CHUNK_OFFSETS = new Set<number>([ColumnChunk.FILE_OFFSET]);
const META_OFFSETS = new Set<number>([ColumnMetaData.DATA_PAGE_OFFSET, ColumnMetaData.DICTIONARY_PAGE_OFFSET, INDEX_PAGE_OFFSET]);

/** A column chunk's footer entry for its bytes placed at `at` (less its gap). */
function movedChunk(c: Chunk, at: number): TValue {
  const move = (offset: number) => offset + at - c.start - (c.gap && offset >= c.gap.to ? c.gap.to - c.gap.from : 0);
  const fields = patched(c.fields, CHUNK_OFFSETS, move, CHUNK_DROP).map((f) =>
    f.id === ColumnChunk.META_DATA && f.value.kind === 'struct' ? { ...f, value: { kind: 'struct' as const, fields: patched(f.value.fields, META_OFFSETS, move, META_DROP) } } : f,
  );
  return { kind: 'struct', fields };
}

function listOf(f: TField, items: TValue[]): TField {
  return f.value.kind === 'list' ? { ...f, value: { ...f.value, items } } : f;
}

/**
 * A Parquet file of `groups` (row groups of the file open as `fd`) holding only the leaf
 * columns `keep` (all when null): their chunks' bytes one after another, and the footer
 * with just those row groups and columns at their new offsets. The Arrow schema a writer
 * may store in the key-value metadata is left out with dropped columns (it would name
 * them); the Parquet schema's types are read instead.
 */
function batchFile(fd: number, l: Layout, groups: readonly Group[], keep: readonly number[] | null): Uint8Array {
  const cols = (g: Group) => (keep ? keep.map((k) => g.chunks[k]!) : g.chunks);
  const bytes = groups.reduce((a, g) => a + cols(g).reduce((b, c) => b + chunkBytes(c), 0), 0);
  const body = MAGIC.length + bytes;
  // Where each chunk goes first, so the footer is known and the file read into one buffer.
  const placed: Array<{ c: Chunk; at: number }> = [];
  let at = MAGIC.length;
  const rowGroups = groups.map((g) => {
    const chunks = cols(g).map((c) => {
      placed.push({ c, at });
      const moved = movedChunk(c, at);
      at += chunkBytes(c);
      return moved;
    });
    const fields = g.fields
      .filter((f) => f.id !== RowGroup.FILE_OFFSET && f.id !== RowGroup.TOTAL_COMPRESSED_SIZE)
      .map((f) => (f.id === RowGroup.COLUMNS ? listOf(f, chunks) : f));
    return { kind: 'struct' as const, fields };
  });
  const meta = l.meta.flatMap((f): TField[] => {
    if (f.id === FileMetaData.NUM_ROWS) return [{ ...f, value: intValue(groups.reduce((a, g) => a + g.rows, 0)) }];
    if (f.id === FileMetaData.ROW_GROUPS) return [listOf(f, rowGroups)];
    if (!keep || f.value.kind !== 'list') return [f];
    if (f.id === FileMetaData.SCHEMA) {
      const [root, ...leaves] = f.value.items;
      const rootFields = root?.kind === 'struct' ? root.fields.map((r) => (r.id === SchemaElement.NUM_CHILDREN ? { ...r, value: intValue(keep.length) } : r)) : [];
      return [listOf(f, [{ kind: 'struct', fields: rootFields }, ...keep.map((k) => leaves[k]!)])];
    }
    if (f.id === FileMetaData.COLUMN_ORDERS) return [listOf(f, keep.map((k) => f.value.kind === 'list' ? f.value.items[k]! : f.value))];
    if (f.id === FileMetaData.KEY_VALUE_METADATA) {
      return [listOf(f, f.value.items.map((kv) => (kv.kind === 'struct' && textOf(field(kv.fields, KeyValue.KEY)) === ARROW_SCHEMA ? { kind: 'struct', fields: arrowSchemaOf(kv.fields, keep) } : kv)))];
    }
    return [f];
  });
  const footer = writeThriftStruct(meta);
  const out = new Uint8Array(body + footer.length + 8);
  out.set(MAGIC, 0);
  for (const { c, at: to } of placed) {
    const cut = c.gap?.from ?? c.end;
    readAt(fd, c.start, cut - c.start, out, to);
    if (c.gap) readAt(fd, c.gap.to, c.end - c.gap.to, out, to + cut - c.start);
  }
  out.set(footer, body);
  new DataView(out.buffer).setUint32(body + footer.length, footer.length, true);
  out.set(MAGIC, body + footer.length + 4);
  return out;
}

function textOf(f: TField | undefined): string {
  return f && f.value.kind === 'raw' ? decoder.decode(f.value.bytes.subarray(varintLength(f.value.bytes))) : '';
}

/**
 * The `ARROW:schema` entry a writer (arrow-rs, pyarrow) stores beside the Parquet schema —
 * the Arrow types the Parquet types cannot say, such as timestamps in seconds — cut to
 * the leaf columns `keep` (a reader refuses one naming other columns): a base64 IPC schema
 * message, decoded, cut and encoded again.
 */
function arrowSchemaOf(kv: TField[], keep: readonly number[]): TField[] {
  const message = Buffer.from(textOf(field(kv, KeyValue.VALUE)), 'base64');
  const schema = tableFromIPC(Buffer.concat([message, Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])])).schema;
  const cut = new Schema(keep.map((k) => schema.fields[k]!), schema.metadata);
  const stream = tableToIPC(new Table(cut), 'stream');
  const value = Buffer.from(stream.subarray(0, stream.length - 8)).toString('base64');
  return kv.map((f) => (f.id === KeyValue.VALUE ? { ...f, value: binaryValue(value) } : f));
}

function binaryValue(text: string): TValue {
  const bytes = new TextEncoder().encode(text);
  const out = new ByteSink(bytes.length + 10);
  out.varint(bytes.length);
  out.ensure(bytes.length);
  out.buf.set(bytes, out.pos);
  out.pos += bytes.length;
  return { kind: 'raw', bytes: out.bytes().slice() };
}
/** Where each column chunk of each row group starts (its dictionary page, else its first data page), its codec, and the group's rows: from the footer alone. */
export function parquetChunkStarts(path: string): Array<{ rows: number; starts: number[]; codecs: number[] }> {
  const fd = openSync(path, 'r');
  try {
    return layoutOf(fd).groups.map((g) => ({ rows: g.rows, starts: g.chunks.map((c) => c.start), codecs: g.chunks.map((c) => intOf(field(structOf(field(c.fields, ColumnChunk.META_DATA)) ?? [], ColumnMetaData.CODEC)) ?? 0) }));
  } finally {
    closeSync(fd);
  }
}

/** A Parquet file's key-value metadata, from its footer alone. */
export function parquetKeyValues(path: string): Map<string, string> {
  const fd = openSync(path, 'r');
  try {
    return new Map(structsOf(field(layoutOf(fd).meta, FileMetaData.KEY_VALUE_METADATA)).map((kv) => [textOf(field(kv, KeyValue.KEY)), textOf(field(kv, KeyValue.VALUE))]));
  } finally {
    closeSync(fd);
  }
}

/** The column names of a Parquet file, their Arrow schema (as a whole-file read types them) and its row count, from its footer alone. */
export function parquetColumns(path: string): { columns: string[]; schema: Schema; rows: number } {
  const fd = openSync(path, 'r');
  try {
    const l = layoutOf(fd);
    const schema = tableFromIPC(parquetWasm().readSchema(batchFile(fd, l, [], null)).intoIPCStream()).schema;
    return { columns: schema.fields.map((f) => f.name), schema, rows: l.groups.reduce((a, g) => a + g.rows, 0) };
  } finally {
    closeSync(fd);
  }
}

/** The leaf columns of `columns`, in file order (null: all, for a nested schema or a name it lacks, which the decoder then reports). */
function keptLeaves(l: Layout, columns: readonly string[] | undefined): number[] | null {
  if (!columns || !l.leaves || !columns.every((c) => l.leaves!.includes(c))) return null;
  return [...new Set(columns.map((c) => l.leaves!.indexOf(c)))].sort((x, y) => x - y);
}

/**
 * Reads `columns` of a Parquet file in batches of whole row groups of about `batchBytes`
 * (compressed, of those columns), in row order: `fn(table, firstRow)` per batch. Returns
 * the row count; `batchRows`: the most rows of one record batch of a table. (parquet-wasm's
 * own `columns` option does not limit what it decodes.)
 */
export function forEachParquetBatch(path: string, columns: readonly string[], fn: (t: Table, firstRow: number) => void, batchBytes = 16 << 20, batchRows = 65536): number {
  const fd = openSync(path, 'r');
  try {
    const l = layoutOf(fd);
    const keep = keptLeaves(l, columns);
    const size = (g: Group) => (keep ? keep.map((k) => g.chunks[k]!) : g.chunks).reduce((a, c) => a + chunkBytes(c), 0);
    let row = 0;
    for (let g = 0; g < l.groups.length; ) {
      const batch = [l.groups[g++]!];
      let bytes = size(batch[0]!);
      while (g < l.groups.length && bytes + size(l.groups[g]!) <= batchBytes) {
        bytes += size(l.groups[g]!);
        batch.push(l.groups[g++]!);
      }
      const table = tableFromIPC(parquetWasm().readParquet(batchFile(fd, l, batch, keep), { batchSize: batchRows }).intoIPCStream());
      fn(table, row);
      row += table.numRows;
    }
    return row;
  } finally {
    closeSync(fd);
  }
}

/** Fields of a cut chunk's metadata that describe all its pages (statistics, encoding and size statistics): dropped. */
const WHOLE_CHUNK_META = new Set([ColumnMetaData.STATISTICS, 13, 16]);

/**
 * Rows [from, to) of row group `g` as a row group of just the data pages holding them
 * (and each column's dictionary), found through the offset index; undefined when a
 * column has no offset index or the columns' pages do not start and end on the same rows.
 * With `keep`, only those leaf columns are cut (and only their offset indexes read): the
 * others are left as they are, for a batch file that leaves them out.
 */
function pageCut(fd: number, g: Group, from: number, to: number, keep: readonly number[] | null = null): { group: Group; first: number } | undefined {
  let span: { lo: number; hi: number } | undefined;
  const chunks: Chunk[] = g.chunks.slice();
  for (const k of keep ?? g.chunks.keys()) {
    const c = g.chunks[k]!;
    const at = intOf(field(c.fields, ColumnChunk.OFFSET_INDEX_OFFSET));
    const length = intOf(field(c.fields, ColumnChunk.OFFSET_INDEX_LENGTH));
    if (at === undefined || !length) return undefined;
    const pages = structsOf(field(readThriftStruct(readAt(fd, at, length)), OffsetIndex.PAGE_LOCATIONS)).map((p) => ({
      offset: intOf(field(p, PageLocation.OFFSET)) ?? 0,
      size: intOf(field(p, PageLocation.COMPRESSED_PAGE_SIZE)) ?? 0,
      row: intOf(field(p, PageLocation.FIRST_ROW_INDEX)) ?? 0,
    }));
    const rowEnd = (k: number) => pages[k + 1]?.row ?? g.rows;
    const a = pages.findIndex((p, k) => rowEnd(k) > from);
    let b = a;
    while (b + 1 < pages.length && pages[b + 1]!.row < to) b++;
    if (a < 0 || (span && (span.lo !== pages[a]!.row || span.hi !== rowEnd(b)))) return undefined;
    span = { lo: pages[a]!.row, hi: rowEnd(b) };
    // What comes before the first data page (a dictionary page) is kept; the pages before `a` are not.
    const gap = pages[a]!.offset > pages[0]!.offset ? { from: pages[0]!.offset, to: pages[a]!.offset } : undefined;
    const end = pages[b]!.offset + pages[b]!.size;
    const cut = { start: c.start, end, ...(gap ? { gap } : {}), fields: [] as TField[] };
    const meta = (m: TField[]) => m.filter((f) => !WHOLE_CHUNK_META.has(f.id)).map((f) => {
      if (f.id === ColumnMetaData.NUM_VALUES) return { ...f, value: intValue(span!.hi - span!.lo) };
      if (f.id === ColumnMetaData.TOTAL_COMPRESSED_SIZE) return { ...f, value: intValue(chunkBytes(cut)) };
      if (f.id === ColumnMetaData.DATA_PAGE_OFFSET) return { ...f, value: intValue(pages[a]!.offset) };
      return f;
    });
    cut.fields = c.fields.map((f) => (f.id === ColumnChunk.META_DATA && f.value.kind === 'struct' ? { ...f, value: { kind: 'struct' as const, fields: meta(f.value.fields) } } : f));
    chunks[k] = cut;
  }
  if (!span) return undefined;
  const rows = span.hi - span.lo;
  return { group: { rows, chunks, fields: g.fields.map((f) => (f.id === RowGroup.NUM_ROWS ? { ...f, value: intValue(rows) } : f)) }, first: span.lo };
}

/**
 * Rows [offset, offset+limit) of a Parquet file, read from disk: only the row groups
 * holding them are read — of a single row group, only the data pages holding them when
 * the file has an offset index — so memory is those pages, not the file.
 */
export function readParquetRange(path: string, offset: number, limit: number): Table {
  const fd = openSync(path, 'r');
  try {
    const l = layoutOf(fd);
    const groups: Group[] = [];
    let first = 0;
    let row = 0;
    for (const g of l.groups) {
      if (row + g.rows > offset && row < offset + limit) {
        if (groups.length === 0) first = row;
        groups.push(g);
      }
      row += g.rows;
    }
    const cut = groups.length === 1 && l.leaves ? pageCut(fd, groups[0]!, offset - first, offset - first + limit) : undefined;
    if (cut) return tableFromIPC(parquetWasm().readParquet(batchFile(fd, l, [cut.group], null), { offset: offset - first - cut.first, limit, batchSize: 65536 }).intoIPCStream());
    return tableFromIPC(parquetWasm().readParquet(batchFile(fd, l, groups, null), { offset: offset - first, limit, batchSize: 65536 }).intoIPCStream());
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a Parquet file in row order, `rows` rows at a time (the last piece of each row
 * group shorter): `fn(table, firstRow)` per piece. Of a row group with an offset index
 * only the data pages holding a piece are read; one without (as parquet-wasm writes them)
 * is read whole, once, and handed on in pieces. With `columns`, only those columns' bytes
 * are read (and decoded: parquet-wasm's own `columns` option does not limit that). Memory
 * is a piece, or at most a row group, of those columns. Returns the row count.
 */
export function forEachParquetRows(path: string, rows: number, fn: (t: Table, firstRow: number) => void, columns?: readonly string[]): number {
  const fd = openSync(path, 'r');
  try {
    const l = layoutOf(fd);
    const keep = keptLeaves(l, columns);
    let row = 0;
    for (const g of l.groups) {
      let whole: Table | undefined;
      for (let from = 0; from < g.rows; from += rows) {
        const limit = Math.min(rows, g.rows - from);
        const cut = whole || !l.leaves ? undefined : pageCut(fd, g, from, from + limit, keep);
        let piece: Table;
        if (cut) piece = tableFromIPC(parquetWasm().readParquet(batchFile(fd, l, [cut.group], keep), { offset: from - cut.first, limit, batchSize: 65536 }).intoIPCStream());
        else {
          whole ??= tableFromIPC(parquetWasm().readParquet(batchFile(fd, l, [g], keep), { batchSize: 65536 }).intoIPCStream());
          piece = whole.slice(from, from + limit);
        }
        fn(piece, row + from);
      }
      row += g.rows;
    }
    return row;
  } finally {
    closeSync(fd);
  }
}
