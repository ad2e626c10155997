/**
 * What became of a placed event: the attempt it settled on (`min_effect`), whether it was
 * kept, its effect (anomaly/effect.ts) and which of its rows it changed.
 *
 * Measuring an event generates, for that event alone, its rows with the event and the clean
 * rows of its context window: the event's drawn rows and CONTEXT_ROWS + duration rows on
 * each side (cut at row 0, and past the timeline's end only where a variable cannot give
 * rows — a source with `past_end: error`). The window depends on the event only, never on
 * the shard or on the timeline's length, so every shard that sees the event, the main
 * thread writing the segment table, and a grown dataset all get the same outcome (D2, D3).
 * Uniqueness retries are not applied: beside uniqueness the validator refuses `min_effect`
 * and `label: changed` where a measured value could depend on a key's attempt
 * (uniqueness/validate.ts).
 *
 * With `min_effect`, attempts run in order (anomaly/kinds/redraw.ts) until one's effect_rms
 * reaches the threshold; an event still below after `tries` attempts is dropped: its rows
 * are normal, it has no row in the segment table, and the manifest counts it.
 */
import type { AnomalyEvent } from '../anomaly/events.js';
import { combineEffects, contextWindow, robustScale, variableEffect, type Effect, type Segment } from '../anomaly/effect.js';
import { eventAttempt } from '../anomaly/kinds/redraw.js';
import { twinnedVariables, withoutAnomalies, withoutCleanTwin } from '../anomaly/kinds/clean-twin.js';
import { seedKey } from '../random/counter.js';
import type { Scenario, Variable } from '../model/types.js';
import { sourceRowLimit } from '../variables/source.js';
import { getInt64, type ValueColumn } from '../columns/columns.js';
import { generateRows } from './rows.js';

export { CONTEXT_ROWS } from '../anomaly/effect.js';

export interface EventOutcome {
  /** The event as generated: the settled attempt (its kind may differ from the placed one). */
  event: AnomalyEvent;
  /** False when no attempt reached `min_effect`: the event is dropped. */
  kept: boolean;
  /** Attempts made (1 without `min_effect`). */
  attempts: number;
  effect: Effect;
  /**
   * Per drawn row of the event: 1 when some variable's value differs from the clean one
   * (with `label: changed`, by at least `min_change` robust sd of the context).
   */
  changed: Uint8Array;
}

/** True when shards must settle events before generating (min_effect, label: changed). */
export function measuresEvents(s: Scenario): boolean {
  const a = s.anomalies;
  return a.mode !== 'none' && (a.minEffect !== undefined || a.label === 'changed');
}

/** Outcomes by scenario (its variables array, shared by the scenario's derived forms) and event. */
const cache = new WeakMap<readonly Variable[], Map<string, EventOutcome>>();
const CACHE_LIMIT = 4096;

/** The outcome of a placed event (pure: the same in every thread and layout). */
export function eventOutcome(s: Scenario, e: AnomalyEvent): EventOutcome {
  let byEvent = cache.get(s.variables);
  if (!byEvent) cache.set(s.variables, (byEvent = new Map()));
  const id = `${s.seed}:${e.id}:${e.duration}:${e.spec}`;
  let o = byEvent.get(id);
  if (!o) {
    o = settle(s, e);
    if (byEvent.size >= CACHE_LIMIT) byEvent.clear();
    byEvent.set(id, o);
  }
  return o;
}

function settle(s: Scenario, placed: AnomalyEvent): EventOutcome {
  const a = s.anomalies;
  const min = a.mode !== 'none' ? a.minEffect : undefined;
  if (!min) return { event: placed, kept: true, attempts: 1, ...measureEvent(s, placed) };
  const key = seedKey(s.seed);
  let first: ReturnType<typeof measureEvent> | undefined;
  for (let t = 0; t < min.tries; t++) {
    const event = eventAttempt(a, key, placed, t, min.tries);
    const m = measureEvent(s, event);
    first ??= m;
    if (m.effect.rms >= min.threshold) return { event, kept: true, attempts: t + 1, ...m };
  }
  return { event: placed, kept: false, attempts: min.tries, ...first! };
}

/** The last row + 1 every variable can generate (Infinity for most scenarios). */
function rowLimit(s: Scenario): number {
  let limit = Infinity;
  for (const v of s.variables) if (v.type === 'source') limit = Math.min(limit, sourceRowLimit(v, s.timeline, s.baseDir));
  return limit;
}

function cell(c: ValueColumn, i: number): number {
  return c.dtype === 'int64' ? getInt64(c.data as Int32Array, i) : c.data[i]!;
}

/**
 * Rows [0, n) of a column as doubles. A loop, not `Float64Array.from({ length }, …)`, which
 * reads every index of the array-like through a generic property lookup.
 */
function cells(c: ValueColumn, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = cell(c, i);
  return out;
}

const NUMERIC = new Set(['float64', 'float32', 'int32', 'int64']);

/** The scenario an event is measured with, by scenario. */
const measuredForms = new WeakMap<Scenario, Scenario>();

/**
 * What measuring an event needs generated: the scenario without its clean twin and, when
 * every variable is stochastic and events take each variable's `anomalous` definition
 * (no anomaly kinds), only the variables an event changes — each one's values come from
 * its own stream (D4), so leaving the others out changes none of them. Callbacks read
 * other columns, processes and kinds may too: then every variable is generated.
 */
function measuredForm(s: Scenario): Scenario {
  let m = measuredForms.get(s);
  if (!m) {
    const plain = withoutCleanTwin(s);
    const a = plain.anomalies;
    const independent = a.mode !== 'none' && !a.kinds && plain.variables.every((v) => v.type === 'stochastic');
    const twinned = independent ? twinnedVariables(plain) : plain.variables;
    m = twinned.length === plain.variables.length ? plain : { ...plain, variables: twinned };
    measuredForms.set(s, m);
  }
  return m;
}

/**
 * Sets changed[i] for the event's rows i in [0, n) where `dirty` differs from `clean` (at
 * off + i) by at least `least`, or is null where the clean value is not (a null in both,
 * a kept source's gap, is unchanged). A function of its own, so that this loop over rows
 * does not get measureEvent compiled on the stack.
 */
function markChanged(dirty: ValueColumn, clean: ValueColumn, off: number, n: number, least: number, changed: Uint8Array): void {
  for (let i = 0; i < n; i++) {
    const x = cell(dirty, i);
    const y = cell(clean, off + i);
    const cleanNull = clean.valid !== undefined && clean.valid[off + i] === 0;
    if (dirty.valid && dirty.valid[i] === 0) {
      if (!cleanNull) changed[i] = 1;
    } else if (cleanNull || !(x === y || (Number.isNaN(x) && Number.isNaN(y)) || Math.abs(x - y) < least)) changed[i] = 1;
  }
}

/** Effect and changed rows of one attempt of an event. */
function measureEvent(s: Scenario, e: AnomalyEvent): { effect: Effect; changed: Uint8Array } {
  const limit = rowLimit(s);
  const end = Math.min(e.start + e.duration, limit);
  const changed = new Uint8Array(e.duration);
  if (end <= e.start) return { effect: { rms: 0, max: 0 }, changed };
  const [lo, hi] = contextWindow(e.start, e.duration, limit);
  const plain = measuredForm(s);
  const clean = generateRows(withoutAnomalies(plain), lo, hi, []).values;
  const dirty = generateRows(plain, e.start, end, [{ ...e, end }]).values;
  const effects: Effect[] = [];
  const n = end - e.start;
  // With `label: changed`, a row counts as changed when some variable moved by at least
  // min_change robust sd (a null, or any change of a non-numeric value, always counts).
  const minChange = s.anomalies.mode !== 'none' && s.anomalies.label === 'changed' ? (s.anomalies.minChange ?? 0) : 0;
  for (const v of twinnedVariables(s)) {
    const c = clean.find((x) => x.name === v.name)!;
    const d = dirty.find((x) => x.name === v.name)!;
    const off = e.start - lo;
    const numeric = NUMERIC.has(v.dtype);
    const all = numeric ? cells(c, hi - lo) : undefined;
    const scale = all ? robustScale(all) : 1;
    const least = numeric ? minChange * scale : 0;
    markChanged(d, c, off, n, least, changed);
    if (!all) continue;
    const value = cells(d, n);
    const before = off > 0 ? all[off - 1]! : NaN;
    effects.push(variableEffect(value, d.valid, all.subarray(off, off + n), before, scale));
  }
  return { effect: combineEffects(effects), changed };
}

/** The segment table's rows for placed events, and how many events were dropped. */
export function segmentsOf(s: Scenario, placed: readonly AnomalyEvent[]): { segments: Segment[]; dropped: number } {
  const segments: Segment[] = [];
  let dropped = 0;
  for (const e of placed) {
    const o = eventOutcome(s, e);
    if (!o.kept) {
      dropped++;
      continue;
    }
    let changedRows = 0;
    for (let i = 0; i < o.event.end - o.event.start; i++) changedRows += o.changed[i]!;
    segments.push({ event: o.event, effect: o.effect, changedRows });
  }
  return { segments, dropped };
}
