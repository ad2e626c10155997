/**
 * Runs uniqueness alongside generation. The fingerprint pass over rows [0, end) runs on the
 * worker pool, a few shards ahead (so generation tasks interleave with it); the main thread
 * resolves in row order. Dense keys are resolved shard by shard as codes arrive, so a shard
 * can be generated as soon as every row up to its end is resolved; other keys (the sparse
 * resolver needs every fingerprint first) release all shards at the end. Rows of every
 * earlier shard count, so a part, a grown dataset or a test split (whose rows before its
 * first are fingerprinted too) resolves exactly as a whole run.
 */
import { runBounded } from './scheduler.js';
import type { Piscina } from 'piscina';
import { ParanomError } from '../errors.js';
import type { ShardPlan } from '../plan/planner.js';
import type { Scenario } from '../model/types.js';
import { retriesIn, type Retries } from '../generate/shard.js';
import { UniquenessResolver, type Resolution } from '../uniqueness/resolve.js';
import { DenseResolver, isDense } from '../uniqueness/dense-resolver.js';
import type { FingerprintResult, FingerprintTask } from './shard-task.js';
import { sourceShares } from '../variables/source-share.js';

export interface UniquenessRun {
  /** The retries of a shard's rows, once they are final. */
  retriesFor(shard: ShardPlan): Promise<Retries | undefined>;
  /** The whole resolution, once every row up to `end` is resolved. */
  done: Promise<Resolution>;
  /** Stops the fingerprint pass. */
  stop(): void;
  /** A fleet shard's retries, per entity (run/fleet-uniqueness.ts). */
  entityRetriesFor?(shard: ShardPlan): Promise<Array<Retries | undefined>>;
}

/**
 * The rows before a plan's first shard, in pieces of its length: a test split starts at a
 * later row of the timeline (`timeline.offset`), and its rows are unique against every
 * earlier row of the timeline, which it never writes.
 */
function prefixRanges(shards: readonly ShardPlan[]): Array<{ rowStart: number; rowEnd: number }> {
  const first = shards[0];
  if (!first || first.rowStart === 0) return [];
  const piece = Math.max(1, first.rowEnd - first.rowStart);
  const out: Array<{ rowStart: number; rowEnd: number }> = [];
  for (let r = 0; r < first.rowStart; r += piece) out.push({ rowStart: r, rowEnd: Math.min(first.rowStart, r + piece) });
  return out;
}

export function startUniqueness(pool: Piscina, scenario: Scenario, shards: readonly ShardPlan[], end: number, workers: number): UniquenessRun {
  const dense = isDense(scenario);
  const dr = dense ? new DenseResolver(scenario, end) : null;
  const sr = dense ? null : new UniquenessResolver(scenario, end);
  // Stopping is cooperative: no new fingerprint task starts; running ones finish (an abort
  // racing a worker's result can crash piscina).
  let stopping = false;
  const sources = sourceShares(scenario);
  const ranges = [...prefixRanges(shards), ...shards.filter((s) => s.rowStart < end).map((s) => ({ rowStart: s.rowStart, rowEnd: Math.min(s.rowEnd, end) }))];

  // Rows resolved so far, and shards waiting for them.
  let resolvedTo = 0;
  const waiters: Array<{ to: number; wake: () => void }> = [];
  const collected: { rows: number[]; attempts: number[] } = { rows: [], attempts: [] };

  const run = async (): Promise<Resolution> => {
    const waiting = new Map<number, FingerprintResult & { ok: true }>();
    let nextIndex = 0;
    // Ranges are fingerprinted a little ahead of the workers (scheduler.ts); results are
    // resolved in row order as they arrive.
    const failure = await runBounded(ranges, workers + 1, () => stopping, async (r, i, schedule) => {
      const task: FingerprintTask = { type: 'fingerprint', scenario, rowStart: r.rowStart, rowEnd: r.rowEnd, dense, sources };
      const res = (await pool.run(task)) as FingerprintResult;
      if (schedule.failed()) return;
      if (!res.ok) throw ParanomError.fromData(res.error, `rows ${r.rowStart}–${r.rowEnd - 1}`);
      waiting.set(i, res);
      while (waiting.has(nextIndex)) {
        const f = waiting.get(nextIndex)!;
        waiting.delete(nextIndex++);
        if (dr) {
          const got = dr.add(f);
          // A loop, not push(...spread): a shard can hold more retries than the stack allows arguments.
          for (let k = 0; k < got.rows.length; k++) {
            collected.rows.push(got.rows[k]!);
            collected.attempts.push(got.attempts[k]!);
          }
          resolvedTo = f.rowStart + f.fps.length;
          for (let w = waiters.length - 1; w >= 0; w--) if (waiters[w]!.to <= resolvedTo) waiters.splice(w, 1)[0]!.wake();
        } else sr!.add(f);
      }
    });
    if (failure) throw failure.error;
    if (stopping) throw new ParanomError('INTERRUPTED', 'uniqueness resolution stopped');
    return dr ? dr.resolve() : sr!.resolve();
  };

  const done = run();
  // Shards wait on `done` too, so a failure reaches them (and is not left unhandled).
  done.catch(() => undefined);
  return {
    done,
    stop: () => {
      stopping = true;
    },
    async retriesFor(shard) {
      if (!dr) return retriesIn(await done, shard.rowStart, shard.rowEnd);
      if (resolvedTo < shard.rowEnd) {
        await Promise.race([new Promise<void>((wake) => waiters.push({ to: shard.rowEnd, wake })), done]);
      }
      return retriesIn(collected, shard.rowStart, shard.rowEnd);
    },
  };
}
