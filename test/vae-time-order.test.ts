/**
 * train-vae learns windows of consecutive rows, so a training file's rows must come in time
 * order: a file whose time column goes back is refused naming the line (CSV) or row
 * (Parquet) and both times, whatever form its times take; equal times, and a column that
 * holds no times, are read as before.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSeries } from '../src/vae/series.js';
import { duck, tempDir } from './helpers.js';

const dir = tempDir();
const csv = (name: string, lines: string[]) => {
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
};
const iso = (m: number) => new Date(Date.UTC(2024, 0, 1, 0, m)).toISOString();

describe('train-vae data in time order', () => {
  it('a CSV whose times go back is refused at the line, with both times (before: trained on the rows as they came)', () => {
    const rows = [0, 1, 2, 4, 3, 5].map((m) => `${iso(m)},${m * 1.5}`);
    const path = csv('swapped.csv', ['timestamp,value', ...rows]);
    expect(() => readSeries(path)).toThrow(/swapped\.csv:6: time '2024-01-01T00:03:00\.000Z' in column 'timestamp' is earlier than the row before it \('2024-01-01T00:04:00\.000Z'\).*sort the file by 'timestamp' first/);
    // In order, with a repeated time: read as it is.
    const sorted = csv('sorted.csv', ['timestamp,value', ...[0, 1, 2, 2, 3, 4].map((m, i) => `${iso(m)},${i}`)]);
    expect(Array.from(readSeries(sorted).values[0]!)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('epoch numbers and offsets are compared as times; a column of no times is not checked', () => {
    expect(() => readSeries(csv('epoch.csv', ['ts,value', '1700000000,1', '1700000060,2', '1699999940,3']))).toThrow(/epoch\.csv:4: time '1699999940' in column 'ts'/);
    // 01:00+02:00 is 23:00 the day before: earlier than 00:30Z.
    expect(() => readSeries(csv('zones.csv', ['time,value', '2024-01-01T00:30:00Z,1', '2024-01-01T01:00:00+02:00,2']))).toThrow(/zones\.csv:3: time '2024-01-01T01:00:00\+02:00'/);
    expect(readSeries(csv('labels.csv', ['date,value', 'mon,1', 'tue,2', 'sun,3'])).rows).toBe(3);
  });

  it("RFC 3339's lower-case t and z are times too (before: such a column was read as no times, and rows out of order trained on)", () => {
    const lower = (m: number) => iso(m).replace('T', 't').replace('Z', 'z');
    expect(() => readSeries(csv('lower.csv', ['timestamp,value', ...[0, 1, 3, 2].map((m) => `${lower(m)},${m}`)]))).toThrow(/lower\.csv:5: time '2024-01-01t00:02:00\.000z' in column 'timestamp' is earlier than the row before it \('2024-01-01t00:03:00\.000z'\)/);
  });

  it("a time column in a form train-vae does not read (day-first dates) is named, with its first cell: its order and gaps go unchecked, and --missing skip is refused naming it (before: 'the file has no time column')", () => {
    const dayFirst = (m: number) => `01/0${1 + Math.floor(m / 1440)}/2024 00:${String(m % 60).padStart(2, '0')}`;
    const path = csv('day-first.csv', ['time,value', ...[0, 1, 2, 3].map((m) => `${dayFirst(m)},${m}`)]);
    const read = readSeries(path);
    expect(read.times).toBeUndefined();
    expect(read.untimed).toEqual({ column: 'time', cell: '01/01/2024 00:00' });
    const holed = csv('day-first-missing.csv', ['time,value', ...[0, 1, 2, 3].map((m) => `${dayFirst(m)},${m === 2 ? 'NaN' : m}`)]);
    expect(() => readSeries(holed, undefined, {}, 'skip')).toThrow(/day-first-missing\.csv: 1 of 4 rows hold a missing reading, and its time column 'time' holds '01\/01\/2024 00:00', which train-vae does not read as a time \(ISO 8601 text or epoch numbers\), so nothing shows where rows were left out/);
    // A file of ISO times, or with no time-named column, has nothing to say.
    expect(readSeries(csv('iso.csv', ['timestamp,value', `${iso(0)},1`, `${iso(1)},2`])).untimed).toBeUndefined();
    expect(readSeries(csv('plain.csv', ['value', '1', '2'])).untimed).toBeUndefined();
  });

  it("a header that names a trained column twice is refused at line 1, naming its columns (before: the first field's values were trained under both names, the second lost)", () => {
    const rows = [0, 1, 2].map((m) => `${iso(m)},${m},${10 * m}`);
    expect(() => readSeries(csv('twice.csv', ['timestamp,value,value', ...rows]))).toThrow(/twice\.csv:1: 2 columns are named 'value' \(columns 2 and 3\); rename one so the column trained is not a guess/);
    expect(() => readSeries(csv('twice-named.csv', ['timestamp,value,value', ...rows]), ['value'])).toThrow(/twice-named\.csv:1: 2 columns are named 'value'/);
    // A repeated name that is not trained on is no concern.
    expect(Array.from(readSeries(csv('twice-other.csv', ['timestamp,value,x,x', ...rows.map((r) => `${r},0`)]), ['value']).values[0]!)).toEqual([0, 1, 2]);
  });

  it('a Parquet file whose TIMESTAMP column goes back is refused at the row', async () => {
    const path = join(dir, 'swapped.parquet');
    await duck(`COPY (SELECT TIMESTAMP '2024-01-01' + INTERVAL (CASE WHEN i = 7 THEN 2 ELSE i END) MINUTE AS timestamp, i::DOUBLE AS value FROM range(10) t(i)) TO '${path}'`);
    // Rows counted from 0, as every Parquet row in train-vae's messages.
    expect(() => readSeries(path)).toThrow(/swapped\.parquet: row 7: time '2024-01-01T00:02:00\.000Z' in column 'timestamp' is earlier than the row before it \('2024-01-01T00:06:00\.000Z'\)/);
    const ok = join(dir, 'ok.parquet');
    await duck(`COPY (SELECT TIMESTAMP '2024-01-01' + INTERVAL (i) MINUTE AS timestamp, i::DOUBLE AS value FROM range(10) t(i)) TO '${ok}'`);
    expect(readSeries(ok).rows).toBe(10);
  });

  it('a Parquet TIME column (a time of day) is no order of instants: passed over across midnight, as a CSV file\'s 23:55:00 then 00:00:00 is', async () => {
    const path = join(dir, 'time-of-day.parquet');
    // 23:50, 23:55, 00:00, 00:05: in order, across midnight (before: refused, "time '0' ... earlier than '86100000000'").
    await duck(`COPY (SELECT (TIME '23:50:00' + INTERVAL (5 * i) MINUTE) AS time, i::DOUBLE AS value FROM range(4) t(i)) TO '${path}'`);
    expect(Array.from(readSeries(path).values[0]!)).toEqual([0, 1, 2, 3]);
    expect(readSeries(csv('time-of-day.csv', ['time,value', '23:55:00,1', '00:00:00,2'])).rows).toBe(2);
  });
});
