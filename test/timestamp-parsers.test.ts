/**
 * The two timestamp readers side by side: model/units.ts's `parseInstantMs` (a scenario's
 * instants, source files' timestamps, `--start-at`) and eval/timestamps.ts's
 * `parseTimestamp` (the join keys of labels and predictions). One table of inputs, with
 * what each reads; the differences are deliberate — eval takes epoch numbers, NAB's forms
 * and what files already in use hold, the scenario side refuses anything that would shift
 * a timeline — so a change to either shows here as a changed row.
 */
import { describe, expect, it } from 'vitest';
import { parseInstantMs } from '../src/model/units.js';
import { parseTimestamp } from '../src/eval/timestamps.js';

const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0) => Date.UTC(y, mo - 1, d, h, mi, s, ms);
const AT = utc(2014, 2, 14, 14, 30);

/** Input, what eval reads (NaN: refused), what a scenario reads (undefined: refused). */
const TABLE: Array<[string, number, number | undefined]> = [
  // NAB's data and windows, and ISO 8601 with and without a zone: both read them alike.
  ['2014-02-14 14:30:00', AT, AT],
  ['2014-02-14T14:30:00', AT, AT],
  ['2014-02-14T14:30:00Z', AT, AT],
  ['2014-02-14T14:30:00+02:00', AT - 2 * 3_600_000, AT - 2 * 3_600_000],
  ['2014-02-14T14:30:00-0130', AT + 90 * 60_000, AT + 90 * 60_000],
  ['2014-02-14 14:30', AT, AT],
  // An offset of whole hours alone, as DuckDB and PostgreSQL write a TIMESTAMPTZ to CSV (before: refused by both).
  ['2014-02-14 14:30:00+00', AT, AT],
  ['2014-02-14 14:30:00.25+05', AT + 250 - 5 * 3_600_000, AT + 250 - 5 * 3_600_000],
  ['2014-02-14T14:30-03', AT + 3 * 3_600_000, AT + 3 * 3_600_000],
  // But not after a date alone, nor beside another offset.
  ['2014-02-14-05', NaN, undefined],
  ['2014-02-14T14:30:00+02-0100', NaN, undefined],
  ['2014-02-14', utc(2014, 2, 14), utc(2014, 2, 14)],
  ['2014-02-14Z', utc(2014, 2, 14), utc(2014, 2, 14)],
  ['2014-02-14 14:30:00.000000', AT, AT],
  ['2014-02-14 14:30:00.5', AT + 500, AT + 500],
  ['  2014-02-14 14:30:00  ', AT, AT],
  ['2014-02-14T24:00:00', utc(2014, 2, 15), utc(2014, 2, 15)],
  ['9999-12-31T23:59:59.999Z', utc(9999, 12, 31, 23, 59, 59, 999), utc(9999, 12, 31, 23, 59, 59, 999)],
  // Years below 100 are those years (not 1900–1999).
  ['0050-01-01', new Date('0050-01-01T00:00:00Z').getTime(), new Date('0050-01-01T00:00:00Z').getTime()],
  // Eval keeps sub-millisecond fractions as keys; a scenario's instants are whole milliseconds.
  ['2014-02-14 14:30:00.123456', AT + 123.456, AT + 123],
  // RFC 3339's lower-case t and z (§5.6), in the plain form and the general one (before: a scenario refused them).
  ['2014-02-14T14:30:00z', AT, AT],
  ['2014-02-14t14:30:00z', AT, AT],
  ['2014-02-14t14:30:00Z', AT, AT],
  ['2014-02-14t14:30:00', AT, AT],
  ['2014-02-14t14:30:00.123z', AT + 123, AT + 123],
  ['2014-02-14t14:30:00.5+02:00', AT + 500 - 2 * 3_600_000, AT + 500 - 2 * 3_600_000],
  ['2014-02-14z', utc(2014, 2, 14), utc(2014, 2, 14)],
  // No other letter.
  ['2014-02-14x14:30:00Z', NaN, undefined],
  ['2014-02-14T14:30:00Zz', NaN, undefined],
  // Offsets past 23:59 are no offsets.
  ['2014-02-14T14:30:00+24:00', NaN, undefined],
  ['2014-02-14T14:30:00+02:60', NaN, undefined],
  // Eval only: a space before the zone.
  ['2014-02-14 14:30:00 +02:00', AT - 2 * 3_600_000, undefined],
  // Neither: impossible dates and times (never rolled forward onto another row's key).
  ['2014-02-30', NaN, undefined],
  ['2015-02-29', NaN, undefined],
  ['2014-13-01', NaN, undefined],
  ['2014-02-14T25:00:00', NaN, undefined],
  ['2014-02-14T24:00:01', NaN, undefined],
  ['2014-02-14T14:60:00', NaN, undefined],
  ['2014-02-14T14:30:60', NaN, undefined],
  ['2016-02-29', utc(2016, 2, 29), utc(2016, 2, 29)],
  // The forms source files hold most, which a scenario reads from their characters; any other digits, the general way.
  ['2014-02-14T14:30:00.123Z', AT + 123, AT + 123],
  ['2014-02-14 14:30:00.123', AT + 123, AT + 123],
  ['2014-02-14T14:30:00.12Z', AT + 120, AT + 120],
  ['2016-02-29T23:59:59.999Z', utc(2016, 2, 29, 23, 59, 59, 999), utc(2016, 2, 29, 23, 59, 59, 999)],
  ['2015-02-29T00:00:00Z', NaN, undefined],
  ['2014-04-31 00:00:00', NaN, undefined],
  ['2014-02-14T14:30:00.1x3Z', NaN, undefined],
  ['2014-02-14T14:3a:00Z', NaN, undefined],
  ['0999-12-31T23:59:59Z', new Date('0999-12-31T23:59:59Z').getTime(), new Date('0999-12-31T23:59:59Z').getTime()],
  // Eval only: numbers (epoch seconds or milliseconds, row keys) as they are, decimal only.
  ['1700000000', 1_700_000_000, undefined],
  ['1700000000000', 1_700_000_000_000, undefined],
  ['1700000000.5', 1_700_000_000.5, undefined],
  ['-5', -5, undefined],
  ['1e3', 1000, undefined],
  // Neither.
  ['0x10', NaN, undefined],
  ['Infinity', NaN, undefined],
  ['', NaN, undefined],
  ['yesterday', NaN, undefined],
  ['2014-02-14T14', NaN, undefined],
  ['2014-02-14  14:30:00', NaN, undefined],
  ['2014-2-14', NaN, undefined],
  ['10000-01-01', NaN, undefined],
];

describe('timestamp readers', () => {
  it.each(TABLE)('%j: eval reads %d, a scenario %s', (text, evalMs, scenarioMs) => {
    expect(parseTimestamp(text)).toBe(evalMs);
    expect(parseInstantMs(text)).toBe(scenarioMs);
  });
});

describe('a scenario reading the plain forms from their characters', () => {
  it('agrees with the general reading of every one of 20,000 instants, in each of the four forms', () => {
    // A fixed sequence (a linear congruential generator): instants from the year 1000 to 9999.
    let x = 12345;
    const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const lo = utc(1000, 1, 1);
    const hi = utc(9999, 12, 31, 23, 59, 59, 999);
    for (let i = 0; i < 20_000; i++) {
      const ms = lo + Math.floor(next() * (hi - lo));
      const iso = new Date(ms).toISOString();
      const whole = iso.slice(0, 19);
      for (const form of [iso, whole + 'Z', whole, iso.slice(0, 23).replace('T', ' ')]) {
        expect(parseInstantMs(form), form).toBe(Date.parse(form.replace(' ', 'T').replace(/Z?$/, 'Z')));
      }
    }
  });
});
