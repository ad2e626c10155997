/**
 * Where a worker's time goes on a shard: per-thread accumulators of high-resolution time,
 * one per phase, switched on per task (`GenerateOptions.phases`, what `npm run bench`
 * prints). Switched off — always, unless asked — a timed section costs one test of a
 * boolean per block or page, never per row, and no clock is read.
 *
 * Phases nest as the work does: `prng` is inside `generate`, `compress` inside `encode`;
 * `write` (open, write, close, rename) and `fsync` are the file's; `segments` measures the
 * events starting in the shard for the segment table; `shard` is the whole task.
 */

import { readFileSync } from 'node:fs';

/** The phases timed, in report order. */
export const PHASES = ['shard', 'generate', 'prng', 'encode', 'compress', 'sha256', 'write', 'fsync', 'segments'] as const;
export type Phase = (typeof PHASES)[number];

/** Milliseconds per phase. */
export type PhaseTimes = Record<Phase, number>;

const index = Object.fromEntries(PHASES.map((p, i) => [p, i])) as Record<Phase, number>;
const totals = new Float64Array(PHASES.length);

/** True while this thread times its phases (read before every timed section). */
export let timing = false;

/** Starts (with zeroed totals) or stops timing on this thread. */
export function timePhases(on: boolean): void {
  timing = on;
  totals.fill(0);
}

/** The clock the phases are read with (ms, sub-microsecond resolution). */
export const clock = (): number => performance.now();

/** Adds the time since `since` (a `clock()` reading) to `phase`. */
export function addPhase(phase: Phase, since: number): void {
  totals[index[phase]]! += performance.now() - since;
}

/** Adds `ms` milliseconds to `phase`. */
export function addMs(phase: Phase, ms: number): void {
  totals[index[phase]]! += ms;
}

/** This thread's totals since timing started. */
export function phaseTimes(): PhaseTimes {
  return Object.fromEntries(PHASES.map((p, i) => [p, totals[i]!])) as PhaseTimes;
}

/** Sums phase times (of several shards). */
export function sumPhases(all: readonly PhaseTimes[]): PhaseTimes {
  const out = Object.fromEntries(PHASES.map((p) => [p, 0])) as PhaseTimes;
  for (const t of all) for (const p of PHASES) out[p] += t[p];
  return out;
}

/**
 * One shard task as its worker ran it (with phases on): when it started and ended (epoch
 * ms, comparable across threads), and the worker thread's time on a core and time ready to
 * run but waiting for one during the task. Wall time beyond on-core time is waiting — for a
 * core (other threads: V8's compiler and GC threads, the main thread, other processes) or
 * for the disk.
 */
export interface ShardSpan {
  shard: number;
  /** The worker thread's id (`worker_threads.threadId`). */
  thread: number;
  rows: number;
  start: number;
  end: number;
  /** On-core ms of the worker thread during the task (NaN where the OS does not say). */
  cpu: number;
  /** Ms the worker thread was ready to run but had no core (NaN where the OS does not say). */
  waited: number;
}

/** Epoch milliseconds with sub-millisecond resolution, comparable across threads. */
export const epochMs = (): number => performance.timeOrigin + performance.now();

/**
 * This thread's on-core and run-queue waiting ms so far (Linux schedstat, nanosecond
 * resolution); NaN for both where /proc/thread-self/schedstat is missing.
 */
export function threadSched(): { cpu: number; waited: number } {
  try {
    const [run, wait] = readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ');
    return { cpu: Number(run) / 1e6, waited: Number(wait) / 1e6 };
  } catch {
    return { cpu: NaN, waited: NaN };
  }
}
