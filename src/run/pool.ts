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

/**
 * A pool whose tasks fail, rather than wait for ever, once no worker is left to run them.
 * piscina starts no more workers after one fails while booting (it would fail again): when
 * the last goes (more threads than the open-file limit allows: EMFILE), the tasks already
 * queued would wait for a worker that never comes. The pool is destroyed then, and each of
 * its tasks rejects with the error that kept the workers from starting (the command line
 * says what it means: errors.ts, outOfFileDescriptors), not piscina's "Terminating worker
 * thread". ParanomError is not made here: this module is a bundle of its own, and an error
 * class of its own would not be the command line's.
 */
class ShardPool extends Piscina {
  /** The last error of a worker that could not start (or ended unasked). */
  private lastFailure: unknown;
  /** Set once the pool was ended for want of workers: what its tasks reject with. */
  private stalled: unknown;
  /** The pool's end, once asked for: every caller of `destroy` waits for the same one. */
  private end: Promise<void> | undefined;

  constructor(options: ConstructorParameters<typeof Piscina>[0]) {
    super(options);
    // A worker that could not start is reported here, on no task; unheard, the event ended
    // the process with a stack trace. The pool goes on with the workers that started.
    this.on('error', (err: unknown) => {
      this.lastFailure = err;
      this.checkStalled();
    });
    // A worker that failed holding a task rejects that task and raises no 'error'; piscina
    // counts it out of the pool only after this event.
    this.on('workerDestroy', () => setImmediate(() => this.checkStalled()));
  }

  override run(task: unknown, options?: Parameters<Piscina['run']>[1]): Promise<unknown> {
    // piscina would start new workers for it; a pool ended for want of them stays ended.
    if (this.stalled !== undefined) return Promise.reject(this.stalled);
    return super.run(task, options).catch((err: unknown) => {
      if ((err as { code?: unknown })?.code === 'ERR_WORKER_INIT_FAILED') this.lastFailure = err;
      throw this.stalled ?? err;
    });
  }

  /**
   * piscina's own resolves at once when called again while the first still waits for the
   * threads to exit: a caller that must know the threads are gone would not.
   */
  override destroy(): Promise<void> {
    return (this.end ??= super.destroy());
  }

  /** Ends the pool when tasks wait and no worker is left to take them. */
  private checkStalled(): void {
    if (this.stalled !== undefined || this.threads.length > 0 || this.queueSize === 0) return;
    this.stalled = this.lastFailure ?? new Error('no worker thread could start');
    void this.destroy().catch(() => undefined);
  }
}

function newPool(start: number, workers: number): Piscina {
  const pool = new ShardPool({
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
 *
 * `wait`: resolves once the threads have ended, whoever started the pool (bounded as in
 * `poolsEnded`). A failed run waits so before it cleans up: each thread holds file
 * descriptors, and a run that failed for want of them (EMFILE) could otherwise not read its
 * lock to remove it, nor list its directory to remove its temporaries.
 */
export function releasePool(pool: Piscina, wait = false): Promise<void> {
  const ended = destroy(pool);
  if (!wait) return binaryOwned.has(pool) ? Promise.resolve() : ended;
  return bounded([ended], POOL_END_MS);
}

/** How long the binary, or a failed run, waits for a pool's threads to end. */
const POOL_END_MS = 2000;

/** Resolves once all of `ends` have, or after `limitMs`: a thread that does not end (stuck in native code) must not keep a command from finishing. */
function bounded(ends: Promise<void>[], limitMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, limitMs);
    void Promise.all(ends).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Ends the prestarted pool if no run took it, and resolves once every pool the binary
 * prestarted whose threads may still be booting has ended them (or after `limitMs`). The
 * binary awaits this before `process.exit`: exiting while a worker is still booting
 * (loading its bundle) can abort the whole process inside Node's teardown (SIGABRT, a
 * fatal error printed) — seen with a scenario refused at once, before the prestarted
 * workers were up — so a refusal meant to exit 2 ended by a signal.
 */
export function poolsEnded(limitMs = POOL_END_MS): Promise<void> {
  const p = prestarted;
  prestarted = null;
  if (p) destroy(p.pool);
  return bounded(ending, limitMs);
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
