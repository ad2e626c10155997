/** Parsing of the human units a scenario uses: durations ("500ms", "1s", "5m", "PT5M") and instants. */
import { parseIsoMs, type InstantOptions } from '../input/instant.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Whole milliseconds as a scenario would spell them: in the largest unit that divides them ("2h", "90s", "7ms"). */
export function spellDurationMs(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) if (ms % UNIT_MS[unit]! === 0) return `${ms / UNIT_MS[unit]!}${unit}`;
  return `${ms}ms`;
}

/**
 * The words a duration's unit may be written in, by the unit they mean: the short forms,
 * and pandas' and English spellings ("5min", "2 hours", "1 week"). Months and years have
 * no fixed length and are not durations.
 */
const UNIT_WORDS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries({
    ms: ['ms', 'msec', 'msecs', 'millisecond', 'milliseconds'],
    s: ['s', 'sec', 'secs', 'second', 'seconds'],
    m: ['m', 'min', 'mins', 'minute', 'minutes'],
    h: ['h', 'hr', 'hrs', 'hour', 'hours'],
    d: ['d', 'day', 'days'],
    w: ['w', 'wk', 'wks', 'week', 'weeks'],
  }).flatMap(([unit, words]) => words.map((w) => [w, unit])),
);

/**
 * Milliseconds in a duration string: a number and a unit ("250ms", "1s", "1.5h", "5min",
 * "2 hours") or an ISO 8601 duration of weeks, days and time ("PT5M", "P1DT12H",
 * "PT0.5S"); undefined if malformed.
 */
export function parseDurationMs(text: string): number | undefined {
  const m = /^\s*(\d+)(?:\.(\d+))?\s*([a-z]+)\s*$/.exec(text);
  if (m) {
    const unit = Object.hasOwn(UNIT_WORDS, m[3]!) ? UNIT_WORDS[m[3]!]! : undefined;
    return unit === undefined ? undefined : scaledMs(m[1]!, m[2] ?? '', UNIT_MS[unit]!);
  }
  return isoDurationMs(text);
}

/** An ISO 8601 duration without years and months (which have no fixed length): PnW, PnDTnHnMn.nS. */
function isoDurationMs(text: string): number | undefined {
  const m = /^\s*P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d+))?S)?)?\s*$/.exec(text);
  // At least one component, and a T only before a time component ("P1DT" is not a duration).
  if (!m || m.slice(1, 6).every((x) => x === undefined) || /T\s*$/.test(text)) return undefined;
  const parts: Array<[string | undefined, string, number]> = [[m[1], '', UNIT_MS['w']!], [m[2], '', UNIT_MS['d']!], [m[3], '', UNIT_MS['h']!], [m[4], '', UNIT_MS['m']!], [m[5], m[6] ?? '', UNIT_MS['s']!]];
  let ms = 0;
  for (const [whole, frac, unit] of parts) if (whole !== undefined) ms += scaledMs(whole, frac, unit) ?? NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/** `whole.frac` units of `unitMs` milliseconds, from the decimal digits. */
function scaledMs(whole: string, fracDigits: string, unitMs: number): number | undefined {
  // From the decimal digits, not a binary fraction: 1.1h is 3,960,000 ms exactly, where
  // 1.1 × 3,600,000 is 3,960,000.0000000005 and would not be a whole number of milliseconds.
  const frac = fracDigits.replace(/0+$/, '');
  const scaled = Number(whole + frac) * unitMs;
  const ms = Number.isSafeInteger(scaled) ? scaled / 10 ** frac.length : Number(`${whole}.${frac || '0'}`) * unitMs;
  return Number.isFinite(ms) ? ms : undefined;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in month `mo` (1–12) of year `y`; undefined for another month number. */
function monthDays(y: number, mo: number): number | undefined {
  const days = MONTH_DAYS[mo - 1];
  return mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : days;
}

/** The decimal digits s[at, at + n) as a number; -1 if any is not a digit. */
function digitsAt(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Epoch milliseconds of the form real series write most — `YYYY-MM-DDTHH:MM:SS`, a space
 * or `t` for the T allowed, then `.sss` and `Z` or not — read from its characters, when every
 * field is in range; undefined for anything else, which the general parse decides. A source
 * file of 20M timestamps spent most of its reading in the general parse's regular expressions.
 */
function plainInstantMs(s: string): number | undefined {
  const n = s.length;
  // Z or z (RFC 3339 allows either case), T or t or a space.
  const z = s.charCodeAt(n - 1);
  const end = z === 90 || z === 122 ? n - 1 : n;
  if ((end !== 19 && end !== 23) || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  const t = s.charCodeAt(10);
  if (t !== 84 && t !== 116 && t !== 32) return undefined;
  const ms = end === 23 ? (s.charCodeAt(19) === 46 ? digitsAt(s, 20, 3) : -1) : 0;
  const y = digitsAt(s, 0, 4);
  const mo = digitsAt(s, 5, 2);
  const d = digitsAt(s, 8, 2);
  const h = digitsAt(s, 11, 2);
  const mi = digitsAt(s, 14, 2);
  const sec = digitsAt(s, 17, 2);
  // Years below 1000 aside: Date.UTC reads 0–99 as 1900–1999.
  if (ms < 0 || y < 1000 || d < 1 || d > (monthDays(y, mo) ?? 0) || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, sec, ms);
}

/**
 * What is wrong with the calendar date an instant starts with (a day past the end of its
 * month, month 13) or with its second (a leap second, :60), or undefined. Date.parse would
 * roll such a day over (2023-02-30 becomes 2023-03-02) and so shift every timestamp built
 * on it.
 */
export function calendarProblem(text: string): string | undefined {
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const days = monthDays(y, mo);
  if (days === undefined || d < 1 || d > days) return `${y}-${m[2]}-${m[3]} is not a calendar date${days ? ` (that month has ${days} days)` : ''}`;
  // A leap second is ISO 8601 and UTC, but epoch milliseconds (JavaScript's, Parquet's
  // timestamps) have no place for it; rolled over it would repeat the next second.
  const leap = text.includes(':60') ? /^\s*\d{4}-\d{2}-\d{2}[Tt ](\d{2}:\d{2}):60(?:[.,]\d+)?/.exec(text) : null;
  if (leap) return `${leap[1]}:60 is a leap second, which timestamps in epoch milliseconds cannot hold: write it as ${leap[1]}:59.999, or drop the row`;
  return undefined;
}

/** How a scenario reads an instant: to the millisecond, the zone right after the time. */
const SCENARIO_INSTANT: InstantOptions = { subMillisecond: false, spaceBeforeZone: false };

/**
 * Epoch milliseconds of an ISO 8601 instant (input/instant.ts; `t` and `z` may be lower
 * case, as RFC 3339 allows); a string without a zone is taken as UTC (never as the
 * machine's local time). undefined if malformed or not a calendar date.
 */
export function parseInstantMs(text: string): number | undefined {
  const plain = plainInstantMs(text);
  if (plain !== undefined) return plain;
  if (calendarProblem(text) !== undefined) return undefined;
  const ms = parseIsoMs(text.trim(), SCENARIO_INSTANT);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The last instant ISO 8601's four-digit years can write: 9999-12-31T23:59:59.999Z. */
export const LAST_INSTANT_MS = 253_402_300_799_999;

/**
 * Why a timeline of `rows` rows from `startMs` at `stepMs` cannot be written, or undefined:
 * its last timestamp must be an instant CSV and NDJSON can spell (year 9999 at most; past
 * it a timestamp reads "+010000-…", which readers such as DuckDB do not take as a time).
 */
export function timelineEndProblem(startMs: number, stepMs: number, rows: number, jitterMs = 0): string | undefined {
  const last = startMs + (rows - 1) * stepMs + jitterMs;
  return last > LAST_INSTANT_MS ? `its last row (${rows - 1}) would fall after 9999-12-31T23:59:59.999Z, the last instant ISO 8601 timestamps can write; use fewer rows or a smaller step${jitterMs ? ' (or less jitter)' : ''}` : undefined;
}

/** The first instant ISO 8601's four-digit years can write: 0000-01-01T00:00:00Z. */
export const FIRST_INSTANT_MS = -62_167_219_200_000;
