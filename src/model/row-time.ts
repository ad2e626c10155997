/**
 * A row's timestamp. Without jitter it is start + row·step. With `timeline.jitter` each row
 * moves by an offset drawn per row from the counter-based generator at (the scenario's
 * seed, row) — uniform, rounded to whole milliseconds, at most ±jitter — so a timestamp is a
 * pure function of its row like every value (D1–D3: any layout, any growth, the same
 * times). Jitter under half a step keeps the timestamps strictly increasing: consecutive
 * rows are at least step − 2·jitter apart. Everything else that reads time by row (periods
 * given as durations, splits, a source mapped on its timestamps, stream pacing) keeps to the
 * grid start + row·step; only the written timestamps, what a callback sees and the
 * segment table's times carry the jitter (and a report draws rows at those times).
 */
import { fillRowUniforms, rowUniform, seedKey } from '../random/counter.js';
import { systemStream } from '../random/hash.js';
import type { Timeline } from './types.js';

const JITTER_STREAM = systemStream('timeline.jitter');

/** Epoch milliseconds of timeline row `row`. */
export function rowTimeMs(t: Pick<Timeline, 'startMs' | 'stepMs' | 'jitter'>, row: number): number {
  const grid = t.startMs + row * t.stepMs;
  if (!t.jitter) return grid;
  return grid + Math.round((2 * rowUniform(seedKey(t.jitter.seed), JITTER_STREAM, row, 0, 0) - 1) * t.jitter.ms);
}

/** The jitter offsets (ms) of rows [rowStart, rowStart + rows), as rowTimeMs adds them one by one. */
export function jitterOffsets(jitter: NonNullable<Timeline['jitter']>, rowStart: number, rows: number): Float64Array {
  const u = new Float64Array(rows);
  fillRowUniforms(seedKey(jitter.seed), JITTER_STREAM, 0, 0, rowStart, rows, u);
  for (let i = 0; i < rows; i++) u[i] = Math.round((2 * u[i]! - 1) * jitter.ms);
  return u;
}
