/**
 * A zstd segment table written in bounded memory. paranom's own Parquet writer has no zstd,
 * and parquet-wasm's only streaming writer (`transformParquetStream`) is asynchronous, while
 * the events arrive through synchronous calls. So the table's pieces (whole pages of events,
 * as segment-file.ts cuts them) are spooled as Arrow IPC streams into a temporary beside the
 * table, and at the end read back one at a time into the streaming writer. Memory is a piece
 * and the row group being encoded, however many events the dataset holds. The file holds the
 * values `encodeParquet` gives for the whole table, with the same settings and row groups,
 * but not its bytes: fed in pieces, the writer cuts a string column's data pages elsewhere.
 * The same events give the same bytes, for any worker count and shard size.
 *
 * The spool is a temporary of the run's own name (formats/unique-temp.ts), so the output
 * directory's ownership rules know it as paranom's and the next run removes what a killed
 * run left.
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tableToIPC, type Table } from 'apache-arrow';
import { parquetWasm } from '../formats/parquet-wasm.js';
import { wasmWriterProperties } from '../formats/parquet.js';
import { uniqueTempName } from '../formats/unique-temp.js';

/** Pieces of a table, kept on disk until the table is written. */
export class SegmentSpool {
  private readonly path: string;
  private fd: number;
  private readonly lengths: number[] = [];

  /** A spool beside `beside` (the table's own name, not a pending one). */
  constructor(beside: string) {
    this.path = uniqueTempName(beside);
    this.fd = openSync(this.path, 'wx');
  }

  add(piece: Table): void {
    const bytes = tableToIPC(piece, 'stream');
    for (let off = 0; off < bytes.length; ) off += writeSync(this.fd, bytes, off, bytes.length - off);
    this.lengths.push(bytes.length);
  }

  /**
   * Encodes the spooled pieces and then `last` as one Parquet file, handing its bytes to
   * `write` as the encoder makes them; removes the spool.
   */
  async encode(last: Table, metadata: Map<string, string>, write: (bytes: Uint8Array) => void): Promise<void> {
    const pw = parquetWasm();
    closeSync(this.fd);
    this.fd = openSync(this.path, 'r');
    let i = 0;
    let position = 0;
    // The first error while reading, kept: the writer reports a stream error only vaguely.
    let failure: unknown;
    const input = new ReadableStream({
      pull: (ctrl) => {
        try {
          let ipc: Uint8Array;
          if (i < this.lengths.length) {
            ipc = new Uint8Array(this.lengths[i]!);
            for (let off = 0; off < ipc.length; ) off += readSync(this.fd, ipc, off, ipc.length - off, position + off);
            position += ipc.length;
          } else if (i === this.lengths.length && last.numRows > 0) ipc = tableToIPC(last, 'stream');
          else {
            ctrl.close();
            return;
          }
          i++;
          const table = pw.Table.fromIPCStream(ipc);
          const batches = table.recordBatches();
          table.free();
          for (const b of batches) ctrl.enqueue(b);
        } catch (err) {
          failure ??= err;
          throw err;
        }
      },
    });
    try {
      const stream = await pw.transformParquetStream(input, wasmWriterProperties(last.schema, metadata, 'zstd'));
      for await (const piece of stream as unknown as AsyncIterable<Uint8Array>) write(piece);
      if (failure) throw failure;
    } catch (err) {
      throw failure ?? err;
    } finally {
      this.remove();
    }
  }

  /** Removes the spool (a finished or failed run); idempotent. */
  remove(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    rmSync(this.path, { force: true });
  }
}
