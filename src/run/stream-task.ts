/**
 * One block of a stream, as a worker runs it: generate rows [rowStart, rowEnd), encode them
 * in the stream's format, and hand the bytes back by transfer (no copy). The main thread
 * writes the blocks in row order (run/stream.ts).
 */
import { createRequire } from 'node:module';
import { errorData, type ErrorData } from '../errors.js';
import { generateShard, type Retries } from '../generate/shard.js';
import { ColumnArena } from '../columns/columns.js';
import { csvHeader, encodeCsvRows } from '../formats/csv.js';
import { encodeNdjsonRows } from '../formats/ndjson.js';
import { encodeArrowStreamRows } from '../formats/arrow-stream.js';
import type { EncodedRows } from '../formats/text-rows.js';
import type { Scenario } from '../model/types.js';
import { prepareScenario } from '../variables/registry.js';
import type { CarriesSources } from '../variables/source-share.js';

/** Formats a stream can carry (Parquet needs its footer, so it cannot be streamed). */
export type StreamFormat = 'csv' | 'ndjson' | 'arrow';

export interface StreamTask extends CarriesSources {
  type: 'stream';
  scenario: Scenario;
  rowStart: number;
  rowEnd: number;
  format: StreamFormat;
  /** Rows per pacing unit: a line for text formats, a record batch for Arrow. */
  unitRows: number;
  retries?: Retries | undefined;
}

/**
 * An encoded block. `bytes` holds the stream head (CSV header, Arrow schema and
 * dictionaries; written once per stream) followed by the rows; `ends` are the offsets, from
 * the end of the head, just past each unit of rows.
 */
export interface StreamBlock {
  ok: true;
  rowStart: number;
  rowEnd: number;
  anomalousRows: number;
  headLength: number;
  bytes: Uint8Array;
  ends: Uint32Array;
}

export type StreamBlockResult = StreamBlock | { ok: false; error: ErrorData };

const arena = new ColumnArena();
const utf8 = new TextEncoder();

function encode(task: StreamTask): StreamBlock {
  const columns = generateShard(task.scenario, task.rowStart, task.rowEnd, task.retries, arena);
  let anomalousRows = 0;
  for (let i = 0; i < columns.rows; i++) anomalousRows += columns.isAnomaly[i]!;
  const n = columns.rows;
  let head: Uint8Array;
  let rows: EncodedRows;
  if (task.format === 'arrow') ({ head, ...rows } = encodeArrowStreamRows(columns, 0, n, task.unitRows));
  else {
    head = task.format === 'csv' ? utf8.encode(csvHeader(columns.values) + '\n') : new Uint8Array(0);
    rows = task.format === 'csv' ? encodeCsvRows(columns, 0, n, task.unitRows) : encodeNdjsonRows(columns, 0, n, task.unitRows);
  }
  // One exact-size buffer, so the transfer moves nothing else.
  const bytes = new Uint8Array(head.length + rows.bytes.length);
  bytes.set(head, 0);
  bytes.set(rows.bytes, head.length);
  return { ok: true, rowStart: task.rowStart, rowEnd: task.rowEnd, anomalousRows, headLength: head.length, bytes, ends: rows.ends };
}

/**
 * Piscina, required on a stream's first block rather than imported: a shard worker that
 * runs no stream never loads it (its own worker script has what it needs), which takes
 * several milliseconds off every worker's start.
 */
let piscina: typeof import('piscina').Piscina | undefined;

export async function runStreamTask(task: StreamTask): Promise<unknown> {
  try {
    const Piscina = (piscina ??= (createRequire(import.meta.url)('piscina') as typeof import('piscina')).Piscina);
    await prepareScenario(task.scenario);
    const block = encode(task);
    // Piscina moves the listed buffers of a value that carries its transfer symbols.
    const movable = { [Piscina.transferableSymbol]: [block.bytes.buffer, block.ends.buffer], [Piscina.valueSymbol]: block };
    return Piscina.move(movable as unknown as Parameters<typeof Piscina.move>[0]);
  } catch (err) {
    const result: StreamBlockResult = { ok: false, error: errorData(err, { seed: task.scenario.seed, rowStart: task.rowStart, rowEnd: task.rowEnd }) };
    return result;
  }
}
