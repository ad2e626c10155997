/**
 * Timestamps as join keys. Labels and predictions meet on their timestamp column, which
 * may be text ("2014-04-10 07:15:00", ISO 8601 with or without a zone, NAB's
 * microsecond form) or numbers (epoch values or plain row keys, decimal only, as every
 * number in a user's file: input/decimal.ts). Text without a zone is read as UTC, so the
 * same file gives the same keys on any machine.
 *
 * Both this and model/units.ts's `parseInstantMs` (the instants of a scenario and of source
 * files) read date-times with input/instant.ts's one parser; keys here also take numbers,
 * fractions finer than the millisecond and a space before the zone, as labels and
 * predictions already in use need (test/timestamp-parsers.test.ts tables both). Neither
 * reads an impossible date or time.
 */
import { parseDecimal } from '../input/decimal.js';
import { parseIsoMs, type InstantOptions } from '../input/instant.js';
import { lowerBound, upperBound } from '../math/search.js';
import type { RowWindow } from './windows.js';

/** How join keys read an instant: sub-millisecond fractions kept, spaces allowed before the zone. */
const KEY_INSTANT: InstantOptions = { subMillisecond: true, spaceBeforeZone: true };

/** Milliseconds since the epoch (fractions kept) for a date-time, or the number itself; NaN if neither. */
export function parseTimestamp(text: string): number {
  const t = text.trim();
  if (t === '') return Number.NaN;
  // A date-time's characters are never a decimal number, nor the reverse.
  return /^\d{4}-/.test(t) ? parseIsoMs(t, KEY_INSTANT) : parseDecimal(t);
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
