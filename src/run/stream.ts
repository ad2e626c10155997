/**
 * `generate --stdout`: the rows of a scenario, in row (= timestamp) order, as one byte
 * stream. Blocks of the fixed block grid are generated and encoded by the worker pool, a few
 * ahead of the writer; the main thread writes them in order through the block sink
 * (backpressure, pacing, a closed pipe). Memory is bounded by the blocks in flight
 * (workers + 2), whatever the row count and however slow the reader.
 *
 * Rows are counter-based (D1), so a stream can start at any row without generating the
 * rows before it; only uniqueness, whose meaning depends on every earlier row, still runs
 * its fingerprint pass from row 0.
 */
import { withCleanTwin } from '../anomaly/kinds/clean-twin.js';
import type { Writable } from 'node:stream';
import { BLOCK_ROWS } from '../format.js';
import { ParanomError } from '../errors.js';
import { loadScenario, withOverrides } from '../reader/load.js';
import type { Scenario } from '../model/types.js';
import { parseInstantMs } from '../model/units.js';
import { planGeneration, type ShardPlan } from '../plan/planner.js';
import { ARROW_STREAM_END } from '../formats/arrow-stream.js';
import { createPool, defaultWorkers } from './pool.js';
import { startUniqueness } from './uniqueness-pass.js';
import { BlockSink, StreamClosed } from './block-sink.js';
import { Pacer, type Pace } from './pacer.js';
import { writeStreamLabels } from './stream-labels.js';
import type { StreamBlockResult, StreamBlock, StreamFormat, StreamTask } from './stream-task.js';
import { sourceShares } from '../variables/source-share.js';
import { checkRunCounts } from './run-counts.js';

export type { StreamFormat } from './stream-task.js';
export type { Pace } from './pacer.js';

export interface StreamOptions {
  /** Where the bytes go (process.stdout for the CLI). */
  out: Writable;
  format: StreamFormat;
  rows?: number | undefined;
  seed?: number | undefined;
  /** Also stream `<name>_clean` beside each anomaly-affected variable (its values without anomalies). */
  withClean?: boolean | undefined;
  /** Worker threads (default: available cores). */
  workers?: number | undefined;
  /** First row to stream: a row index, or an ISO 8601 time (the first row at or after it). */
  startAt?: number | string | undefined;
  /** Pacing; unpaced streams go as fast as the reader takes them. */
  pace?: Pace | undefined;
  /** Also write the segment table of the streamed rows' events here (Parquet). */
  labelsTo?: string | undefined;
  /** Stops the stream: unpaced, after the block being written; paced, at the next row (Arrow: batch) due. */
  signal?: AbortSignal | undefined;
  onProgress?: ((rowsDone: number, rowsTotal: number) => void) | undefined;
}

export interface StreamResult {
  startRow: number;
  /** One past the last row written. */
  endRow: number;
  anomalousRows: number;
  /** True when the reader went away before the end (not an error). */
  closed: boolean;
  /** Events in the segment table written to `labelsTo`. */
  labelledEvents: number | null;
}

/** The first row of a stream: a row index, or the first row whose timestamp is at or after a time. */
export function startRowOf(scenario: Scenario, startAt: number | string | undefined): number {
  const rows = scenario.timeline.rows;
  if (startAt === undefined) return 0;
  let row: number;
  if (typeof startAt === 'number' || /^\d+$/.test(startAt)) {
    row = Number(startAt);
    if (!Number.isSafeInteger(row)) throw new ParanomError('USAGE', `--start-at: expected a row index or an ISO 8601 time, found '${startAt}'`);
  } else {
    // Without a zone the time is UTC, as in the scenario (Date.parse would take local time).
    const t = parseInstantMs(startAt);
    if (t === undefined) throw new ParanomError('USAGE', `--start-at: expected a row index or an ISO 8601 time (e.g. 2024-01-01T12:00:00Z), found '${startAt}'`);
    const { startMs, stepMs, start } = scenario.timeline;
    if (t < startMs) throw new ParanomError('USAGE', `--start-at ${startAt} is before the timeline's start (${start})`);
    // Timestamps are whole milliseconds: a time between two (…00.9995Z) lies past the one it was cut to.
    const past = /[.,]\d{3}\d*[1-9]/.test(startAt) ? 0.5 : 0;
    row = Math.ceil((t + past - startMs) / stepMs);
  }
  if (row >= rows) throw new ParanomError('USAGE', `--start-at ${startAt} is row ${row}, past the timeline's last row (${rows - 1})`);
  return row;
}

/** Rows per pacing unit: a line of text; an Arrow batch of about a tenth of a second. */
function unitRowsOf(format: StreamFormat, pace: Pace | undefined, stepMs: number): number {
  if (!pace) return BLOCK_ROWS;
  if (format !== 'arrow') return 1;
  return Math.max(1, Math.min(BLOCK_ROWS, Math.floor(Pacer.rowsPerSecond(pace, stepMs) / 10)));
}

/** Streams a scenario's rows to `options.out`. */
export async function streamRows(scenarioOrFile: Scenario | string, options: StreamOptions): Promise<StreamResult> {
  checkRunCounts(options);
  const loaded = typeof scenarioOrFile === 'string' ? loadScenario(scenarioOrFile) : scenarioOrFile;
  const scenario = withOverrides(options.withClean ? withCleanTwin(loaded) : loaded, { rows: options.rows, seed: options.seed });
  if (scenario.entities) throw new ParanomError('USAGE', `--stdout streams one series; this scenario is a fleet of ${scenario.entities.count} entities — write it as a dataset (--out; order: time_entity interleaves the entities by timestamp), or preview one entity with 'paranom preview --entity'`);
  const rows = scenario.timeline.rows;
  const startRow = startRowOf(scenario, options.startAt);
  const labelledEvents = options.labelsTo !== undefined ? await writeStreamLabels(options.labelsTo, scenario, startRow, options.signal) : null;
  if (options.signal?.aborted) throw new ParanomError('INTERRUPTED', `interrupted before the first row; --start-at ${startRow} continues the stream`, { endRow: startRow });

  // The stream's blocks: the block grid from startRow (the first block may be partial).
  const blocks: ShardPlan[] = [];
  for (let a = startRow, i = 0; a < rows; i++) {
    const b = Math.min(rows, (Math.floor(a / BLOCK_ROWS) + 1) * BLOCK_ROWS);
    blocks.push({ index: i, rowStart: a, rowEnd: b, file: '' });
    a = b;
  }
  const workers = Math.max(1, Math.min(options.workers ?? defaultWorkers(), blocks.length));
  const unitRows = unitRowsOf(options.format, options.pace, scenario.timeline.stepMs);
  const pacer = options.pace ? Pacer.of(options.pace, startRow, scenario.timeline.stepMs) : undefined;
  const sink = new BlockSink(options.out, unitRows, pacer);
  const sources = sourceShares(scenario);
  const pool = createPool(workers);
  const uniqueness = scenario.uniqueness ? startUniqueness(pool, scenario, planGeneration(scenario, { shardRows: BLOCK_ROWS }).shards, rows, workers) : undefined;

  const submit = async (block: ShardPlan): Promise<StreamBlock> => {
    const retries = uniqueness ? await uniqueness.retriesFor(block) : undefined;
    const task: StreamTask = { type: 'stream', scenario, rowStart: block.rowStart, rowEnd: block.rowEnd, format: options.format, unitRows, retries, sources };
    const r = (await pool.run(task)) as StreamBlockResult;
    if (!r.ok) {
      throw ParanomError.fromData(r.error, `rows ${block.rowStart}–${block.rowEnd - 1}, seed ${scenario.seed}`);
    }
    return r;
  };

  // Blocks in flight, in row order: their results wait here until the writer reaches them.
  const ahead = workers + 2;
  const queue: Array<Promise<StreamBlock>> = [];
  let next = 0;
  let endRow = startRow;
  let anomalousRows = 0;
  let closed = false;
  try {
    while (next < blocks.length || queue.length > 0) {
      while (queue.length < ahead && next < blocks.length && !options.signal?.aborted) {
        const p = submit(blocks[next++]!);
        p.catch(() => undefined); // awaited in order below; this keeps a later failure from being unhandled meanwhile
        queue.push(p);
      }
      if (queue.length === 0) break;
      const block = await queue.shift()!;
      endRow = await sink.write(block, options.signal);
      anomalousRows += block.anomalousRows;
      options.onProgress?.(endRow - startRow, rows - startRow);
      if (options.signal?.aborted) {
        // Whatever was written ends on a whole row (a whole batch): an Arrow stream gets its end marker so it reads as complete.
        if (options.format === 'arrow') await sink.finish(ARROW_STREAM_END);
        const where = endRow === startRow ? 'before the first row' : `after row ${endRow - 1}`;
        throw new ParanomError('INTERRUPTED', `interrupted ${where}; --start-at ${endRow} continues the stream`, { endRow });
      }
    }
    await sink.finish(options.format === 'arrow' ? ARROW_STREAM_END : undefined);
  } catch (err) {
    if (!(err instanceof StreamClosed)) throw err;
    closed = true;
  } finally {
    uniqueness?.stop();
    sink.detach();
    if (!closed) {
      // Tasks still running finish before the pool goes (no aborts: see run/run-plan.ts).
      await Promise.allSettled(queue);
      await uniqueness?.done.catch(() => undefined);
    }
    // With the reader gone nothing more is wanted: running blocks are dropped with their workers.
    await pool.destroy().catch(() => undefined);
  }
  return { startRow, endRow, anomalousRows, closed, labelledEvents };
}
