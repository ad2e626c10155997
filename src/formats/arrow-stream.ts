/**
 * Arrow IPC stream encoding for `generate --stdout`: the same schema and explicit types as
 * the Arrow and Parquet files (arrow-table.ts), one record batch per unit of rows.
 *
 * A stream is a schema message, the dictionary messages, record batches and an end marker.
 * Workers encode blocks independently, so each block's encoding is cut into its head
 * (schema and dictionaries, written once per stream) and its record batch messages; the
 * dictionaries are the scenario's categories, identical in every block, so the replacement
 * dictionaries Arrow JS writes before later batches are dropped.
 */
import { Message, MessageHeader, RecordBatch, Table, tableToIPC } from 'apache-arrow';
import type { ColumnSet } from '../columns/columns.js';
import { shardTable } from './arrow-table.js';
import type { EncodedRows } from './text-rows.js';

/** The end-of-stream marker: a continuation token and a zero metadata length. */
export const ARROW_STREAM_END = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

/** Rows [from, to) of a shard, as views of its columns. */
function sliceColumns(s: ColumnSet, from: number, to: number): ColumnSet {
  return {
    rows: to - from,
    timestamp: s.timestamp.subarray(2 * from, 2 * to),
    isAnomaly: s.isAnomaly.subarray(from, to),
    anomalyId: s.anomalyId.subarray(2 * from, 2 * to),
    values: s.values.map((v) => {
      const wide = v.dtype === 'int64' ? 2 : 1;
      return { ...v, data: v.data.subarray(wide * from, wide * to), ...(v.valid ? { valid: v.valid.subarray(from, to) } : {}) };
    }),
  };
}

/** An encoded block: the stream head, and the record batches with the end of each. */
export interface ArrowStreamRows extends EncodedRows {
  head: Uint8Array;
}

/** Rows [from, to) of a shard as record batches of `unitRows` rows (the last may be shorter). */
export function encodeArrowStreamRows(s: ColumnSet, from: number, to: number, unitRows: number): ArrowStreamRows {
  const batches: RecordBatch[] = [];
  for (let a = from; a < to; a += unitRows) batches.push(...shardTable(sliceColumns(s, a, Math.min(to, a + unitRows))).batches);
  const table = new Table(batches[0]?.schema ?? shardTable(sliceColumns(s, 0, 0)).schema, batches);
  return splitStream(tableToIPC(table, 'stream'));
}

/** Cuts an IPC stream into its head and its record batch messages (see the module note). */
function splitStream(ipc: Uint8Array): ArrowStreamRows {
  const view = new DataView(ipc.buffer, ipc.byteOffset, ipc.byteLength);
  const parts: Array<{ start: number; end: number }> = [];
  let headEnd = -1;
  let off = 0;
  while (off + 8 <= ipc.length) {
    const metaLength = view.getInt32(off + 4, true);
    if (metaLength === 0) break;
    const message = Message.decode(ipc.subarray(off + 8, off + 8 + metaLength));
    const end = off + 8 + metaLength + Number(message.bodyLength);
    if (message.headerType === MessageHeader.RecordBatch) {
      if (headEnd < 0) headEnd = off;
      parts.push({ start: off, end });
    }
    off = end;
  }
  if (headEnd < 0) headEnd = off;
  const bodyLength = parts.reduce((n, p) => n + p.end - p.start, 0);
  const bytes = new Uint8Array(bodyLength);
  const ends = new Uint32Array(parts.length);
  let at = 0;
  parts.forEach((p, k) => {
    bytes.set(ipc.subarray(p.start, p.end), at);
    at += p.end - p.start;
    ends[k] = at;
  });
  return { head: ipc.slice(0, headEnd), bytes, ends };
}
