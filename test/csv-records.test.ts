/**
 * CSV records of any length, read in pieces (input/csv-line): a record longer than a piece
 * makes its piece longer, up to the longest record a reader takes (64 MiB); past it, a
 * quote never closed or a file without line breaks is refused naming the line the record
 * starts on, never read on into one string the size of the file. Files whose lines end in
 * a lone \r are cut into pieces too, with their line numbers.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readColumns } from '../src/eval/column-values.js';
import { csvTable } from '../src/eval/csv-table.js';
import { csvRecords, CsvRecordTooLong, forEachCsvFilePiece, forEachCsvFileRecords, MAX_CSV_RECORD_BYTES } from '../src/input/csv-line.js';
import { readSeries } from '../src/vae/series.js';
import { readPredictions as readPredictionsBefore } from './fixtures/eval-previous/join.js';
import { tempDir } from './helpers.js';
import { cliProcess, writeScenario } from './reliability-helpers.js';

const SEED = Number(process.env['CSV_RECORDS_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
console.log(`csv records seed ${SEED} (replay: CSV_RECORDS_SEED=${SEED} npx vitest run test/csv-records.test.ts)`);

/** Records and their lines as the piece reader hands them on, or the record it refused. */
function pieced(file: string, pieceBytes: number, maxRecordBytes?: number): unknown {
  const got: Array<[string, number]> = [];
  const hash = createHash('sha256');
  try {
    const openAt = forEachCsvFileRecords(file, (records, lines) => {
      records.forEach((r, i) => got.push([r, lines[i]!]));
      return true;
    }, { pieceBytes, maxRecordBytes, onBytes: (b) => hash.update(b) });
    return { records: got, openAt, sha256: hash.digest('hex') };
  } catch (err) {
    if (!(err instanceof CsvRecordTooLong)) throw err;
    return { tooLong: err.line, message: err.message };
  }
}

/** What the whole text gives: its records and lines (a quote left open: no last record, the line it opened on). */
function whole(file: string): unknown {
  const bytes = readFileSync(file);
  const r = csvRecords(new TextDecoder().decode(bytes));
  const records = r.records.map((rec, i) => [rec, r.line[i]!]);
  if (r.openAt !== undefined) records.pop();
  return { records, openAt: r.openAt, sha256: createHash('sha256').update(bytes).digest('hex') };
}

const field = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z0-9.]{0,6}$/) },
  { weight: 2, arbitrary: fc.constantFrom('"a\nb"', '"x\r\ny"', '"q""q"', '"\r"', '""') },
  // A field longer than any piece: the piece grows to hold its record.
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 3000 }).map((n) => `"${'long,\n'.repeat(n / 6)}"`) },
);
const textArb = fc.record({
  lines: fc.array(fc.array(field, { minLength: 1, maxLength: 3 }).map((f) => f.join(',')), { maxLength: 25 }),
  eol: fc.constantFrom('\n', '\r\n', '\r'),
  open: fc.boolean(),
  piece: fc.integer({ min: 1, max: 64 }),
});

describe('CSV records longer than a piece', () => {
  it('random files with records up to 3 KB, pieces of 1–64 bytes, any line end: the records, lines and hash of the whole text', () => {
    const file = join(tempDir(), 'r.csv');
    fc.assert(
      fc.property(textArb, (t) => {
        writeFileSync(file, t.lines.join(t.eol) + (t.open ? `${t.eol}1,"open` : t.eol));
        expect(pieced(file, t.piece)).toEqual(whole(file));
      }),
      { seed: SEED, numRuns: 300, endOnFailure: true },
    );
  });

  it('a record of exactly the longest length is read; one byte more is refused, naming the line it starts on', () => {
    const dir = tempDir();
    const max = 256;
    for (const eol of ['\n', '\r\n']) {
      const file = join(dir, 'edge.csv');
      // The longest record and its line end fill the window exactly.
      const longest = 'y'.repeat(max - eol.length);
      writeFileSync(file, ['a,b', '1,2', longest, '3,4'].join(eol) + eol);
      expect(pieced(file, 8, max)).toEqual(whole(file));
      writeFileSync(file, ['a,b', '1,2', `${longest}y`, '3,4'].join(eol) + eol);
      expect(pieced(file, 8, max)).toEqual({ tooLong: 3, message: `line 3: no line break within 256 bytes; records over 256 bytes are not read (is it a CSV file?)` });
    }
  });

  it('a quote never closed, in a file larger than a record may be: refused at the line its record starts on, whatever the line ends', () => {
    const dir = tempDir();
    for (const eol of ['\n', '\r\n', '\r']) {
      const file = join(dir, 'open.csv');
      const rows = Array.from({ length: 40 }, (_, i) => `${i},${i * 2}`);
      rows[30] = '30,"never closed';
      writeFileSync(file, ['a,b', ...rows].join(eol) + eol);
      // Small pieces: lines counted across many of them, lone \r included.
      expect(pieced(file, 16, 64), JSON.stringify(eol)).toEqual({
        tooLong: 32,
        message: 'line 32: a quoted field opened in the record that starts here is not closed within 64 bytes; records over 64 bytes are not read (a quote left open?)',
      });
      // With room for the rest of the file it is the last record, its quote open at the end.
      expect(pieced(file, 16), JSON.stringify(eol)).toEqual(whole(file));
    }
  });

  it('a file whose lines end in a lone \\r is cut between its lines, not held whole', () => {
    const file = join(tempDir(), 'cr.csv');
    writeFileSync(file, 'a,b\r' + Array.from({ length: 5000 }, (_, i) => `${i},${i}\r`).join(''));
    let pieces = 0;
    let longest = 0;
    forEachCsvFilePiece(file, (text) => {
      pieces++;
      longest = Math.max(longest, text.length);
    }, { pieceBytes: 1024 });
    expect(longest).toBeLessThanOrEqual(1024);
    expect(pieces).toBeGreaterThan(30);
    expect(pieced(file, 1024)).toEqual(whole(file));
  });

  it("eval's predictions with a 200 KB record among pieces of 64 bytes: the times, scores and lines of the whole file", () => {
    const file = join(tempDir(), 'preds.csv');
    const rows = Array.from({ length: 50 }, (_, i) => `2024-01-01T00:00:${String(i).padStart(2, '0')}Z,${(i % 7) / 7}`);
    // A score cell padded with 200 KB of spaces, which a number is read without.
    rows[20] = `2024-01-01T00:00:20Z,${' '.repeat(200_000)}0.5`;
    writeFileSync(file, ['timestamp,score', ...rows].join('\n') + '\n');
    const t = csvTable(file, 64);
    const { arrays } = readColumns(t, [
      { name: 'timestamp', kind: 'time' },
      { name: 'score', kind: 'score' },
    ]);
    const before = readPredictionsBefore(file);
    expect(Array.from(arrays[1]!)).toEqual(Array.from(before.values));
    expect(Array.from(arrays[0]!)).toEqual(Array.from(before.times));
    expect(arrays[1]![20]).toBe(0.5);
    expect(t.where(21)).toBe(`${file}:23`);
  });
});

describe('a CSV record over 64 MiB', () => {
  /** Sparse: a header and a row, then a hole of zero bytes (no line break) read back without touching the disk. */
  function sparse(file: string, header: string): void {
    writeFileSync(file, `${header}\n`);
    truncateSync(file, MAX_CSV_RECORD_BYTES + (1 << 20));
  }

  it('eval: exit 2 naming the file and the line (before: a file over 512 MiB refused whole, one under it read into one string)', () => {
    const dir = tempDir();
    const preds = join(dir, 'preds.csv');
    sparse(preds, 'timestamp,score\n2024-01-01T00:00:00Z,0.5');
    writeFileSync(join(dir, 'labels.csv'), 'timestamp,is_anomaly\n2024-01-01T00:00:00Z,0\n');
    const r = cliProcess(['eval', preds, '--labels', join(dir, 'labels.csv')]);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain(`${preds}:3: no line break within 64 MiB; records over 64 MiB are not read (is it a CSV file?)`);
    expect(r.err).not.toMatch(/internal error|^\s+at /m);
    rmSync(preds);
  });

  it('generate with a source file: exit 2 naming the variable, the file and the line, nothing written', () => {
    const dir = tempDir();
    sparse(join(dir, 'series.csv'), 'value\n1.5');
    const scenario = writeScenario(dir, { seed: 1, timeline: { rows: 100 }, variables: { v: { type: 'source', file: 'series.csv', column: 'value' } } });
    const r = cliProcess(['generate', scenario, '--out', join(dir, 'out')]);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain('series.csv: line 3: no line break within 64 MiB; records over 64 MiB are not read (is it a CSV file?)');
    expect(r.err).not.toMatch(/internal error|^\s+at /m);
    expect(readdirSync(dir).sort()).toEqual(['scenario.json', 'series.csv']);
    rmSync(join(dir, 'series.csv'));
  });

  it('train-vae: a user error naming the file and the line', () => {
    const file = join(tempDir(), 'train.csv');
    writeFileSync(file, `value\n${'1\n'.repeat(10)}"open\n${'2\n'.repeat(200)}`);
    expect(() => readSeries(file, undefined, { pieceBytes: 16, maxRecordBytes: 64 })).toThrow(
      `${file}:12: a quoted field opened in the record that starts here is not closed within 64 bytes; records over 64 bytes are not read (a quote left open?)`,
    );
  });
});
