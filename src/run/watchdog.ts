/**
 * The main thread's watchdog over worker tasks. A task carries a watch buffer its worker
 * publishes into (variables/watch.ts); a callback call or module load that makes no
 * progress for `callback_timeout`, or a worker that reaches its memory limit, ends in a
 * ParanomError naming the variable and row — the pool is then destroyed, which terminates
 * the worker however tight its loop.
 */
import type { Piscina } from 'piscina';
import { ParanomError } from '../errors.js';
import type { Scenario } from '../model/types.js';
import { readWatch, WATCH_BYTES, WATCH_CALLBACK, WATCH_IDLE, WATCH_LOADING } from '../variables/watch.js';

/** Default callback_timeout: a row's callback (or a module's loading) may take this long. */
export const DEFAULT_CALLBACK_TIMEOUT_MS = 30_000;

/** How often the watchdog looks. */
const POLL_MS = 200;

export function newWatchBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(WATCH_BYTES);
}

function what(s: Scenario, sab: SharedArrayBuffer): { variable: string; row: number; state: number } {
  const w = readWatch(sab);
  return { variable: s.variables[w.variable]?.name ?? '?', row: w.row, state: w.state };
}

function hung(s: Scenario, sab: SharedArrayBuffer, timeoutMs: number): ParanomError {
  const w = what(s, sab);
  const limit = `callback_timeout (${timeoutMs / 1000}s)`;
  if (w.state === WATCH_LOADING) {
    return new ParanomError('CALLBACK_TIMEOUT', `variable '${w.variable}': loading its module took longer than ${limit}; a top-level await that never settles or a loop at the top of the module? (seed ${s.seed})`, { variable: w.variable, seed: s.seed });
  }
  return new ParanomError('CALLBACK_TIMEOUT', `variable '${w.variable}': the callback at row ${w.row} ran longer than ${limit} and was stopped; does it loop forever? Raise callback_timeout in the scenario if it is just slow (seed ${s.seed})`, { variable: w.variable, row: w.row, seed: s.seed });
}

/** Turns a worker's out-of-memory end into a message naming what it was doing. */
export function describeWorkerFailure(err: unknown, s: Scenario, sab: SharedArrayBuffer, memoryMb: number): unknown {
  const e = err as { code?: string; message?: string };
  if (e?.code !== 'ERR_WORKER_OUT_OF_MEMORY' && !/memory limit/i.test(e?.message ?? '')) return err;
  const w = what(s, sab);
  const where = w.state === WATCH_CALLBACK ? `variable '${w.variable}': the callback at row ${w.row}` : w.state === WATCH_LOADING ? `variable '${w.variable}': loading its module` : 'a shard worker';
  return new ParanomError('RESOURCE_LIMIT', `${where} used more than the worker memory limit (${memoryMb} MB heap) and was stopped (seed ${s.seed}); set PARANOM_WORKER_MEMORY_MB to allow more`, { variable: w.state === WATCH_IDLE ? null : w.variable, row: w.row, seed: s.seed });
}

/**
 * Runs `task` (which carries `watch`) on the pool under the watchdog. On a hang the pool is
 * destroyed (every worker terminated) and the returned promise rejects with CALLBACK_TIMEOUT.
 */
export function runWatched<R>(pool: Piscina, task: object, watch: SharedArrayBuffer, s: Scenario, memoryMb: number): Promise<R> {
  const timeoutMs = s.callbackTimeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS;
  return new Promise<R>((resolvePromise, reject) => {
    let calls = -1;
    let since = Date.now();
    let done = false;
    const timer = setInterval(() => {
      const w = readWatch(watch);
      if (w.state === WATCH_IDLE || w.calls !== calls) {
        calls = w.calls;
        since = Date.now();
        return;
      }
      if (Date.now() - since > timeoutMs && !done) {
        done = true;
        clearInterval(timer);
        reject(hung(s, watch, timeoutMs));
        void pool.destroy().catch(() => undefined);
      }
    }, POLL_MS);
    pool.run(task).then(
      (r: R) => {
        clearInterval(timer);
        if (!done) resolvePromise(r);
        done = true;
      },
      (err: unknown) => {
        clearInterval(timer);
        if (!done) reject(describeWorkerFailure(err, s, watch, memoryMb));
        done = true;
      },
    );
  });
}
