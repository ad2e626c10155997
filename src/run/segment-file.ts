/**
 * The segment table of a single series written as its events come, in row order: kept in
 * pieces of one data page (PAGE_ROWS events), each piece made into a table and encoded at
 * once by formats/parquet-stream, the manifest's figures added up event by event. Memory
 * is a piece and one row group's encoded bytes, however many events the dataset holds;
 * the file has the bytes `encodeParquet` gives for the whole table.
 *
 * zstd tables are written by parquet-wasm, which takes a whole table: with zstd the events
 * are kept and the table encoded whole at the end.
 */
import type { Table } from 'apache-arrow';
import type { Segment } from '../anomaly/effect.js';
import type { CleanRows } from '../anomaly/kinds/learned.js';
import { segmentTable } from '../dataset/segments.js';
import { tallyEvents, type EventTally } from '../dataset/event-tally.js';
import { AtomicFile, writeFileAtomic } from '../formats/files.js';
import { encodeParquet, PAGE_ROWS, type ParquetCompression } from '../formats/parquet.js';
import { ParquetPieceWriter } from '../formats/parquet-stream.js';
import { cleanRowsOf } from '../generate/shard.js';
import type { Scenario } from '../model/types.js';

/** The segment table file of a single series, written from its events in row order. */
export class SegmentFile {
  readonly tally: EventTally = { events: 0, truncated: 0, unchanged: 0, redrawn: 0, dropped: 0 };
  private pending: Segment[] = [];
  private readonly cleanRows: CleanRows;
  private readonly file: AtomicFile | null;
  private readonly pieces: ParquetPieceWriter | null;

  /** Writes the table of `scenario`'s events to `path` (under its temporary name until `end`). */
  constructor(
    private readonly scenario: Scenario,
    private readonly path: string,
    private readonly metadata: Map<string, string>,
    private readonly compression: ParquetCompression,
  ) {
    this.cleanRows = cleanRowsOf(scenario);
    if (compression === 'zstd') {
      this.file = null;
      this.pieces = null;
    } else {
      const file = new AtomicFile(path);
      this.file = file;
      this.pieces = new ParquetPieceWriter((b) => file.write(b), metadata, compression);
    }
  }

  /** The next kept events in row order, and how many were dropped beside them. */
  add(segments: readonly Segment[], dropped: number): void {
    tallyEvents(this.scenario, segments, dropped, this.tally);
    for (const s of segments) this.pending.push(s);
    if (!this.pieces) return;
    // Whole pages only, until the end: the pieces cut where the whole table's pages are cut.
    const whole = this.pending.length - (this.pending.length % PAGE_ROWS);
    for (let i = 0; i < whole; i += PAGE_ROWS) this.pieces.add(this.table(this.pending.slice(i, i + PAGE_ROWS)));
    if (whole > 0) this.pending = this.pending.slice(whole);
  }

  /** Writes what is left and the file's tail, and puts the file in place; the events' figures. */
  end(): EventTally {
    if (!this.pieces) {
      writeFileAtomic(this.path, encodeParquet(this.table(this.pending), this.metadata, this.compression));
      this.pending = [];
      return this.tally;
    }
    try {
      const last = this.table(this.pending);
      this.pending = [];
      if (last.numRows > 0) this.pieces.add(last);
      this.pieces.end(last);
      this.file!.commit();
    } catch (err) {
      this.abandon();
      throw err;
    }
    return this.tally;
  }

  /** Leaves no file behind (a failed or interrupted run). */
  abandon(): void {
    this.file?.abandon();
    this.pending = [];
  }

  private table(segments: readonly Segment[]): Table {
    return segmentTable(this.scenario, segments, this.cleanRows);
  }
}
