/**
 * What a variable's own declaration says about how many rows it can fill, checked by
 * validate and again when --rows or grow changes the count, so such a run is refused before
 * it writes anything: an `id` range (its kind's maxRows, also checked when planning), a
 * source with `past_end: error`, which ends at its file's last row, and a process whose
 * trend or random walk would outgrow its column.
 */
import type { Scenario } from '../model/types.js';
import { rowCapacityProblems } from './registry.js';
import { processReachProblem } from './process-validate.js';
import { sourceRowLimit } from './source.js';

/** Problems of the scenario's variables with `rows` rows, as { variable, message }. */
export function rowLimitProblems(s: Pick<Scenario, 'variables' | 'allowNonFinite' | 'baseDir'> & { timeline?: Pick<Scenario['timeline'], 'stepMs'> | undefined }, rows: number): Array<{ variable: string; message: string }> {
  const out: Array<{ variable: string; message: string }> = rowCapacityProblems(s, rows);
  for (const v of s.variables) {
    // A trend or a random walk grows with the rows: past some count it cannot stay finite.
    const reach = v.type === 'process' && !s.allowNonFinite ? processReachProblem(v, rows, s.timeline?.stepMs) : undefined;
    if (reach) out.push({ variable: v.name, message: reach });
    if (v.type === 'source' && v.pastEnd === 'error' && v.timestamps.mode === 'ignore' && v.offset + rows > v.fileRows) {
      out.push({ variable: v.name, message: `reads ${v.file}, which has ${v.fileRows} rows${v.offset ? ` from offset ${v.offset}` : ''}, fewer than the ${rows} rows of the timeline, and past_end is 'error'; use past_end: cycle or hold, or fewer rows` });
    }
    // Mapped timestamps end where the file's span (first to last time plus its mean spacing) does.
    if (v.type === 'source' && v.pastEnd === 'error' && v.timestamps.mode === 'map' && s.timeline) {
      const limit = sourceRowLimit(v, s.timeline, s.baseDir);
      if (rows > limit) out.push({ variable: v.name, message: `maps the timestamps of ${v.file}, whose span covers the first ${limit} rows of the timeline, fewer than its ${rows} rows, and past_end is 'error'; use past_end: cycle or hold, or fewer rows` });
    }
  }
  return out;
}
