/**
 * The shard worker pool (piscina). Workers run the compiled shard worker through its
 * CommonJS entry, workers/shard-worker.cjs (scripts/bundle.mjs).
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';

/**
 * Path of the compiled worker. When this module runs from TypeScript sources (tests), the
 * worker still comes from dist/, which `npm test` builds first.
 */
function shardWorkerPath(): string {
  const here = import.meta.url;
  const rel = here.endsWith('.ts') ? '../../dist/workers/shard-worker.cjs' : '../../workers/shard-worker.cjs';
  return fileURLToPath(new URL(rel, here));
}

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Heap limit of each worker, in MB (PARANOM_WORKER_MEMORY_MB, default 2048). Column
 * buffers live outside the heap; what grows the heap without bound is a user callback, and
 * a worker past the limit is ended with a message naming the variable and row.
 */
export function workerMemoryMb(): number {
  const raw = Number(process.env['PARANOM_WORKER_MEMORY_MB']);
  return Number.isSafeInteger(raw) && raw >= 64 ? raw : 2048;
}

function newPool(start: number, workers: number): Piscina {
  const pool = new Piscina({
    resourceLimits: { maxOldGenerationSizeMb: workerMemoryMb() },
    filename: shardWorkerPath(),
    minThreads: start,
    maxThreads: workers,
    // Never ended for being idle: a worker that has answered may still be finishing a shard's
    // file (run/shard-task.ts). Every pool is destroyed by its run or by the binary.
    idleTimeout: Infinity,
    // Memory is bounded by workers × shard size: keep tasks from queueing inside workers.
    concurrentTasksPerWorker: 1,
    // No run reads piscina's run and wait time histograms: not made, not updated per task.
    recordTiming: false,
    // An idle worker otherwise blocks in Atomics.wait until its next task, while work goes
    // on after a task has returned: a shard's file still being written (run/shard-task.ts),
    // a head start (run/head-start.ts).
    atomics: 'disabled',
  });
  // A worker that could not start (more threads than the open-file limit allows: EMFILE)
  // is reported here, on no task; unheard, the event ended the process with a stack trace.
  // The pool goes on with the workers that started; a task given to one that failed
  // rejects with the error, and its run says so.
  pool.on('error', () => undefined);
  return pool;
}

/** A pool started before the command knew it needed one (`prestartPool`), with its size. */
let prestarted: { pool: Piscina; workers: number } | null = null;

/** Pools the binary prestarted: it exits once its command is done (see `releasePool`). */
const binaryOwned = new WeakSet<Piscina>();

/**
 * Starts the pool of a run about to begin, so that its workers boot (a thread, the worker
 * bundle, the WebAssembly kernels) while the main thread is still loading the command line
 * and planning: `start` threads now, up to `workers` on demand. The next `createPool` for
 * the same worker count takes it over; any other destroys it. Only the binary calls this:
 * it exits once its command is done, whatever it left.
 *
 * `first` is a task the pool runs at once (a head start, run/head-start.ts); the run's own
 * tasks queue behind it on the same worker, so it is given to a one-thread pool only.
 */
export function prestartPool(workers: number, start: number, first?: object): void {
  const headStart = first !== undefined && workers === 1;
  const pool = newPool(Math.min(start, workers), workers);
  if (headStart) void pool.run(first).catch(() => undefined);
  binaryOwned.add(pool);
  prestarted = { pool, workers };
}

/** The ends of pools the binary prestarted that it awaits before exiting (`poolsEnded`). */
const ending: Promise<void>[] = [];

function destroy(pool: Piscina): Promise<void> {
  // A one-thread pool that has completed a task has booted its thread: the binary need not
  // wait for it (a one-shard run, whose few milliseconds count). Any other may still boot.
  const booted = pool.maxThreads === 1 && pool.completed > 0;
  const ended = pool.destroy().then(() => undefined, () => undefined);
  if (binaryOwned.has(pool) && !booted) ending.push(ended);
  return ended;
}

/**
 * Ends a run's pool (its threads are terminated). The end of a pool the binary prestarted
 * is not waited for here: the run's last steps (segment table, manifest) go on while its
 * threads end, and the binary awaits them only before it exits (`poolsEnded`).
 */
export function releasePool(pool: Piscina): Promise<void> {
  const ended = destroy(pool);
  return binaryOwned.has(pool) ? Promise.resolve() : ended;
}

/**
 * Ends the prestarted pool if no run took it, and resolves once every pool the binary
 * prestarted whose threads may still be booting has ended them (or after `limitMs`). The
 * binary awaits this before `process.exit`: exiting while a worker is still booting
 * (loading its bundle) can abort the whole process inside Node's teardown (SIGABRT, a
 * fatal error printed) — seen with a scenario refused at once, before the prestarted
 * workers were up — so a refusal meant to exit 2 ended by a signal.
 */
export function poolsEnded(limitMs = 2000): Promise<void> {
  const p = prestarted;
  prestarted = null;
  if (p) destroy(p.pool);
  // Bounded: a thread that does not end (stuck in native code) must not keep the binary
  // from exiting with its code.
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, limitMs);
    void Promise.all(ending).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * A pool of `workers` threads. `requested` is the worker count asked for before it was
 * capped by the number of tasks: a prestarted pool of either size is used as it is.
 */
export function createPool(workers: number, requested = workers): Piscina {
  const p = prestarted;
  prestarted = null;
  if (p && (p.workers === requested || p.workers === workers)) return p.pool;
  if (p) void destroy(p.pool);
  return newPool(workers, workers);
}
