/**
 * What a worker is doing, published for the main thread's watchdog (run/watchdog.ts) in a
 * SharedArrayBuffer: whether it runs a callback or loads a module, for which variable,
 * at which row, and a counter bumped on every call. A callback that loops forever cannot
 * report anything itself; the main thread sees the counter stand still and ends the worker,
 * naming the variable and row from here. Plain stores: two per row, no locking.
 */

/** Layout: Int32 [state, variable index, calls]; Float64 at byte 16: the row. */
export const WATCH_BYTES = 24;
export const WATCH_IDLE = 0;
export const WATCH_CALLBACK = 1;
export const WATCH_LOADING = 2;

let ints: Int32Array | undefined;
let rows: Float64Array | undefined;

/** Publishes into `sab` from now on (undefined: publish nothing). */
export function setWatch(sab: SharedArrayBuffer | undefined): void {
  ints = sab ? new Int32Array(sab, 0, 3) : undefined;
  rows = sab ? new Float64Array(sab, 16, 1) : undefined;
}

/** Marks the start of a phase (loading a module, or a block of callback calls) of a variable. */
export function watchPhase(state: number, variable: number, row = -1): void {
  if (!ints) return;
  ints[1] = variable;
  rows![0] = row;
  ints[2]! += 1;
  Atomics.store(ints, 0, state);
}

/** One callback call at `row` (called per row: keep it two stores). */
export function watchRow(row: number): void {
  if (!ints) return;
  rows![0] = row;
  ints[2]! += 1;
}

export function watchIdle(): void {
  if (ints) Atomics.store(ints, 0, WATCH_IDLE);
}

/** Reads a watch buffer (main thread). */
export function readWatch(sab: SharedArrayBuffer): { state: number; variable: number; calls: number; row: number } {
  const i = new Int32Array(sab, 0, 3);
  return { state: Atomics.load(i, 0), variable: Atomics.load(i, 1), calls: Atomics.load(i, 2), row: new Float64Array(sab, 16, 1)[0]! };
}
