/**
 * What a variable's own declaration says about how many rows it can fill: an `id` range
 * holds max − min + 1 distinct values, and a source with `past_end: error` ends at its
 * file's last row. Checked by validate and again when --rows or grow changes the count, so
 * such a run is refused before it writes anything.
 */
import type { Scenario } from '../model/types.js';

/** Problems of the scenario's variables with `rows` rows, as { variable, message }. */
export function rowLimitProblems(s: Pick<Scenario, 'variables' | 'timeline'>, rows: number): Array<{ variable: string; message: string }> {
  const out: Array<{ variable: string; message: string }> = [];
  for (const v of s.variables) {
    if (v.type === 'id' && v.max - v.min + 1 < rows) {
      out.push({ variable: v.name, message: `ids from ${v.min} to ${v.max} give ${v.max - v.min + 1} distinct values, fewer than the ${rows} rows of the timeline; widen the range` });
    }
    if (v.type === 'source' && v.pastEnd === 'error' && v.timestamps.mode === 'ignore' && v.offset + rows > v.fileRows) {
      out.push({ variable: v.name, message: `${v.file} has ${v.fileRows} rows${v.offset ? ` from offset ${v.offset}` : ''}, fewer than the ${rows} rows of the timeline, and past_end is 'error'; use past_end: cycle or hold, or fewer rows` });
    }
  }
  return out;
}
