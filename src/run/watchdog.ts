/**
 * The main thread's watchdog over worker tasks. A task carries a watch buffer its worker
 * publishes into (variables/watch.ts); a callback call or module load that makes no
 * progress for `callback_timeout`, or a worker that reaches its memory limit, ends in a
 * ParanomError naming the variable and row — the pool is then destroyed, which terminates
 * the worker however tight its loop. A callback stopped at either limit is the user's code
 * to fix: CALLBACK_FAILED, exit 2, like a callback that throws.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import { ParanomError } from '../errors.js';
import type { CallbackVariable, Scenario } from '../model/types.js';
import { moduleShownAs } from '../variables/callback.js';
import { readWatch, WATCH_BYTES, WATCH_IDLE, WATCH_LOADING } from '../variables/watch.js';

/** Default callback_timeout: a row's callback (or a module's loading) may take this long. */
const DEFAULT_CALLBACK_TIMEOUT_MS = 30_000;

/** How often the watchdog looks. */
const POLL_MS = 200;

export function newWatchBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(WATCH_BYTES);
}

function what(s: Scenario, sab: SharedArrayBuffer): { variable: string; row: number; state: number; callback: CallbackVariable | undefined } {
  const w = readWatch(sab);
  const v = s.variables[w.variable];
  return { variable: v?.name ?? '?', row: w.row, state: w.state, callback: v?.type === 'callback' ? v : undefined };
}

/**
 * A callback stopped at a limit, as CALLBACK_FAILED (exit 2, the directory left as any
 * callback failure leaves it): the user's code ran too long or used too much memory.
 * Names the variable, module, export, row (or its loading), the limit and what sets it.
 */
function callbackStopped(s: Scenario, w: ReturnType<typeof what> & { callback: CallbackVariable }, limit: 'time' | 'memory', hit: string, hint: string): ParanomError {
  const v = w.callback;
  const module = moduleShownAs(s, v);
  const fn = v.anomalous ? `'${v.normal}' or '${v.anomalous}'` : `'${v.normal}'`;
  const at = w.state === WATCH_LOADING ? `loading callback module ${module}` : `callback ${fn} (${module}) at row ${w.row}`;
  return new ParanomError('CALLBACK_FAILED', `variable '${w.variable}': ${at}, seed ${s.seed}: ${hit} and was stopped; ${hint}`, {
    variable: w.variable,
    module: v.module,
    ...(w.state === WATCH_LOADING ? {} : { row: w.row }),
    seed: s.seed,
    limit,
  });
}

function hung(s: Scenario, sab: SharedArrayBuffer, timeoutMs: number): ParanomError {
  const w = what(s, sab);
  const limit = `callback_timeout (${timeoutMs / 1000}s)`;
  const slow = 'If it is just slow, raise callback_timeout (a top-level key of the scenario)';
  if (w.callback) {
    const cause = w.state === WATCH_LOADING ? 'a top-level await that never settles, or a loop at the top of the module?' : 'does it loop forever?';
    return callbackStopped(s, { ...w, callback: w.callback }, 'time', `ran longer than ${limit}`, `${cause} ${slow}`);
  }
  // Only callback modules publish a watch today; a load of another kind that hangs is not the user's code.
  return new ParanomError('GENERATION_FAILED', `variable '${w.variable}': ${w.state === WATCH_LOADING ? 'loading' : `row ${w.row}`} ran longer than ${limit} and was stopped (seed ${s.seed})`, { variable: w.variable, row: w.row, seed: s.seed });
}

/** Turns a worker's out-of-memory end into a message naming what it was doing. */
function describeWorkerFailure(err: unknown, s: Scenario, sab: SharedArrayBuffer, memoryMb: number): unknown {
  const e = err as { code?: string; message?: string };
  if (e?.code !== 'ERR_WORKER_OUT_OF_MEMORY' && !/memory limit/i.test(e?.message ?? '')) return err;
  const w = what(s, sab);
  const limit = `the worker memory limit (${memoryMb} MB heap)`;
  const more = 'set PARANOM_WORKER_MEMORY_MB to allow more';
  if (w.state !== WATCH_IDLE && w.callback) return callbackStopped(s, { ...w, callback: w.callback }, 'memory', `used more than ${limit}`, `does it keep what it allocates? If it needs the memory, ${more}`);
  // paranom's own work in the worker ran out: a runtime limit, not the user's code.
  return new ParanomError('RESOURCE_LIMIT', `a shard worker used more than ${limit} and was stopped (seed ${s.seed}); ${more}`, { variable: null, row: w.row, seed: s.seed });
}

/**
 * Runs `task` (which carries `watch`) on the pool under the watchdog. On a hang the pool is
 * destroyed (every worker terminated) and the returned promise rejects with CALLBACK_FAILED.
 */
export function runWatched<R>(pool: Piscina, task: object, watch: SharedArrayBuffer, s: Scenario, memoryMb: number, transferList?: MessagePort[]): Promise<R> {
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
    pool.run(task, transferList ? { transferList } : undefined).then(
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
