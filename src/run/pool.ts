/** The shard worker pool (piscina). Workers run the compiled workers/shard-worker.js. */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';

/**
 * Path of the compiled worker. When this module runs from TypeScript sources (tests), the
 * worker still comes from dist/, which `npm test` builds first.
 */
export function shardWorkerPath(): string {
  const here = import.meta.url;
  const rel = here.endsWith('.ts') ? '../../dist/workers/shard-worker.js' : '../../workers/shard-worker.js';
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

export function createPool(workers: number): Piscina {
  return new Piscina({
    resourceLimits: { maxOldGenerationSizeMb: workerMemoryMb() },
    filename: shardWorkerPath(),
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 1000,
    // Memory is bounded by workers × shard size: keep tasks from queueing inside workers.
    concurrentTasksPerWorker: 1,
  });
}
