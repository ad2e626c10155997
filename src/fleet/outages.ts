/**
 * Outages: fleet-wide events that hit many entities at once, at the same rows. They are
 * placed over the timeline exactly as one series' events are (anomaly/events.ts: epochs,
 * prefix-stable; `count` mode exact and not growth-stable), under a key of their own
 * derived from the fleet's seed; whether outage k hits entity e is a draw at (k, e), so
 * neither more rows nor more entities change an earlier decision. An outage acts on an
 * entity's generated rows, on top of its own events: `flat_line` holds each target at its
 * value where the outage starts, `level_shift` and `spike` add an amount drawn once per
 * outage; its rows are labelled with the outage's id, −(start row + 1), which no entity
 * event can have.
 */
import { eventsStartingIn, maxEventRows, type AnomalyEvent } from '../anomaly/events.js';
import type { Outages } from '../model/entities.js';
import { endRow, type AnomalyPlan, type Scenario } from '../model/types.js';
import { rowUniform, seedKey, wordsToUniform, type SeedKey } from '../random/counter.js';
import { hash32 } from '../random/hash.js';
import { philox4x32 } from '../random/philox.js';
import { entitySeed } from '../random/entity-seed.js';
import { fleetOf } from './entity.js';

const TWO32 = 4294967296;
const HIT_STREAM = hash32('sys:fleet.outage.hit');
const AMOUNT_STREAM = hash32('sys:fleet.outage.amount');
/** No entity has this index (at most 2^31 − 1 entities): the outages' own seed is the fleet's at it. */
const OUTAGE_INDEX = 2 ** 52;
const scratch = new Uint32Array(4);

/** An outage: its window, the amount it adds (level_shift, spike), and its label id. */
export interface Outage extends AnomalyEvent {
  amount: number;
  /** The id its rows carry in `anomaly_id`: −(start + 1). */
  label: number;
}

function outageKey(s: Scenario): SeedKey {
  return seedKey(entitySeed(s.seed, OUTAGE_INDEX));
}

function outagePlan(o: Outages): AnomalyPlan {
  return o.mode === 'count' ? { mode: 'count', count: o.count, duration: o.duration } : { mode: 'frequency', frequency: o.frequency, duration: o.duration };
}

/** The outages starting in rows [from, to) of a fleet's timeline. */
function outagesStartingIn(s: Scenario, from: number, to: number): Outage[] {
  const o = fleetOf(s).outages;
  if (!o) return [];
  const key = outageKey(s);
  return eventsStartingIn(outagePlan(o), key, endRow(s.timeline), from, to).map((e) => {
    const u = rowUniform(key, AMOUNT_STREAM, e.id, 0, 0);
    return { ...e, kind: o.kind, amount: o.amount[0] + u * (o.amount[1] - o.amount[0]), label: -(e.start + 1) };
  });
}

/** The outages overlapping rows [from, to). */
export function outagesOverlapping(s: Scenario, from: number, to: number): Outage[] {
  const o = fleetOf(s).outages;
  if (!o) return [];
  return outagesStartingIn(s, Math.max(0, from - maxEventRows(outagePlan(o))), to).filter((e) => e.end > from);
}

/** Whether outage `o` hits entity `entity`. */
export function hits(s: Scenario, o: Outage, entity: number): boolean {
  const key = outageKey(s);
  const w = philox4x32(entity % TWO32, o.id % TWO32, HIT_STREAM, Math.floor(o.id / TWO32), key.k0, key.k1, scratch);
  return wordsToUniform(w[0]!, w[1]!) < fleetOf(s).outages!.share;
}
