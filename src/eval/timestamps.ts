/**
 * Timestamps as join keys. Labels and predictions meet on their timestamp column, which
 * may be text ("2014-04-10 07:15:00", ISO 8601 with or without a zone, NAB's
 * microsecond form) or numbers (epoch values or plain row keys, decimal only, as every
 * number in a user's file: input/decimal.ts). Text without a zone is read as UTC, so the
 * same file gives the same keys on any machine.
 *
 * model/units.ts's `parseInstantMs` reads the instants of a scenario and of source files
 * more strictly (no numbers, no lowercase `z`, milliseconds at most); keys here stay as
 * lenient as labels and predictions already in use need (test/timestamp-parsers.test.ts
 * tables both). Neither reads an impossible date or time.
 */
import { parseDecimal } from '../input/decimal.js';
import { lowerBound, upperBound } from '../math/search.js';
import type { RowWindow } from './windows.js';

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Milliseconds since the epoch (fractions kept) for a date-time, or the number itself; NaN if neither. */
export function parseTimestamp(text: string): number {
  const t = text.trim();
  if (t === '') return Number.NaN;
  const m = DATE_TIME.exec(t);
  if (m) {
    const [, y, mo, d, h, mi, s, frac, zone] = m;
    // An offset of hours alone follows a time of day, never a date alone ("2014-02-14-05").
    if (zone?.length === 3 && h === undefined) return Number.NaN;
    // Not Date.UTC, which reads years 0–99 as 1900–1999.
    const at = new Date(0);
    at.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
    // A day past its month's end, hour 25 or minute 60 is a mistake in the file: rolled
    // forward it would key labels to another row without a word.
    if (at.getUTCMonth() !== Number(mo) - 1 || at.getUTCDate() !== Number(d)) return Number.NaN;
    const [hh, mm, ss] = [Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0)];
    if (mm > 59 || ss > 59 || hh > 24 || (hh === 24 && (mm > 0 || ss > 0 || Number(`0${frac ?? ''}`) > 0))) return Number.NaN;
    let ms = at.setUTCHours(Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), 0);
    if (frac) ms += Number(`0.${frac}`) * 1000;
    if (zone && zone.toUpperCase() !== 'Z') {
      const sign = zone[0] === '-' ? -1 : 1;
      // ±hh:mm, ±hhmm, or ±hh alone (as DuckDB and PostgreSQL write a UTC offset of whole hours).
      const digits = zone.slice(1).replace(':', '');
      ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0)) * 60_000;
    }
    return ms;
  }
  return parseDecimal(t);
}

/**
 * The rows whose timestamps lie in each inclusive [from, to] interval (NAB's rule for its
 * windows). Returns, per interval, the rows from the first to the last such row, or null
 * when no row falls inside it. Sorted times are binary-searched; a series that steps back
 * in time (NAB has one, at a clock change) is scanned row by row.
 */
export function windowsFromTimes(times: ArrayLike<number>, intervals: ReadonlyArray<readonly [number, number]>): Array<RowWindow | null> {
  let sorted = true;
  for (let i = 1; i < times.length && sorted; i++) sorted = times[i]! >= times[i - 1]!;
  if (!sorted) {
    return intervals.map(([from, to]) => {
      let start = -1;
      let end = -1;
      for (let i = 0; i < times.length; i++) {
        if (times[i]! >= from && times[i]! <= to) {
          if (start < 0) start = i;
          end = i;
        }
      }
      return start >= 0 ? { start, end } : null;
    });
  }
  return intervals.map(([from, to]) => {
    const start = lowerBound(times, from);
    const end = upperBound(times, to);
    return end > start ? { start, end: end - 1 } : null;
  });
}
