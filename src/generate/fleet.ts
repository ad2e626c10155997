/**
 * Generation of one fleet shard: entities [entityStart, entityEnd) × rows [rowStart,
 * rowEnd). Each entity's rows are generated exactly as its own scenario's
 * (fleet/entity.ts) — so an entity's series is the same in any shard, any layout and
 * alone — and copied into the shard's columns in the fleet's order: entity-major
 * (`entity_time`) or timestamp-major (`time_entity`). The key column comes first among
 * the value columns.
 */
import type { Scenario } from '../model/types.js';
import { ColumnArena, allocColumn, type ColumnData, type ValueColumn } from '../columns/columns.js';
import { entityScenarios, fleetOf } from '../fleet/entity.js';
import { checkFinite } from './finite.js';
import { generateShard, retriesIn, timestampsOf, type PipelineSlot, type Retries, type ShardColumns } from './shard.js';
import { eventsOverlapping, eventsStartingIn, type AnomalyEvent } from '../anomaly/events.js';
import { seedKey } from '../random/counter.js';
import { endRow } from '../model/types.js';
import { hits, outagesOverlapping } from '../fleet/outages.js';
import { applyOutages } from './outage-apply.js';
import { CLEAN_SUFFIX, twinnedVariables } from '../anomaly/kinds/clean-twin.js';

/** A fleet shard's rectangle. */
export interface FleetShardRect {
  entityStart: number;
  entityEnd: number;
  rowStart: number;
  rowEnd: number;
}

/** An event of one entity: the entity's index beside the event. */
export interface EntityEvent extends AnomalyEvent {
  entity: number;
}

export interface FleetShardColumns extends ShardColumns {
  events: EntityEvent[];
}

/**
 * An entity whose events start in some rows: its scenario (fleet/entity.ts) and those
 * events as placed, before `min_effect` settles them — what the segment table measures.
 */
export interface EntityStarts {
  entity: number;
  scenario: Scenario;
  placed: AnomalyEvent[];
}

/** Entity `entity` (its scenario `one`) with its events starting in rows [rowStart, rowEnd), or null when none do. */
export function entityStarts(entity: number, one: Scenario, rowStart: number, rowEnd: number): EntityStarts | null {
  if (one.anomalies.mode === 'none') return null;
  const placed = eventsStartingIn(one.anomalies, seedKey(one.seed), endRow(one.timeline), rowStart, rowEnd);
  return placed.length > 0 ? { entity, scenario: one, placed } : null;
}

/** Copies `n` elements (of `width` array slots each) from src[from..] to out at a stride. */
function scatter(src: ColumnData | Int32Array, out: ColumnData | Int32Array, width: number, n: number, start: number, stride: number, from = 0): void {
  if (stride === 1) {
    // The whole source (an entity's column) without a view made for it.
    out.set(from === 0 && n * width === src.length ? src : src.subarray(from * width, (from + n) * width), start * width);
    return;
  }
  for (let i = 0; i < n; i++) {
    const o = (start + i * stride) * width;
    const s = (from + i) * width;
    for (let w = 0; w < width; w++) out[o + w] = src[s + w]!;
  }
}

const WIDTH: Record<string, number> = { int64: 2 };

/**
 * An entity's columns with the fleet's twins (`twinned`, in order) after its variables:
 * its own twin where it has one, otherwise — an outage target no anomaly reaches — a copy
 * of the variable as generated, before outages move it.
 */
function withOutageTwins(values: ValueColumn[], twinned: readonly string[]): ValueColumn[] {
  const byName = new Map(values.map((c) => [c.name, c]));
  const variables = values.filter((c) => !c.name.endsWith(CLEAN_SUFFIX) || !twinned.includes(c.name.slice(0, -CLEAN_SUFFIX.length)));
  const copy = (v: ValueColumn): ValueColumn => ({ name: v.name + CLEAN_SUFFIX, dtype: v.dtype, categories: v.categories, data: v.data.slice() });
  const twins = twinned.map((n) => byName.get(n + CLEAN_SUFFIX) ?? copy(byName.get(n)!));
  return [...variables, ...twins];
}

/** A fleet shard being generated: what each entity's rows need and where they go. */
interface ShardInProgress {
  scenario: Scenario;
  rect: FleetShardRect;
  arena: ColumnArena | undefined;
  out: ColumnArena | undefined;
  retries: ReadonlyArray<Retries | undefined> | undefined;
  starting: EntityStarts[] | undefined;
  span: number;
  rows: number;
  stride: number;
  outages: ReturnType<typeof outagesOverlapping>;
  twins: string[] | undefined;
  timestamp: Int32Array;
  isAnomaly: Uint8Array;
  anomalyId: Int32Array;
  keyData: Int32Array;
  events: EntityEvent[];
  names: boolean;
  entityScenario: (index: number) => Scenario;
  timestamps: Int32Array;
  /** The pipeline compiled for the first entity, rebound for each next (generate/pipeline.ts). */
  pipeline: PipelineSlot;
  /** The value columns, made from the first entity's. */
  values: ValueColumn[] | undefined;
}

/**
 * Generates the shard's `j`th entity and copies its rows in. A function of its own rather
 * than the body of generateFleetShard's loop: it is what each worker optimizes, and a
 * deoptimization in it (its first shards' types settling) recompiles it alone, not the
 * whole shard's set-up around it.
 */
function addEntity(shard: ShardInProgress, j: number): void {
  const { scenario, rect, span, rows, stride, out, starting } = shard;
  const e = rect.entityStart + j;
  const one = shard.entityScenario(e);
  const placed = eventsOverlapping(one, rect.rowStart, rect.rowEnd);
  if (starting && placed.length > 0) {
    // Those starting in the rows are what entityStarts places: placement is local (anomaly/events.ts).
    const st = placed.filter((ev) => ev.start >= rect.rowStart);
    // A store at the end rather than push(): each shard's list starts empty (an array of
    // small integers to V8), and an optimized push of an object into it deoptimized.
    if (st.length > 0) starting[starting.length] = { entity: e, scenario: one, placed: st };
  }
  const cols = generateShard(one, rect.rowStart, rect.rowEnd, retriesIn(shard.retries?.[j], rect.rowStart, rect.rowEnd), shard.arena, { placed, timestamps: shard.timestamps, pipeline: shard.pipeline });
  if (shard.twins) cols.values = withOutageTwins(cols.values, shard.twins);
  if (shard.outages.length > 0) {
    const hit = shard.outages.filter((o) => hits(scenario, o, e));
    if (hit.length > 0) applyOutages(scenario, one, cols, rect.rowStart, rect.rowEnd, hit);
  }
  if (!one.allowNonFinite) checkFinite(cols, rect.rowStart, one.seed);
  const start = stride === 1 ? j * span : j;
  let values = shard.values;
  if (!values) {
    // A plain loop, not map(): see generate/rows.ts (this code runs every entity).
    values = shard.values = [];
    for (const c of cols.values) {
      const data = out ? out.column(c.dtype, rows, false) : allocColumn(c.dtype, rows);
      const valid = c.valid ? (out ? out.take(Uint8Array, rows, false) : new Uint8Array(rows)) : undefined;
      values.push(valid ? { name: c.name, dtype: c.dtype, categories: c.categories, data, valid } : { name: c.name, dtype: c.dtype, categories: c.categories, data });
    }
  }
  scatter(cols.timestamp, shard.timestamp, 2, span, start, stride);
  scatter(cols.isAnomaly, shard.isAnomaly, 1, span, start, stride);
  scatter(cols.anomalyId, shard.anomalyId, 2, span, start, stride);
  // A string key holds the name's index in this shard's dictionary; an integer key the entity.
  const code = shard.names ? j : e;
  const keyData = shard.keyData;
  if (stride === 1) keyData.fill(code, start, start + span);
  else for (let i = 0; i < span; i++) keyData[start + i * stride] = code;
  for (let k = 0; k < cols.values.length; k++) {
    const c = cols.values[k]!;
    const v = values[k]!;
    scatter(c.data, v.data, WIDTH[c.dtype] ?? 1, span, start, stride);
    if (c.valid) scatter(c.valid, v.valid!, 1, span, start, stride);
  }
  for (const ev of cols.events) shard.events.push({ ...ev, entity: e });
}

/**
 * Generates a fleet shard. `arena` (a worker's reused buffers) holds one entity's rows at a
 * time; `out` (a second arena) holds the shard's columns, valid until its next reset;
 * `retries` are each entity's uniqueness retries (run/fleet-uniqueness.ts). Given
 * `starting`, it receives each entity whose events start in the shard (`entityStarts`), so
 * that measuring them for the segment table does not build every entity's scenario again.
 */
export function generateFleetShard(scenario: Scenario, rect: FleetShardRect, arena?: ColumnArena, out?: ColumnArena, retries?: ReadonlyArray<Retries | undefined>, starting?: EntityStarts[]): FleetShardColumns {
  const fleet = fleetOf(scenario);
  const entities = rect.entityEnd - rect.entityStart;
  const span = rect.rowEnd - rect.rowStart;
  const rows = entities * span;
  out?.reset();
  const take = <T extends Int32Array | Uint8Array>(ctor: { new (n: number): T }, n: number): T => (out ? (out.take(ctor as never, n, false) as T) : new ctor(n));
  const timestamp = take(Int32Array, 2 * rows);
  const isAnomaly = take(Uint8Array, rows);
  const anomalyId = take(Int32Array, 2 * rows);
  const keyData = take(Int32Array, rows);
  const key: ValueColumn = {
    name: fleet.key,
    dtype: fleet.names ? 'string' : 'int32',
    data: keyData,
    // A string key's dictionary holds this shard's names only (in entity order).
    categories: fleet.names ? fleet.names.slice(rect.entityStart, rect.entityEnd) : null,
  };
  const events: EntityEvent[] = [];
  // entity_time: entity j's rows start at j·span, one apart; time_entity: at j, `entities` apart.
  const stride = fleet.order === 'entity_time' ? 1 : entities;
  const outages = fleet.outages ? outagesOverlapping(scenario, rect.rowStart, rect.rowEnd) : [];
  // The fleet's twins include outage targets that an entity alone does not twin.
  const twins = fleet.outages && scenario.anomalies.cleanTwin ? twinnedVariables(scenario).map((v) => v.name) : undefined;
  const shard: ShardInProgress = {
    scenario, rect, arena, out, retries, starting, span, rows, stride, outages, twins, timestamp, isAnomaly, anomalyId, keyData, events,
    names: !!fleet.names,
    entityScenario: entityScenarios(scenario, rect.entityStart, rect.entityEnd),
    // Every entity has the fleet's timeline: its rows' timestamps are made once.
    timestamps: timestampsOf(scenario, rect.rowStart, span, out),
    pipeline: {},
    values: undefined,
  };
  for (let j = 0; j < entities; j++) addEntity(shard, j);
  const values = shard.values;
  return { rowStart: rect.rowStart, rows, timestamp, isAnomaly, anomalyId, values: [key, ...(values ?? [])], events };
}
