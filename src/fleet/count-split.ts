/**
 * `anomalies.count_per: fleet`: the scenario's `count` events are spread over the fleet —
 * event k goes to the entity a uniform draw at (fleet seed, k) picks — and each entity
 * places its share exactly as `count` mode does (anomaly/events.ts). Like every count mode
 * it is not growth-stable: more entities re-deal the events.
 */
import { fillRowUniforms, seedKey } from '../random/counter.js';
import { hash32 } from '../random/hash.js';
import type { Scenario } from '../model/types.js';
import type { Entities } from '../model/entities.js';

const SPLIT_STREAM = hash32('sys:fleet.count-split');
const cache = new WeakMap<Entities, Int32Array>();

/** How many of `total` events each of `entities` entities takes (fleet seed `seed`). */
export function splitCount(seed: number, total: number, entities: number): Int32Array {
  const counts = new Int32Array(entities);
  const u = new Float64Array(Math.min(total, 1 << 16));
  for (let from = 0; from < total; from += u.length) {
    const n = Math.min(u.length, total - from);
    fillRowUniforms(seedKey(seed), SPLIT_STREAM, 0, 0, from, n, u);
    for (let i = 0; i < n; i++) counts[Math.min(entities - 1, Math.floor(u[i]! * entities))]!++;
  }
  return counts;
}

/** The events entity `index` takes of a fleet-wide count (computed once per fleet and thread). */
export function entityCount(s: Scenario, f: Entities, index: number): number {
  let counts = cache.get(f);
  if (!counts) {
    const a = s.anomalies;
    counts = splitCount(s.seed, a.mode === 'count' ? a.count : 0, f.count);
    cache.set(f, counts);
  }
  return counts[index]!;
}
