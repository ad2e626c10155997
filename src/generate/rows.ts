/**
 * Generation of rows [rowStart, rowEnd) of the timeline into typed arrays, with the events
 * already decided (generate/shard.ts places and settles them). Works block by block with
 * one reused scratch buffer; every value depends only on its coordinates and the events,
 * so the result is the same whichever shard the rows fall in (D2).
 */
import { lowerBound } from '../math/search.js';
import { BLOCK_ROWS } from '../format.js';
import type { AnomalyEvent } from '../anomaly/events.js';
import { seedKey } from '../random/counter.js';
import type { Scenario } from '../model/types.js';
import { jitterOffsets } from '../model/row-time.js';
import { allocColumn, putInt64, putInt64Steps, type ColumnArena, type ColumnSet, type ValueColumn } from '../columns/columns.js';
import { compileVariable } from '../variables/registry.js';
import { compileShardPipeline, type PipelineContext, type ShardPipeline } from './pipeline.js';
import { cleanTwinColumns, withoutAnomalies, withoutCleanTwin } from '../anomaly/kinds/clean-twin.js';
import type { CleanRows } from '../anomaly/kinds/learned.js';

export interface ShardColumns extends ColumnSet {
  rowStart: number;
  /** Events that overlap this shard. */
  events: AnomalyEvent[];
}

/** Rows of the scenario without anomalies: the clean context of `learned` events. */
export function cleanRowsOf(scenario: Scenario): CleanRows {
  // Made when first asked for: only learned and shape kinds ask, and a fleet compiles a
  // pipeline (with this closure) for every entity.
  let clean: Scenario | undefined;
  return (from, to) => generateRows((clean ??= withoutAnomalies(withoutCleanTwin(scenario))), from, to, []).values;
}

const NO_KEYS: ReadonlySet<string> = new Set();

/** Rows that uniqueness resolved to later attempts (ascending), with their attempts. */
export interface Retries {
  rows: readonly number[];
  attempts: readonly number[];
}

/** The retries falling in [from, to). */
export function retriesIn(r: Retries | undefined, from: number, to: number): Retries | undefined {
  if (!r || r.rows.length === 0) return undefined;
  const lo = lowerBound(r.rows, from);
  const end = lowerBound(r.rows, to, lo);
  return end > lo ? { rows: r.rows.slice(lo, end), attempts: r.attempts.slice(lo, end) } : undefined;
}

/**
 * Generates rows [rowStart, rowEnd) with the given events (those overlapping the rows, in
 * start order) — what generateShard does once the events are settled, and what measuring
 * one event's attempt needs. `timestamps`, when given, are these rows' timestamp column
 * already made (a fleet shard's entities share it); `slot`, the pipeline of the fleet
 * shard's earlier entities over the same rows, rebound for this one (pipelineFor).
 */
export function generateRows(scenario: Scenario, rowStart: number, rowEnd: number, events: AnomalyEvent[], retries?: Retries, arena?: ColumnArena, timestamps?: Int32Array, slot?: PipelineSlot): ShardColumns {
  const rows = rowEnd - rowStart;
  const key = seedKey(scenario.seed);
  arena?.reset();

  const isAnomaly = arena ? arena.take(Uint8Array, rows) : new Uint8Array(rows);
  const anomalyId = arena ? arena.take(Int32Array, 2 * rows) : new Int32Array(2 * rows);
  markEvents(events, rowStart, rowEnd, isAnomaly, anomalyId);
  const timestamp = timestamps ?? timestampsOf(scenario, rowStart, rows, arena);

  const keyVars = scenario.uniqueness ? new Set(scenario.uniqueness.key) : NO_KEYS;
  // Generation order (callbacks' `after:`), anomaly kinds over event windows and nullable
  // (dropout) columns: generate/pipeline.ts.
  const ctx: PipelineContext = {
    scenario,
    key,
    compile: (v) => compileVariable(v, { scenario, key, retried: keyVars.has(v.name) }),
    // One row of an event that starts before these rows: the same events, so the same bits.
    evaluateRow: (row) => generateRows(withoutCleanTwin(scenario), row, row + 1, events.filter((e) => e.start <= row && e.end > row), retriesIn(retries, row, row + 1)).values,
    cleanRows: cleanRowsOf(scenario),
  };
  const pipeline = pipelineFor(ctx, rowStart, rows, slot);
  // Plain loops, not map(): arrays made by an optimized map() and by the builtin one have
  // different maps, and code optimized for one deoptimized on the other at every shard.
  const values: ValueColumn[] = [];
  const columns = new Map<string, ValueColumn>();
  for (const v of scenario.variables) {
    const valid = pipeline.validity.get(v.name);
    // Stochastic fills write every row (variables/stochastic.ts); other kinds get zeroed memory.
    const data = arena ? arena.column(v.dtype, rows, v.type !== 'stochastic') : allocColumn(v.dtype, rows);
    const c: ValueColumn = valid ? { name: v.name, dtype: v.dtype, data, categories: v.categories, valid } : { name: v.name, dtype: v.dtype, data, categories: v.categories };
    values.push(c);
    columns.set(v.name, c);
  }
  const scratch = arena ? arena.take(Float64Array, Math.min(BLOCK_ROWS, rows), false) : new Float64Array(Math.min(BLOCK_ROWS, rows));
  for (let off = 0; off < rows; off += BLOCK_ROWS) {
    const count = Math.min(BLOCK_ROWS, rows - off);
    const from = rowStart + off;
    const block = { rowStart: from, count, anomalous: isAnomaly.subarray(off, off + count), events, columns, offset: off, scratch, retries: retriesIn(retries, from, from + count) };
    for (const c of pipeline.steps) c.fill(block, columns.get(c.variable.name)!.data);
  }
  values.push(...cleanTwinColumns(scenario, (clean) => generateRows(clean, rowStart, rowEnd, [], retries)));
  return { rowStart, rows, timestamp, isAnomaly, anomalyId, values, events };
}

/**
 * Where a fleet shard keeps the pipeline its entities share: compiled for its first entity
 * and rebound for each next one (generate/pipeline.ts), over the shard's rows.
 */
export interface PipelineSlot {
  pipeline?: ShardPipeline;
  rowStart?: number;
  rows?: number;
}

/** The pipeline of `ctx` over rows [rowStart, rowStart + rows): the slot's, rebound, when it can be. */
function pipelineFor(ctx: PipelineContext, rowStart: number, rows: number, slot?: PipelineSlot): ShardPipeline {
  const held = slot?.pipeline;
  if (held?.rebind && slot!.rowStart === rowStart && slot!.rows === rows) {
    held.rebind(ctx);
    return held;
  }
  const pipeline = compileShardPipeline(rowStart, rows, ctx);
  if (slot) Object.assign(slot, { pipeline, rowStart, rows });
  return pipeline;
}

// The per-row loops of generateRows live in small functions of their own: a loop over a
// shard's rows inside generateRows would get the whole function (with everything it
// inlines) compiled on the stack, and compiled again in every worker.

/** Labels the rows of [rowStart, rowEnd) that the events cover, with each event's id. */
function markEvents(events: readonly AnomalyEvent[], rowStart: number, rowEnd: number, isAnomaly: Uint8Array, anomalyId: Int32Array): void {
  for (const e of events) {
    const a = Math.max(e.start, rowStart) - rowStart;
    const b = Math.min(e.end, rowEnd) - rowStart;
    isAnomaly.fill(1, a, b);
    for (let i = a; i < b; i++) putInt64(anomalyId, i, e.id);
  }
}

/** The timestamp column of rows [rowStart, rowStart + rows) (in `arena` when given). */
export function timestampsOf(scenario: Scenario, rowStart: number, rows: number, arena?: ColumnArena): Int32Array {
  const timestamp = arena ? arena.take(Int32Array, 2 * rows, false) : new Int32Array(2 * rows);
  const t = scenario.timeline;
  if (t.jitter) {
    const jitter = jitterOffsets(t.jitter, rowStart, rows);
    for (let i = 0; i < rows; i++) putInt64(timestamp, i, t.startMs + (rowStart + i) * t.stepMs + jitter[i]!);
  } else fillTimestamps(timestamp, rowStart, rows, t.startMs, t.stepMs);
  return timestamp;
}

/** Epoch ms of rows [rowStart, rowStart + rows) as int64 pairs. */
function fillTimestamps(timestamp: Int32Array, rowStart: number, rows: number, startMs: number, stepMs: number): void {
  // Exact integers throughout (so the same values as the loop below): stepped in int32s.
  if (Number.isSafeInteger(startMs) && Number.isSafeInteger((rowStart + rows) * stepMs) && putInt64Steps(timestamp, rows, startMs + rowStart * stepMs, stepMs)) return;
  for (let i = 0; i < rows; i++) putInt64(timestamp, i, startMs + (rowStart + i) * stepMs);
}
