/**
 * Uniqueness in a fleet (`uniqueness.scope: entity`): each entity's rows must differ from
 * the earlier rows of the same entity, so each entity is resolved exactly as its own
 * scenario alone would be (run/uniqueness-pass.ts, on the same pool), entity after entity.
 * A shard waits for the entities it holds; the manifest's figures add up the entities'.
 */
import type { Piscina } from 'piscina';
import { ParanomError } from '../errors.js';
import { endRow, type Scenario } from '../model/types.js';
import { planGeneration, type ShardPlan } from '../plan/planner.js';
import type { Retries } from '../generate/shard.js';
import { addReports, type ClassReport, type Resolution } from '../uniqueness/resolve.js';
import { entityName, entityScenario, fleetOf } from '../fleet/entity.js';
import { startUniqueness, type UniquenessRun } from './uniqueness-pass.js';

/**
 * The entities a part's manifest counts in its uniqueness figures: those whose first shard
 * of the plan (row 0 of the entity, in either layout) the part writes. Every entity is the
 * first-shard entity of exactly one part, so `merge-manifests` adds the parts' figures up.
 */
export function firstShardIn(plan: readonly ShardPlan[], shards: readonly ShardPlan[]): (entity: number) => boolean {
  // Shards tile (entity, row) without overlap, so an entity's first shard is the one holding
  // it that starts at the plan's first row (row 0, or a test split's first row). Marked per
  // entity: a part may hold a hundred thousand one-entity shards.
  let first = Infinity;
  for (const s of plan) first = Math.min(first, s.rowStart);
  const counted = new Uint8Array(shards.reduce((m, s) => Math.max(m, s.entityEnd!), 0));
  for (const s of shards) if (s.rowStart === first) counted.fill(1, s.entityStart!, s.entityEnd!);
  return (e) => counted[e] === 1;
}

/**
 * Resolves the entities the given shards hold, in entity order. `done` is the sum over
 * them, or over those `counted` keeps (rows and retries are not listed: a fleet's retries
 * are per entity).
 */
export function startFleetUniqueness(pool: Piscina, scenario: Scenario, shards: readonly ShardPlan[], shardRows: number, workers: number, counted: (entity: number) => boolean = () => true): UniquenessRun {
  const f = fleetOf(scenario);
  const needed = new Set<number>();
  for (const s of shards) for (let e = s.entityStart!; e < s.entityEnd!; e++) needed.add(e);
  const order = [...needed].sort((a, b) => a - b);
  const resolved = new Map<number, Promise<Retries>>();
  let stopping = false;
  let current: UniquenessRun | undefined;
  const run = async (): Promise<Resolution> => {
    let total: Resolution | undefined;
    let first: Resolution | undefined;
    for (const e of order) {
      if (stopping) throw new ParanomError('INTERRUPTED', 'uniqueness resolution stopped');
      const one = entityScenario(scenario, e);
      current = startUniqueness(pool, one, planGeneration(one, { shardRows }).shards, endRow(one.timeline), workers);
      let r: Resolution;
      try {
        r = await current.done;
      } catch (err) {
        if (err instanceof ParanomError && err.code !== 'INTERRUPTED') throw new ParanomError(err.code, `entity ${entityName(f, e)} (index ${e}): ${err.message}`, { ...err.details, entity: e });
        throw err;
      }
      settle.get(e)!({ rows: r.rows, attempts: r.attempts });
      first ??= r;
      if (!counted(e)) continue;
      total = total ? { rows: [], attempts: [], normal: addReports(total.normal, r.normal), anomalous: addReports(total.anomalous, r.anomalous) } : { ...r, rows: [], attempts: [] };
    }
    // No entity counted (a part holding none's first shard): figures of zero rows.
    const zero = (c: ClassReport): ClassReport => ({ ...c, rows: 0, retried_rows: 0, non_unique_rows: 0, distinct_tuples: 0 });
    return total ?? { rows: [], attempts: [], normal: zero(first!.normal), anomalous: zero(first!.anomalous) };
  };
  const settle = new Map<number, (r: Retries) => void>();
  for (const e of order) resolved.set(e, new Promise((ok) => settle.set(e, ok)));
  const done = run();
  done.catch(() => undefined);
  return {
    done,
    stop: () => {
      stopping = true;
      current?.stop();
    },
    retriesFor: () => Promise.resolve(undefined),
    async entityRetriesFor(shard) {
      const out: Array<Retries | undefined> = [];
      for (let e = shard.entityStart!; e < shard.entityEnd!; e++) {
        // A failure ends the wait too (done rejects).
        const r = await Promise.race([resolved.get(e)!, done.then(() => resolved.get(e)!)]);
        out.push(r.rows.length > 0 ? r : undefined);
      }
      return out;
    },
  };
}
