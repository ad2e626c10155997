/**
 * The segment table (anomalies.parquet): one row per anomaly event, with its id (= start
 * row), kind, first and last row, their timestamps, the drawn and realised lengths, whether
 * the end of the timeline cut it, and the variables it affects; with anomaly kinds, also
 * the parameters drawn for it (JSON; null for events without a kind); then its effect
 * (effect_rms, effect_max: anomaly/effect.ts), how many of its rows it changed, and with
 * `min_effect` the attempt it settled on.
 */
import { Bool, Field, Float64, Int32, Int64, makeData, RecordBatch, Schema, Struct, Table, TimestampMillisecond, Utf8, vectorFromArray, type Data } from 'apache-arrow';
import type { AnomalyEvent } from '../anomaly/events.js';
import type { Segment } from '../anomaly/effect.js';
import type { Scenario } from '../model/types.js';
import { putInt64 } from '../columns/columns.js';
import { packBits } from '../formats/arrow-table.js';
import { describeEvents, hasKindParams, type EventDescription } from '../anomaly/kinds/describe.js';
import type { CleanRows } from '../anomaly/kinds/learned.js';
import { rowTimeMs } from '../model/row-time.js';

/**
 * A fleet's segment table: each event's entity (the key column, first) and its
 * description, made with that entity's own scenario. With outages, each outage is one row
 * with no entity, and an `entities` column lists the keys it hit (null for entity events).
 */
export interface FleetSegments {
  key: string;
  /** The key column's type: names (utf8) or indices (int32). */
  names: boolean;
  /** The key of each segment's entity; null for an outage. */
  keys: Array<string | number | null>;
  described: EventDescription[];
  /** With outages: each segment's entities hit (comma-separated keys), null for entity events. */
  hit?: Array<string | null>;
}

/** The segment table of the kept events; `cleanRows` generates clean rows for learned events' figures. */
export function segmentTable(scenario: Scenario, segments: readonly Segment[], cleanRows?: CleanRows, fleet?: FleetSegments): Table {
  const events = segments.map((s) => s.event);
  const n = events.length;
  const ints = (f: (e: AnomalyEvent, i: number) => number) => {
    const a = new Int32Array(2 * n);
    events.forEach((e, i) => putInt64(a, i, f(e, i)));
    return new BigInt64Array(a.buffer);
  };
  // Per event: the variables it changes and, with anomaly kinds, its drawn parameters.
  const described = fleet ? fleet.described : events.map(describeEvents(scenario, cleanRows));
  const withParams = hasKindParams(scenario);
  const withAttempt = scenario.anomalies.mode !== 'none' && scenario.anomalies.minEffect !== undefined;
  const fields = [
    ...(fleet ? [new Field(fleet.key, fleet.names ? new Utf8() : new Int32(), fleet.hit !== undefined)] : []),
    new Field('id', new Int64(), false),
    new Field('kind', new Utf8(), false),
    new Field('start_row', new Int64(), false),
    new Field('end_row', new Int64(), false),
    new Field('start_time', new TimestampMillisecond('UTC'), false),
    new Field('end_time', new TimestampMillisecond('UTC'), false),
    new Field('duration_rows', new Int64(), false),
    new Field('rows', new Int64(), false),
    new Field('truncated', new Bool(), false),
    new Field('variables', new Utf8(), false),
    ...(fleet?.hit ? [new Field('entities', new Utf8(), true)] : []),
    ...(withParams ? [new Field('params', new Utf8(), true)] : []),
    new Field('effect_rms', new Float64(), false),
    new Field('effect_max', new Float64(), false),
    new Field('changed_rows', new Int64(), false),
    ...(withAttempt ? [new Field('attempt', new Int64(), false)] : []),
  ];
  const schema = new Schema(fields);
  const children: Data[] = [
    ...(fleet ? [vectorFromArray(fleet.keys, fleet.names ? new Utf8() : new Int32()).data[0]!] : []),
    makeData({ type: new Int64(), length: n, data: ints((e) => e.id) }),
    vectorFromArray(events.map((e) => e.kind), new Utf8()).data[0]!,
    makeData({ type: new Int64(), length: n, data: ints((e) => e.start) }),
    makeData({ type: new Int64(), length: n, data: ints((e) => e.end - 1) }),
    makeData({ type: new TimestampMillisecond('UTC'), length: n, data: ints((e) => rowTimeMs(scenario.timeline, e.start)) }),
    makeData({ type: new TimestampMillisecond('UTC'), length: n, data: ints((e) => rowTimeMs(scenario.timeline, e.end - 1)) }),
    makeData({ type: new Int64(), length: n, data: ints((e) => e.duration) }),
    makeData({ type: new Int64(), length: n, data: ints((e) => e.end - e.start) }),
    makeData({ type: new Bool(), length: n, data: packBits(Uint8Array.from(events, (e) => (e.truncated ? 1 : 0))) }),
    vectorFromArray(described.map((d) => d.variables), new Utf8()).data[0]!,
    ...(fleet?.hit ? [vectorFromArray(fleet.hit, new Utf8()).data[0]!] : []),
    ...(withParams ? [vectorFromArray(described.map((d) => d.params), new Utf8()).data[0]!] : []),
    makeData({ type: new Float64(), length: n, data: Float64Array.from(segments, (s) => s.effect.rms) }),
    makeData({ type: new Float64(), length: n, data: Float64Array.from(segments, (s) => s.effect.max) }),
    makeData({ type: new Int64(), length: n, data: ints((_, i) => segments[i]!.changedRows) }),
    ...(withAttempt ? [makeData({ type: new Int64(), length: n, data: ints((e) => e.attempt ?? 0) })] : []),
  ];
  return new Table(schema, [new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, children, nullCount: 0 }))]);
}
