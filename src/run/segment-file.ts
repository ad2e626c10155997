/**
 * The segment table written as its events come, in the table's row order: kept in pieces
 * of one data page (PAGE_ROWS events), each piece made into a table and encoded at once by
 * formats/parquet-stream, the manifest's figures added up event by event. Memory is a
 * piece and one row group's encoded bytes, however many events the dataset holds; the file
 * has the bytes `encodeParquet` gives for the whole table.
 *
 * A single series' events come in row order. A fleet's come entity by entity (each in time
 * order), with each event's entity and its description made by the worker with the entity's
 * scenario; its outages follow the last entity's events (`end`), as in the whole table
 * (run/labels.ts, `datasetSegments`).
 *
 * zstd tables are written by parquet-wasm: their pieces are spooled to disk as they come and
 * encoded at the end (segment-spool.ts); a table of less than one piece is encoded whole.
 */
import type { Table } from 'apache-arrow';
import type { Segment } from '../anomaly/effect.js';
import type { EventDescription } from '../anomaly/kinds/describe.js';
import type { CleanRows } from '../anomaly/kinds/learned.js';
import { segmentTable } from '../dataset/segments.js';
import { tallyEvents, type EventTally } from '../dataset/event-tally.js';
import { SegmentSpool } from './segment-spool.js';
import { AtomicFile, writeFileAtomic } from '../formats/files.js';
import { encodeParquet, PAGE_ROWS, type ParquetCompression } from '../formats/parquet.js';
import { ParquetPieceWriter } from '../formats/parquet-stream.js';
import { cleanRowsOf } from '../generate/shard.js';
import { entityKey } from '../fleet/entity.js';
import type { Scenario } from '../model/types.js';
import { outageRows, type MeasuredSegments } from './labels.js';

/** Rows of the table not yet written: the events and, for a fleet, their key columns. */
interface Pending {
  segments: Segment[];
  keys: Array<string | number | null>;
  described: EventDescription[];
  hit: Array<string | null>;
}

const nothing = (): Pending => ({ segments: [], keys: [], described: [], hit: [] });

/** The segment table file of a dataset, written from its events in the table's row order. */
export class SegmentFile {
  readonly tally: EventTally = { events: 0, truncated: 0, unchanged: 0, redrawn: 0, dropped: 0 };
  private pending = nothing();
  private readonly cleanRows: CleanRows | undefined;
  private readonly file: AtomicFile | null;
  private readonly pieces: ParquetPieceWriter | null;
  /** A zstd table's pieces so far (none until the first whole piece). */
  private spool: SegmentSpool | null = null;

  /**
   * Writes the table of `scenario`'s events to `path` (under its temporary name until
   * `end`); a zstd table's spool is a temporary of `beside`, the table's own name.
   */
  constructor(
    private readonly scenario: Scenario,
    private readonly path: string,
    private readonly metadata: Map<string, string>,
    private readonly compression: ParquetCompression,
    private readonly beside: string = path,
  ) {
    // A fleet's events come described by their workers, with each entity's own scenario.
    this.cleanRows = scenario.entities ? undefined : cleanRowsOf(scenario);
    if (compression === 'zstd') {
      this.file = null;
      this.pieces = null;
    } else {
      const file = new AtomicFile(path);
      this.file = file;
      this.pieces = new ParquetPieceWriter((b) => file.write(b), metadata, compression);
    }
  }

  /**
   * The next kept events in the table's order, and how many were dropped beside them; a
   * fleet's with each event's entity and description.
   */
  add(m: MeasuredSegments): void {
    tallyEvents(this.scenario, m.segments, m.dropped, this.tally);
    const p = this.pending;
    const f = this.scenario.entities;
    for (let i = 0; i < m.segments.length; i++) {
      p.segments.push(m.segments[i]!);
      if (!f) continue;
      const e = m.entities![i]!;
      p.keys.push(entityKey(f, e));
      p.described.push(m.described![i]!);
      p.hit.push(null);
    }
    this.flush();
  }

  /** Writes what is left and the file's tail, and puts the file in place; the events' figures. */
  async end(): Promise<EventTally> {
    try {
      // A fleet's outages are the table's last rows (their effect is not measured).
      for (const o of outageRows(this.scenario)) {
        tallyEvents(this.scenario, [o.segment], 0, this.tally);
        this.pending.segments.push(o.segment);
        this.pending.keys.push(null);
        this.pending.described.push(o.described);
        this.pending.hit.push(o.hit);
        this.flush();
      }
      if (!this.pieces) {
        const last = this.table(this.pending.segments.length);
        if (!this.spool) writeFileAtomic(this.path, encodeParquet(last, this.metadata, this.compression));
        else {
          const file = new AtomicFile(this.path);
          try {
            await this.spool.encode(last, this.metadata, (b) => file.write(b));
          } catch (err) {
            file.abandon();
            throw err;
          }
          file.commit();
        }
        return this.tally;
      }
      const last = this.table(this.pending.segments.length);
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
    this.spool?.remove();
    this.pending = nothing();
  }

  /** Encodes the whole pages pending: the pieces cut where the whole table's pages are cut. */
  private flush(): void {
    while (this.pending.segments.length >= PAGE_ROWS) {
      if (this.pieces) this.pieces.add(this.table(PAGE_ROWS));
      else (this.spool ??= new SegmentSpool(this.beside)).add(this.table(PAGE_ROWS));
    }
  }

  /** The next `n` pending rows as a table (taken from the pending rows). */
  private table(n: number): Table {
    const p = this.pending;
    const segments = p.segments.splice(0, n);
    const f = this.scenario.entities;
    if (!f) return segmentTable(this.scenario, segments, this.cleanRows);
    const keys = p.keys.splice(0, n);
    const described = p.described.splice(0, n);
    const hit = p.hit.splice(0, n);
    return segmentTable(this.scenario, segments, undefined, { key: f.key, names: f.names !== null, keys, described, ...(f.outages ? { hit } : {}) });
  }
}
