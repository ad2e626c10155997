/**
 * The counts a library caller gives a run — worker threads, rows per shard, blocks verify
 * samples — checked as
 * the command line checks its own options (cli/options.ts), before anything is written: a
 * worker count that is not a number (NaN) made a pool that never ran a task, so the run
 * never ended, and a shard size of 0, −1 or 1.5 was silently replaced by another.
 */
import { ParanomError } from '../errors.js';

/** The most worker threads a run starts, as `--workers` allows. */
export const MAX_WORKERS = 1024;
/** The most rows a shard holds, as `--shard-rows` allows. */
export const MAX_SHARD_ROWS = 1e9;

/** Refuses (USAGE, exit 2) a `workers` or `shardRows` that is given but not an integer in range. */
export function checkRunCounts(options: { workers?: number | undefined; shardRows?: number | undefined }): void {
  checkCount('workers', options.workers, MAX_WORKERS);
  checkCount('shardRows', options.shardRows, MAX_SHARD_ROWS);
}

/** The most blocks `verify` regenerates, as `--sample` allows. */
export const MAX_SAMPLE_BLOCKS = 1e6;

/** Refuses (USAGE, exit 2) a count that is given but not an integer from `min` to `max`. */
export function checkCount(name: string, value: number | undefined, max: number, min = 1): void {
  if (value === undefined || (Number.isSafeInteger(value) && value >= min && value <= max)) return;
  throw new ParanomError('USAGE', `${name} must be an integer from ${min} to ${max.toLocaleString('en-US')}, got ${value}`);
}
