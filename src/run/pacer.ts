/**
 * Pacing of a stream: when each row is due, on an absolute schedule measured from the first
 * row, so waiting late once (a timer firing late, a slow reader) never accumulates as drift.
 * Waits are timers, never a busy loop; rows that fall due while waiting go out together.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** The longest delay a Node timer holds (2^31 − 1 ms); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Rows per second, or the timeline's own timestamps at `speed`× real time. */
export type Pace = { rate: number } | { realtime: true; speed: number };

export class Pacer {
  private t0 = -1;

  /** `offsetMs(row)`: when the row is due, in milliseconds after the first streamed row. */
  constructor(private readonly offsetMs: (row: number) => number) {}

  /** The pacer of `pace` for a stream starting at `startRow` of a timeline stepping `stepMs`. */
  static of(pace: Pace, startRow: number, stepMs: number): Pacer {
    return 'rate' in pace ? new Pacer((row) => ((row - startRow) * 1000) / pace.rate) : new Pacer((row) => ((row - startRow) * stepMs) / pace.speed);
  }

  /** Rows per second the pace asks for (how large an Arrow batch may be). */
  static rowsPerSecond(pace: Pace, stepMs: number): number {
    return 'rate' in pace ? pace.rate : (1000 * pace.speed) / stepMs;
  }

  /** Milliseconds until `row` is due (zero or less when it is); the clock starts at the first call. */
  untilDue(row: number): number {
    const now = performance.now();
    if (this.t0 < 0) this.t0 = now;
    return this.t0 + this.offsetMs(row) - now;
  }

  /**
   * Resolves true when `row` is due, or false as soon as `signal` aborts (a stream paced at
   * a row a minute must stop on Ctrl-C without waiting for the row). A wait longer than a
   * timer can hold (about 24.8 days; Node would fire it after 1 ms) is taken in pieces.
   */
  async waitFor(row: number, signal?: AbortSignal): Promise<boolean> {
    for (let ms = this.untilDue(row); ms > 0; ms = this.untilDue(row)) {
      if (signal?.aborted) return false;
      try {
        await sleep(Math.min(ms, MAX_TIMER_MS), undefined, { signal });
      } catch {
        return false;
      }
    }
    return !signal?.aborted;
  }
}
