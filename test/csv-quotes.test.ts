/**
 * Quotes in CSV files as DuckDB, pandas and Python's csv module read them: a quote opens a
 * quoted field only where a field starts; one inside an unquoted field (`a 5" pipe`, an
 * inch mark in a note column) is a character of that field. Counted as an opening quote,
 * it joined the lines after it into one record, up to the next such quote, and a source
 * variable, eval and train-vae lost those rows without a word.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readColumns } from '../src/eval/column-values.js';
import { csvTable } from '../src/eval/csv-table.js';
import { csvRecords, forEachCsvFileRecords, splitCsvLine } from '../src/input/csv-line.js';
import { readSource } from '../src/variables/source-read.js';
import { readSeries } from '../src/vae/series.js';
import { tempDir } from './helpers.js';

const SEED = Number(process.env['CSV_QUOTES_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
console.log(`csv quotes seed ${SEED} (replay: CSV_QUOTES_SEED=${SEED} npx vitest run test/csv-quotes.test.ts)`);

/**
 * A whole text's records and their fields, read in one pass by the rule above (a reference
 * written apart from input/csv-line's line-by-line reading): records end at \n, \r\n or a
 * lone \r outside quotes; blank records are none.
 */
function reference(text: string): string[][] {
  const out: string[][] = [];
  let fields: string[] = [];
  let cur = '';
  let quoted = false;
  let atStart = true;
  let blank = true;
  const endRecord = () => {
    fields.push(cur);
    if (!(blank && fields.length === 1 && cur.trim() === '')) out.push(fields);
    fields = [];
    cur = '';
    atStart = true;
    blank = true;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
      continue;
    }
    if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
    } else if (ch === ',') {
      fields.push(cur);
      cur = '';
      atStart = true;
      blank = false;
    } else if (ch === '"' && atStart) {
      quoted = true;
      atStart = false;
      blank = false;
    } else {
      cur += ch;
      if (ch !== ' ' && ch !== '\t') {
        atStart = false;
        blank = false;
      }
    }
  }
  if (cur !== '' || fields.length > 0) endRecord();
  return out;
}

/** A series of 60 five-minute rows whose note column has inch marks on rows 5 and 8. */
function inchFile(dir: string): { file: string; values: number[] } {
  const values = Array.from({ length: 60 }, (_, i) => Math.round(100 * Math.sin(i / 5)) / 10);
  const rows = values.map((v, i) => {
    const t = new Date(Date.UTC(2024, 2, 1) + i * 300_000).toISOString();
    const note = i === 5 ? 'a 5" pipe' : i === 8 ? 'a 7" screen' : i === 11 ? 'said "hi" twice' : 'ok';
    return `${t},${v},${note}`;
  });
  const file = join(dir, 'inch.csv');
  writeFileSync(file, ['timestamp,value,note', ...rows].join('\n') + '\n');
  return { file, values };
}

describe('a quote inside an unquoted field is part of the field', () => {
  it('records and fields: one record a line, the quotes kept (before: lines 7 to 10 were one record)', () => {
    const text = 'a,b\n1,a 5" pipe\n2,ok\n3,a 7" screen\n4, "x, y"\n5,"ab"cd\n6,5"5"\n';
    expect(csvRecords(text).records).toEqual(['a,b', '1,a 5" pipe', '2,ok', '3,a 7" screen', '4, "x, y"', '5,"ab"cd', '6,5"5"']);
    expect(splitCsvLine('1,a 5" pipe')).toEqual(['1', 'a 5" pipe']);
    // A quoted field after spaces is still one (a hand-written file's `, "x, y"`).
    expect(splitCsvLine('4, "x, y"')).toEqual(['4', ' x, y']);
    expect(splitCsvLine('5,"ab"cd')).toEqual(['5', 'abcd']);
    // Before, 5"5" read as the number 55.
    expect(splitCsvLine('6,5"5"')).toEqual(['6', '5"5"']);
  });

  it('random files with quotes inside and around fields, any line end, pieces of 1–64 bytes: the reference records and fields', () => {
    const field = fc.oneof(
      { weight: 5, arbitrary: fc.stringMatching(/^[a-z0-9. ]{0,5}$/) },
      { weight: 2, arbitrary: fc.constantFrom('5"', 'a 5" b', 'x"y"z', '12""', ' "q"', '"a\nb"', '"x\r\ny"', '"q""q"', '""', '"ab"c"d', '"",x') },
    );
    const file = join(tempDir(), 'q.csv');
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 1, maxLength: 4 }).map((f) => f.join(',')), { maxLength: 20 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.integer({ min: 1, max: 64 }),
        (lines, eol, piece) => {
          const text = lines.join(eol) + eol;
          const want = reference(text);
          const whole = csvRecords(text);
          // A quote left open makes the last record run to the end: the reference reads the same.
          expect(whole.records.map(splitCsvLine)).toEqual(want);
          writeFileSync(file, text);
          const got: string[][] = [];
          const openAt = forEachCsvFileRecords(file, (records) => (records.forEach((r) => got.push(splitCsvLine(r))), true), { pieceBytes: piece });
          expect(got).toEqual(whole.openAt === undefined ? want : want.slice(0, -1));
          expect(openAt).toBe(whole.openAt);
        },
      ),
      { seed: SEED, numRuns: 400, endOnFailure: true },
    );
  });

  it('a source variable, eval and train-vae read every row of a file with inch marks in a note column', () => {
    const dir = tempDir();
    const { file, values } = inchFile(dir);
    const src = readSource(file, 'csv', 'value', { column: 'timestamp' });
    expect(Array.from(src.values)).toEqual(values);
    expect(Array.from(src.times!)).toEqual(values.map((_, i) => Date.UTC(2024, 2, 1) + i * 300_000));
    const t = csvTable(file, 32);
    const { arrays } = readColumns(t, [
      { name: 'timestamp', kind: 'time' },
      { name: 'value', kind: 'score' },
    ]);
    expect(Array.from(arrays[1]!)).toEqual(values);
    expect(t.where(59)).toBe(`${file}:61`);
    const s = readSeries(file, ['value'], { pieceBytes: 32 });
    expect(Array.from(s.values[0]!)).toEqual(values);
    expect(readFileSync(file, 'utf8')).toContain('a 5" pipe');
  });

  it('a value cell with a quote inside is not a number, named by its own line (before: the lines after it, joined)', () => {
    const dir = tempDir();
    const file = join(dir, 'v.csv');
    writeFileSync(file, 'timestamp,value\n2024-01-01T00:00:00Z,1\n2024-01-01T00:05:00Z,5"\n2024-01-01T00:10:00Z,3\n2024-01-01T00:15:00Z,8"\n');
    expect(() => readSource(file, 'csv', 'value', { column: 'timestamp' })).toThrow(`line 3: '5"' in column 'value' is not a number`);
    expect(() => readSeries(file, ['value'])).toThrow(`${file}:3: column 'value' holds '5"', not a finite number`);
  });

  it('eval: a quote left open after an inch mark (an even count of quotes in the file) is still named', () => {
    const dir = tempDir();
    const file = join(dir, 'p.csv');
    writeFileSync(file, 'timestamp,score,note\n2024-01-01T00:00:00Z,1,a 5" pipe\n2024-01-01T00:05:00Z,2,"open\n2024-01-01T00:10:00Z,3,x\n');
    // Before anything else is read, as for an odd count: not after the rows before it.
    expect(() => csvTable(file)).toThrow(`${file}:3: a quoted field is never closed`);
  });
});
