/**
 * ISO 8601 / RFC 3339 date-times as epoch milliseconds: the one parser of instants written
 * as text, for a scenario's instants and a source's timestamps (model/units.ts's
 * `parseInstantMs`), `train-vae`'s time order, and `eval`'s join keys
 * (eval/timestamps.ts's `parseTimestamp`). The two callers differ only where `options` says.
 *
 * `YYYY-MM-DD`, then a time `HH:MM[:SS[.fraction]]` after `T` or a space, then `Z` or an
 * offset `±hh:mm`, `±hhmm`, or `±hh` after a time of day (as DuckDB and PostgreSQL write a
 * whole-hour offset). RFC 3339 (§5.6) allows `t` and `z` in lower case, as JavaScript's
 * Date.parse and Python's fromisoformat (for `t`) read them: they cannot mean anything else,
 * so they are read too. Text without a zone is UTC, never the machine's local time. An
 * impossible date or time (February 30, hour 25, minute 60, a leap second's :60, 24:00
 * past the hour) is refused, never rolled forward onto another instant.
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(\s*)([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

export interface InstantOptions {
  /** Keep a fraction finer than the millisecond (else the first three digits count, as Date.parse reads them). */
  subMillisecond: boolean;
  /** Allow spaces between the time and its zone (`14:30:00 +02:00`, as some exports write it). */
  spaceBeforeZone: boolean;
}

/** Epoch milliseconds of an ISO 8601 instant (`text` already trimmed), or NaN. */
export function parseIsoMs(text: string, options: InstantOptions): number {
  const m = ISO.exec(text);
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s, frac, space, zone] = m;
  if (space !== '' && (!options.spaceBeforeZone || zone === undefined)) return Number.NaN;
  // An offset of hours alone follows a time of day, never a date alone ("2014-02-14-05").
  if (zone?.length === 3 && h === undefined) return Number.NaN;
  // Not Date.UTC, which reads years 0–99 as 1900–1999.
  const at = new Date(0);
  at.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  if (at.getUTCMonth() !== Number(mo) - 1 || at.getUTCDate() !== Number(d)) return Number.NaN;
  const [hh, mm, ss] = [Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0)];
  const fraction = frac ?? '';
  if (mm > 59 || ss > 59 || hh > 24 || (hh === 24 && (mm > 0 || ss > 0 || /[1-9]/.test(fraction)))) return Number.NaN;
  let ms = at.setUTCHours(hh, mm, ss, 0);
  if (fraction !== '') ms += options.subMillisecond ? Number(`0.${fraction}`) * 1000 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const [oh, om] = [Number(digits.slice(0, 2)), Number(digits.slice(2) || 0)];
    if (oh > 23 || om > 59) return Number.NaN;
    ms -= sign * (oh * 60 + om) * 60_000;
  }
  return ms;
}
