/**
 * The bounded, cooperative scheduler of pool tasks (shards, fingerprint ranges). Items
 * start in order with at most `limit` running at once; none starts once the schedule is
 * halted — a task failed, or the caller asked to stop — and running ones always finish:
 * a piscina task is never aborted while running (a result racing an abort can crash the
 * pool). Of the failures, the one of the earliest item is kept, even one that happens
 * between two waits: every item before a started one has started too, and the schedule
 * waits for all of them, so a failure that is a function of its item (a value that does
 * not fit, a callback that throws) is the same for any `limit` — the first row at fault in
 * the plan's order, not whichever worker got there first.
 *
 * A task may end before all its work is done, returning what is left as `{ landing }`
 * (a shard whose file is still being written while its worker takes the next one): its
 * slot goes to the next item at once, and the schedule waits for the landing as for a
 * running task — its failure halts it the same way.
 */

/**
 * What a task may ask of its schedule. Only an earlier item's failure concerns a task: a
 * later item's failure does not stop it, so that its own failure, if any, is the one kept.
 */
export interface Schedule {
  /** An earlier item failed or the caller stopped: do no more. */
  halted(): boolean;
  /** An earlier item failed. */
  failed(): boolean;
}

/** What a task leaves to finish after its slot is free (see the module comment). */
export interface Landing {
  landing: Promise<void>;
}

/** Runs `task` over `items`; resolves when every started task and landing has finished, with the earliest item's failure. */
export async function runBounded<T>(items: readonly T[], limit: number, stop: () => boolean, task: (item: T, index: number, schedule: Schedule) => Promise<void | Landing>): Promise<{ error: unknown } | undefined> {
  let failure: { error: unknown; index: number } | undefined;
  const failedBefore = (index: number): boolean => failure !== undefined && failure.index < index;
  const failAt =
    (index: number) =>
    (error: unknown): void => {
      if (failure === undefined || index < failure.index) failure = { error, index };
    };
  const running = new Set<Promise<void>>();
  const landings: Promise<void>[] = [];
  for (let i = 0; i < items.length; i++) {
    // Any failure so far is an earlier item's: every later one is yet to start.
    if (failure !== undefined || stop()) break;
    const schedule: Schedule = { halted: () => failedBefore(i) || stop(), failed: () => failedBefore(i) };
    const p: Promise<void> = task(items[i]!, i, schedule).then((r) => {
      if (r) landings.push(r.landing.catch(failAt(i)));
    }, failAt(i));
    running.add(p);
    void p.then(() => running.delete(p));
    if (running.size >= limit) await Promise.race(running);
  }
  await Promise.all(running);
  await Promise.all(landings);
  return failure && { error: failure.error };
}
