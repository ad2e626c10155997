/**
 * The binary starts the shard pool before loading the command line (cli/prestart.ts): only
 * for `generate … --out`, one worker when --rows fits in one shard, else --workers or the
 * cores; and a run takes over a prestarted pool of its size, or ends it and makes its own.
 */
import { describe, expect, it } from 'vitest';
import { poolFor } from '../src/cli/prestart.js';
import { createPool, defaultWorkers, prestartPool, releasePool } from '../src/run/pool.js';

describe('prestarted pool', () => {
  it('is asked for by generate --out only, sized by --workers and --rows', () => {
    const all = defaultWorkers();
    expect(poolFor(['generate', 's.yaml', '--out', 'd'])).toEqual({ workers: all, start: all });
    expect(poolFor(['generate', 's.yaml', '--out=d', '--workers', '3'])).toEqual({ workers: 3, start: 3 });
    expect(poolFor(['generate', 's.yaml', '--out', 'd', '-w', '2', '--rows', '65536'])).toEqual({ workers: 2, start: 1 });
    expect(poolFor(['generate', 's.yaml', '--out', 'd', '-w', '2', '--rows=65536', '--shard-rows', '1'])).toEqual({ workers: 2, start: 2 });
    expect(poolFor(['generate', 's.yaml', '--out', 'd', '--rows', '10000000'])).toEqual({ workers: all, start: all });
    for (const args of [['generate', 's.yaml', '--stdout'], ['generate', 's.yaml', '--out', 'd', '--dry-run'], ['validate', 's.yaml'], ['generate', 's.yaml', '--out', 'd', '--workers', 'x'], ['generate', '--help']]) {
      expect(poolFor(args)).toBeNull();
    }
  });

  it('is taken over by a run of the same size, and replaced for another', async () => {
    prestartPool(2, 1);
    const p = createPool(1, 2);
    expect(p.options.maxThreads).toBe(2);
    await p.destroy();
    prestartPool(2, 1);
    const q = createPool(1, 1);
    expect(q.options.maxThreads).toBe(1);
    await q.destroy();
  });

  it("is released without waiting for its threads to end (the binary exits next); a run's own pool is waited for", async () => {
    const exits = (pool: ReturnType<typeof createPool>) => {
      const state = { exited: false };
      pool.threads[0]!.once('exit', () => (state.exited = true));
      return state;
    };
    prestartPool(1, 1);
    const owned = createPool(1, 1);
    const ownedThread = exits(owned);
    await releasePool(owned);
    // Not waited for: its thread's exit event comes later.
    expect(ownedThread.exited).toBe(false);
    const own = createPool(1, 1);
    expect(own).not.toBe(owned);
    const ownThread = exits(own);
    await releasePool(own);
    expect(ownThread.exited).toBe(true);
    await owned.destroy().catch(() => undefined);
  });
});
