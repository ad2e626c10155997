/**
 * Runs uniqueness before generation: the fingerprint pass over rows [0, end) on the worker
 * pool (in parallel), then the sequential, sparse resolution on the main thread. Rows of
 * every earlier shard count, so a part or a grown dataset resolves exactly as a whole run.
 */
import { setMaxListeners } from 'node:events';
import type { Piscina } from 'piscina';
import { ParanomError } from '../errors.js';
import type { ShardPlan } from '../plan/planner.js';
import type { Scenario } from '../scenario/types.js';
import { UniquenessResolver, type Resolution } from '../uniqueness/resolve.js';
import type { FingerprintResult, FingerprintTask } from './shard-task.js';

export async function resolveUniqueness(pool: Piscina, scenario: Scenario, shards: readonly ShardPlan[], end: number, signal?: AbortSignal): Promise<Resolution> {
  const resolver = new UniquenessResolver(scenario, end);
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  signal?.addEventListener('abort', () => stop.abort(), { once: true });
  const ranges = shards.filter((s) => s.rowStart < end).map((s) => ({ rowStart: s.rowStart, rowEnd: Math.min(s.rowEnd, end) }));
  // Results arrive in any order; the resolver takes them in row order.
  const waiting = new Map<number, FingerprintResult & { ok: true }>();
  let nextIndex = 0;
  try {
  await Promise.all(
    ranges.map(async (r, i) => {
      const task: FingerprintTask = { type: 'fingerprint', scenario, rowStart: r.rowStart, rowEnd: r.rowEnd };
      const res = (await pool.run(task, { signal: stop.signal })) as FingerprintResult;
      if (!res.ok) throw ParanomError.fromData(res.error);
      waiting.set(i, res);
      while (waiting.has(nextIndex)) {
        resolver.add(waiting.get(nextIndex)!);
        waiting.delete(nextIndex++);
      }
    }),
  );
  } catch (err) {
    stop.abort();
    throw err;
  }
  return resolver.resolve();
}
