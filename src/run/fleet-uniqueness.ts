/**
 * Uniqueness in a fleet (`uniqueness.scope: entity`): each entity's rows must differ from
 * the earlier rows of the same entity, so each entity is resolved exactly as its own
 * scenario alone would be (run/uniqueness-pass.ts, on the same pool), entity after entity.
 * A shard waits for the entities it holds; the manifest's figures add up the entities'.
 */
import type { Piscina } from 'piscina';
import { ParanomError } from '../errors.js';
import type { Scenario } from '../model/types.js';
import { planGeneration, type ShardPlan } from '../plan/planner.js';
import type { Retries } from '../generate/shard.js';
import type { ClassReport, Resolution } from '../uniqueness/resolve.js';
import { entityName, entityScenario, fleetOf } from '../fleet/entity.js';
import { startUniqueness, type UniquenessRun } from './uniqueness-pass.js';

function addReports(a: ClassReport, b: ClassReport): ClassReport {
  return { ...a, rows: a.rows + b.rows, retried_rows: a.retried_rows + b.retried_rows, non_unique_rows: a.non_unique_rows + b.non_unique_rows, distinct_tuples: a.distinct_tuples + b.distinct_tuples };
}

/**
 * Resolves the entities the given shards hold, in entity order. `done` is the sum over
 * them (rows and retries are not listed: a fleet's retries are per entity).
 */
export function startFleetUniqueness(pool: Piscina, scenario: Scenario, shards: readonly ShardPlan[], shardRows: number, workers: number): UniquenessRun {
  const f = fleetOf(scenario);
  const needed = new Set<number>();
  for (const s of shards) for (let e = s.entityStart!; e < s.entityEnd!; e++) needed.add(e);
  const order = [...needed].sort((a, b) => a - b);
  const resolved = new Map<number, Promise<Retries>>();
  let stopping = false;
  let current: UniquenessRun | undefined;
  const run = async (): Promise<Resolution> => {
    let total: Resolution | undefined;
    for (const e of order) {
      if (stopping) throw new ParanomError('INTERRUPTED', 'uniqueness resolution stopped');
      const one = entityScenario(scenario, e);
      current = startUniqueness(pool, one, planGeneration(one, { shardRows }).shards, one.timeline.rows, workers);
      let r: Resolution;
      try {
        r = await current.done;
      } catch (err) {
        if (err instanceof ParanomError && err.code !== 'INTERRUPTED') throw new ParanomError(err.code, `entity ${entityName(f, e)} (index ${e}): ${err.message}`, { ...err.details, entity: e });
        throw err;
      }
      settle.get(e)!({ rows: r.rows, attempts: r.attempts });
      total = total ? { rows: [], attempts: [], normal: addReports(total.normal, r.normal), anomalous: addReports(total.anomalous, r.anomalous) } : { ...r, rows: [], attempts: [] };
    }
    return total!;
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
