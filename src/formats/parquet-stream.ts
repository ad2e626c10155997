/**
 * A Parquet file written from pieces of a table, in row order, with the bytes
 * `encodeParquet` gives for the whole table (formats/parquet.ts): a table of millions of
 * rows (a dataset's segment table) is encoded without ever being held whole.
 *
 * Each piece is cut into data pages at the whole table's page boundaries (every piece
 * but the last holds a whole number of pages), and each page is encoded and compressed
 * into its column's spool at once; the codec of a chunk is decided by its first page and
 * the timestamp statistics are gathered page by page, as for a whole table. When a row
 * group is full its columns are laid out one after another, their page offsets placed,
 * and the bytes handed to `write`; the offset indexes and footer follow the last one.
 * Memory is a piece of the table and one row group's encoded bytes, whatever the rows.
 */
import type { Schema, Table } from 'apache-arrow';
import { ChunkWriter, PAGE_ROWS, Pieces, utf8, type ChunkMeta } from './parquet-chunks.js';
import { leavesOf, type Leaf } from './parquet-leaves.js';
import { ROW_GROUP_ROWS, writeTail, type GroupMeta } from './parquet.js';

/** A leaf's name and types without its values: what the footer says of it. */
function described(l: Leaf): Leaf {
  return { ...l, bytes: new Uint8Array(0), offsets: null, words: null, validity: null, dictionary: null };
}

/** Moves a chunk written into a spool of its own to `base` bytes further into the file. */
function placed(c: ChunkMeta, base: number): ChunkMeta {
  return {
    ...c,
    dataPageOffset: c.dataPageOffset + base,
    dictionaryPageOffset: c.dictionaryPageOffset >= 0 ? c.dictionaryPageOffset + base : -1,
    pages: c.pages.map((p) => ({ ...p, offset: p.offset + base })),
  };
}

/**
 * Writes a Parquet file from pieces of one table (`add`, in row order), then its tail
 * (`end`). The bytes go to `write` in order, a row group at a time. Only paranom's own
 * writer is streamed: snappy or no compression, flat columns without dictionaries.
 */
export class ParquetPieceWriter {
  private leaves: Leaf[] | null = null;
  private schema: Schema | null = null;
  private readonly groups: GroupMeta[] = [];
  private spools: Pieces[] = [];
  private chunks: ChunkWriter[] = [];
  private rowsInGroup = 0;
  private rows = 0;
  /** Bytes handed to `write` so far. */
  private written = 0;
  /** A piece ended inside a page: it must have been the last. */
  private closed = false;

  constructor(
    private readonly write: (bytes: Uint8Array) => void,
    private readonly metadata: Map<string, string>,
    private readonly compression: 'snappy' | 'none',
    /** Rows of a row group, as `encodeParquet` is given them (a multiple of PAGE_ROWS). */
    private readonly groupRows = ROW_GROUP_ROWS,
  ) {
    if (groupRows % PAGE_ROWS !== 0 || groupRows <= 0) throw new Error(`row groups of ${groupRows} rows are not whole pages`);
    this.emit(utf8.encode('PAR1'));
  }

  /** Rows added so far. */
  get numRows(): number {
    return this.rows;
  }

  /** Adds the table's next rows; every piece but the last holds a whole number of pages (PAGE_ROWS rows). */
  add(piece: Table): void {
    const leaves = leavesOf(piece);
    if (!leaves || leaves.some((l) => l.kind === 'dictionary')) throw new Error('a piece of a table the Parquet piece writer cannot write (a dictionary or another type)');
    if (this.leaves === null) {
      this.leaves = leaves.map(described);
      this.schema = piece.schema;
    } else if (String(piece.schema) !== String(this.schema)) throw new Error(`a piece of another schema (${String(piece.schema)}; the first was ${String(this.schema)})`);
    if (piece.numRows > 0 && this.closed) throw new Error(`rows after a piece that ended inside a page (at row ${this.rows})`);
    for (let from = 0; from < piece.numRows; from += PAGE_ROWS) {
      const count = Math.min(PAGE_ROWS, piece.numRows - from);
      if (this.rowsInGroup === 0) this.startGroup();
      for (let c = 0; c < leaves.length; c++) this.chunks[c]!.page(leaves[c]!, from, count);
      this.rowsInGroup += count;
      this.rows += count;
      if (count < PAGE_ROWS) this.closed = true;
      if (this.rowsInGroup === this.groupRows) this.endGroup();
    }
  }

  /** Writes the last row group and the file's tail; `like` gives the schema when no piece came. */
  end(like?: Table): void {
    if (this.rowsInGroup > 0) this.endGroup();
    if (this.leaves === null) {
      const leaves = like ? leavesOf(like) : null;
      if (!like || !leaves) throw new Error('no piece and no table to take the Parquet schema from');
      this.leaves = leaves.map(described);
      this.schema = like.schema;
    }
    const tail = new Pieces();
    tail.length = this.written;
    writeTail(tail, this.schema!, this.leaves, this.rows, this.groups, this.metadata);
    for (const b of tail.list) this.emit(b);
  }

  private emit(b: Uint8Array): void {
    this.write(b);
    this.written += b.length;
  }

  private startGroup(): void {
    this.spools = this.leaves!.map(() => new Pieces());
    // Pieces are dropped after `add`: every page is copied out of them.
    this.chunks = this.leaves!.map((l, c) => new ChunkWriter(this.spools[c]!, l, this.compression, false));
  }

  /** Lays the row group's columns out one after another at the end of the file written so far. */
  private endGroup(): void {
    const chunks: ChunkMeta[] = [];
    for (let c = 0; c < this.chunks.length; c++) {
      chunks.push(placed(this.chunks[c]!.end(), this.written));
      for (const b of this.spools[c]!.list) this.emit(b);
    }
    this.groups.push({ rows: this.rowsInGroup, chunks });
    this.spools = [];
    this.chunks = [];
    this.rowsInGroup = 0;
  }
}
