/**
 * `grow --end TIME`: the row count that reaches an instant, counted as a scenario's
 * `timeline.end` counts it (rows whose grid time is before the end), from the dataset's
 * own start and step. Growing "to the end of June" needs no arithmetic from the user.
 */
import { ParanomError } from '../errors.js';
import { readManifest, refuseSplitGrowth } from '../dataset/manifest.js';
import { parseInstantMs } from '../model/units.js';

export function rowsUntil(dataset: string, end: unknown): number {
  const text = typeof end === 'string' ? end.trim() : '';
  const endMs = text === '' ? undefined : parseInstantMs(text);
  if (endMs === undefined) throw new ParanomError('USAGE', `--end: expected an ISO 8601 instant such as "2024-07-01T00:00:00Z", got '${String(end ?? '')}'`);
  refuseSplitGrowth(dataset);
  const { startMs, stepMs, rows: had } = readManifest(dataset).scenario.timeline;
  const rows = Math.ceil((endMs - startMs) / stepMs);
  // A dataset only grows: an end at or before its last row's time would keep fewer rows.
  if (rows < had) throw new ParanomError('USAGE', `--end ${text}: the dataset already reaches its last row at ${new Date(startMs + (had - 1) * stepMs).toISOString()}; name a later end`);
  return rows;
}
