/** Parsing of the human units a scenario uses: durations ("500ms", "1s", "5m") and instants. */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds in a duration string such as "250ms", "1s", "1.5h"; undefined if malformed. */
export function parseDurationMs(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * What is wrong with the calendar date an instant starts with (a day past the end of its
 * month, month 13), or undefined. Date.parse would roll such a day over (2023-02-30 becomes
 * 2023-03-02) and so shift every timestamp built on it.
 */
export function calendarProblem(text: string): string | undefined {
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  if (days === undefined || d < 1 || d > days) return `${y}-${m[2]}-${m[3]} is not a calendar date${days ? ` (that month has ${days} days)` : ''}`;
  return undefined;
}

/**
 * Epoch milliseconds of an ISO 8601 instant; a string without a zone is taken as UTC (never
 * as the machine's local time). undefined if malformed or not a calendar date.
 */
export function parseInstantMs(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(text.trim())) {
    return undefined;
  }
  if (calendarProblem(text) !== undefined) return undefined;
  let t = text.trim().replace(' ', 'T');
  if (!/(Z|[+-]\d{2}:?\d{2})$/.test(t)) t += t.includes('T') ? 'Z' : 'T00:00:00Z';
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The last instant ISO 8601's four-digit years can write: 9999-12-31T23:59:59.999Z. */
const LAST_INSTANT_MS = 253_402_300_799_999;

/**
 * Why a timeline of `rows` rows from `startMs` at `stepMs` cannot be written, or undefined:
 * its last timestamp must be an instant CSV and NDJSON can spell (year 9999 at most; past
 * it a timestamp reads "+010000-…", which readers such as DuckDB do not take as a time).
 */
export function timelineEndProblem(startMs: number, stepMs: number, rows: number): string | undefined {
  const last = startMs + (rows - 1) * stepMs;
  return last > LAST_INSTANT_MS ? `its last row (${rows - 1}) would fall after 9999-12-31T23:59:59.999Z, the last instant ISO 8601 timestamps can write; use fewer rows or a smaller step` : undefined;
}
