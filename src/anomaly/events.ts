/**
 * Anomaly events: where they start, how long they last.
 *
 * Frequency mode (growth-stable). The timeline is cut into fixed epochs of EPOCH_ROWS rows.
 * Epoch e holds Poisson(λ·EPOCH_ROWS) candidates whose positions and durations come from
 * the counter-based generator keyed by (e, candidate index), so any epoch can be derived
 * alone. A candidate is kept iff no earlier candidate, kept or not, reaches it (its start
 * + duration + gap). That rule only looks back one maximum duration, so a shard derives
 * its events from the epochs that cover [shardStart - 2·maxDuration, shardEnd) — no
 * shard ever needs another's results (D2), and growing the timeline never changes an
 * event that starts inside the old one (D3; an event cut by the end of the timeline is
 * marked truncated and completes when the dataset grows).
 *
 * Count mode (exact, not growth-stable). Exactly `count` events, durations drawn per
 * event, positions uniform over all non-overlapping arrangements (sorted offsets into
 * the free rows). Every event depends on the total row count, so the manifest says the
 * dataset is not growth-stable.
 */
import { EPOCH_ROWS, EVENT_GAP } from '../format.js';
import { philox4x32 } from '../random/philox.js';
import { systemStream } from '../random/hash.js';
import { seedKey, wordsToUniform, type SeedKey } from '../random/counter.js';
import { makePoisson } from '../distribution/poisson.js';
import { endRow, type AnomalyKindSpec, type AnomalyPlan, type Scenario } from '../model/types.js';
import { candidateRate } from './rate.js';
import { meanKindDuration } from './kinds/catalog.js';

/** One anomaly event. Its id is its start row: unique, and stable under growth and layout. */
export interface AnomalyEvent {
  id: number;
  /** First anomalous row. */
  start: number;
  /** One past the last anomalous row (cut at the end of the timeline). */
  end: number;
  /** Duration drawn for the event, in rows. */
  duration: number;
  /** True when the timeline ends before the event does. */
  truncated: boolean;
  kind: string;
  /** Index of the event's entry in `anomalies.kinds`; absent for `definition` events. */
  spec?: number;
  /**
   * Which draw of the event's kind and parameters it takes (`min_effect` redraws; absent
   * means 0, the placement's own draw).
   */
  attempt?: number;
}

/** Kind label of events whose values come from each variable's `anomalous` definition. */
const DEFINITION_KIND = 'definition';

const TWO32 = 4294967296;
const COUNT_STREAM = systemStream('anomaly.epoch-count');
const CANDIDATE_STREAM = systemStream('anomaly.candidate');
const EXACT_STREAM = systemStream('anomaly.exact');
/** Which entry of `anomalies.kinds` a candidate takes (scenarios with kinds only). */
const KIND_STREAM = systemStream('anomaly.kind');

const scratch = new Uint32Array(4);

interface Candidate {
  start: number;
  duration: number;
  order: number;
  spec?: number;
}

/**
 * Kind choice for scenarios with `anomalies.kinds`: the entry is picked by weight from its
 * own stream at the candidate's counter, then the duration from that entry's range with
 * the words the duration always used. Scenarios without kinds never get here, so their
 * events keep their bytes.
 */
class KindPicker {
  private readonly cum: Float64Array;
  constructor(readonly kinds: readonly AnomalyKindSpec[]) {
    const total = kinds.reduce((a, k) => a + k.weight, 0);
    this.cum = new Float64Array(kinds.length);
    let acc = 0;
    kinds.forEach((k, i) => (this.cum[i] = acc += k.weight / total));
  }

  pick(lo: number, hi: number, j: number, key: SeedKey): number {
    const w = philox4x32(lo, hi, KIND_STREAM, j, key.k0, key.k1, scratch);
    const u = wordsToUniform(w[0]!, w[1]!);
    let i = 0;
    while (i < this.cum.length - 1 && u >= this.cum[i]!) i++;
    return i;
  }

  duration(spec: number, u: number): number {
    const [min, max] = this.kinds[spec]!.duration;
    return min + Math.floor(u * (max - min + 1));
  }
}

/**
 * The candidates of `epoch` that start in [from, to), in start order (ties by draw order).
 * Every candidate's position is drawn, but only those in the rows become objects and are
 * sorted: a fleet entity of 1,000 rows asks for a few of an epoch's 65,536 rows, and built
 * all of its ~EPOCH_ROWS·λ candidates (and sorted them) to keep two.
 */
function epochCandidates(key: SeedKey, epoch: number, expected: number, min: number, span: number, poisson: ReturnType<typeof makePoisson>, kinds: KindPicker | undefined, from: number, to: number): Candidate[] {
  const hi = Math.floor(epoch / TWO32);
  const lo = epoch % TWO32;
  const draw = {
    uniform(d: number): number {
      const w = philox4x32(lo, hi, COUNT_STREAM, d, key.k0, key.k1, scratch);
      return wordsToUniform(w[0]!, w[1]!);
    },
  };
  const n = expected > 0 ? poisson(draw.uniform(0), draw) : 0;
  const out: Candidate[] = [];
  const base = epoch * EPOCH_ROWS;
  for (let j = 0; j < n; j++) {
    const w = philox4x32(lo, hi, CANDIDATE_STREAM, j, key.k0, key.k1, scratch);
    const start = base + Math.floor(wordsToUniform(w[0]!, w[1]!) * EPOCH_ROWS);
    if (start < from || start >= to) continue;
    const u = wordsToUniform(w[2]!, w[3]!);
    if (kinds) {
      const spec = kinds.pick(lo, hi, j, key);
      out.push({ start, duration: kinds.duration(spec, u), order: j, spec });
      continue;
    }
    out.push({ start, duration: min + Math.floor(u * span), order: j });
  }
  out.sort((a, b) => a.start - b.start || a.order - b.order);
  return out;
}

/** What placing a frequency plan's events needs of the plan alone (see placementOf). */
interface Placement {
  min: number;
  span: number;
  picker: KindPicker | undefined;
  expected: number;
  poisson: ReturnType<typeof makePoisson>;
  /** maxEventRows(plan). */
  back: number;
}

/**
 * Placements by plan, made once: a fleet places each entity's events with the one plan its
 * entities share, and making the picker and the Poisson sampler again per entity was most
 * of an entity's placement (and code the workers compiled for it).
 */
const placements = new WeakMap<AnomalyPlan, Placement>();

function placementOf(plan: Extract<AnomalyPlan, { mode: 'frequency' }>): Placement {
  let p = placements.get(plan);
  if (!p) {
    const [min, max] = plan.duration;
    const mean = plan.kinds ? meanKindDuration(plan.kinds) : 0;
    const lambda = plan.kinds ? candidateRate(plan.frequency, mean, mean) : candidateRate(plan.frequency, min, max);
    const expected = lambda * EPOCH_ROWS;
    p = { min, span: max - min + 1, picker: plan.kinds ? new KindPicker(plan.kinds) : undefined, expected, poisson: makePoisson(expected), back: maxEventRows(plan) };
    placements.set(plan, p);
  }
  return p;
}

/**
 * The events whose start lies in [from, to), for a timeline of `rows` rows, in start order.
 * To label rows [a, b) ask for [a - maxDuration, b).
 */
export function eventsStartingIn(plan: AnomalyPlan, key: SeedKey, rows: number, from: number, to: number): AnomalyEvent[] {
  if (plan.mode === 'none') return [];
  from = Math.max(0, from);
  to = Math.min(rows, to);
  if (to <= from) return [];
  if (plan.mode === 'count') {
    return exactEvents(plan.count, plan.duration, key, rows, plan.kinds).filter((e) => e.start >= from && e.start < to);
  }
  const { min, span, picker, expected, poisson, back } = placementOf(plan);
  const lookFrom = Math.max(0, from - back - EVENT_GAP);
  const events: AnomalyEvent[] = [];
  let reach = -1; // furthest row (inclusive, gap included) that an earlier candidate blocks
  for (let e = Math.floor(lookFrom / EPOCH_ROWS); e * EPOCH_ROWS < to; e++) {
    for (const c of epochCandidates(key, e, expected, min, span, poisson, picker, lookFrom, to)) {
      const kept = c.start > reach;
      reach = Math.max(reach, c.start + c.duration - 1 + EVENT_GAP);
      if (kept && c.start >= from) {
        const end = Math.min(rows, c.start + c.duration);
        const kind = c.spec === undefined ? DEFINITION_KIND : plan.kinds![c.spec]!.kind;
        events.push({ id: c.start, start: c.start, end, duration: c.duration, truncated: c.start + c.duration > rows, kind, ...(c.spec === undefined ? {} : { spec: c.spec }) });
      }
    }
  }
  return events;
}

/** Count mode: exactly `count` non-overlapping events over the whole timeline. */
function exactEvents(count: number, [min0, max0]: [number, number], key: SeedKey, rows: number, kinds?: readonly AnomalyKindSpec[]): AnomalyEvent[] {
  const durations: number[] = new Array(count);
  const picker = kinds ? new KindPicker(kinds) : undefined;
  const specs: number[] = [];
  const min = kinds ? Math.min(...kinds.map((k) => k.duration[0])) : min0;
  let used = 0;
  for (let j = 0; j < count; j++) {
    const w = philox4x32(j, 0, EXACT_STREAM, 0, key.k0, key.k1, scratch);
    const u = wordsToUniform(w[0]!, w[1]!);
    let d: number;
    if (picker) {
      specs[j] = picker.pick(j, 0, 0, key);
      d = picker.duration(specs[j]!, u);
    } else d = min + Math.floor(u * (max0 - min + 1));
    // Leave room for the remaining events at their minimum duration.
    const room = rows - used - (count - 1 - j) * (min + EVENT_GAP) - (j > 0 ? EVENT_GAP : 0);
    d = Math.min(d, room);
    durations[j] = d;
    used += d + (j > 0 ? EVENT_GAP : 0);
  }
  const free = rows - used;
  const offsets: number[] = new Array(count);
  for (let j = 0; j < count; j++) {
    const w = philox4x32(j, 1, EXACT_STREAM, 0, key.k0, key.k1, scratch);
    offsets[j] = Math.floor(wordsToUniform(w[0]!, w[1]!) * (free + 1));
  }
  offsets.sort((a, b) => a - b);
  const events: AnomalyEvent[] = [];
  let before = 0;
  for (let j = 0; j < count; j++) {
    const start = offsets[j]! + before;
    const d = durations[j]!;
    const spec = specs[j];
    events.push({ id: start, start, end: start + d, duration: d, truncated: false, kind: spec === undefined ? DEFINITION_KIND : kinds![spec]!.kind, ...(spec === undefined ? {} : { spec }) });
    before += d + EVENT_GAP;
  }
  return events;
}

/** Longest event the plan can produce, in rows (how far back a shard must look). */
export function maxEventRows(plan: AnomalyPlan): number {
  if (plan.mode === 'none') return 0;
  return plan.kinds ? Math.max(...plan.kinds.map((k) => k.duration[1])) : plan.duration[1];
}

/** True when growing the timeline keeps every earlier row (D3). */
export function isGrowthStable(plan: AnomalyPlan): boolean {
  return plan.mode !== 'count';
}

/** Events overlapping rows [from, to) of the scenario's timeline. */
export function eventsOverlapping(scenario: Scenario, from: number, to: number): AnomalyEvent[] {
  const key = seedKey(scenario.seed);
  const back = maxEventRows(scenario.anomalies);
  return eventsStartingIn(scenario.anomalies, key, endRow(scenario.timeline), from - back, to).filter((e) => e.end > from);
}
