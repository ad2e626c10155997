/**
 * The bounded, cooperative scheduler of pool tasks (shards, fingerprint ranges). Items
 * start in order with at most `limit` running at once; none starts once the schedule is
 * halted — a task failed, or the caller asked to stop — and running ones always finish:
 * a piscina task is never aborted while running (a result racing an abort can crash the
 * pool). The first failure is kept, even one that happens between two waits.
 *
 * A task may end before all its work is done, returning what is left as `{ landing }`
 * (a shard whose file is still being written while its worker takes the next one): its
 * slot goes to the next item at once, and the schedule waits for the landing as for a
 * running task — its failure halts it the same way.
 */

/** What a task may ask of its schedule. */
export interface Schedule {
  /** A task failed or the caller stopped: start nothing more. */
  halted(): boolean;
  /** A task failed. */
  failed(): boolean;
}

/** What a task leaves to finish after its slot is free (see the module comment). */
export interface Landing {
  landing: Promise<void>;
}

/** Runs `task` over `items`; resolves when every started task and landing has finished, with the first failure. */
export async function runBounded<T>(items: readonly T[], limit: number, stop: () => boolean, task: (item: T, index: number, schedule: Schedule) => Promise<void | Landing>): Promise<{ error: unknown } | undefined> {
  let failure: { error: unknown } | undefined;
  const schedule: Schedule = { halted: () => failure !== undefined || stop(), failed: () => failure !== undefined };
  const fail = (error: unknown): void => {
    failure ??= { error };
  };
  const running = new Set<Promise<void>>();
  const landings: Promise<void>[] = [];
  for (let i = 0; i < items.length; i++) {
    if (schedule.halted()) break;
    const p: Promise<void> = task(items[i]!, i, schedule).then((r) => {
      if (r) landings.push(r.landing.catch(fail));
    }, fail);
    running.add(p);
    void p.then(() => running.delete(p));
    if (running.size >= limit) await Promise.race(running);
  }
  await Promise.all(running);
  await Promise.all(landings);
  return failure;
}
