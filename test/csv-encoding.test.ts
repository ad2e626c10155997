/**
 * CSV files that are not UTF-8 text, as every reader of users' CSV files meets them
 * (a source variable, `eval`, `train-vae`): a spreadsheet's "Unicode text" (UTF-16, or
 * UTF-32) decodes as UTF-8 with a NUL between its letters, so its header printed as
 * `timestamp, value` and yet had no column 'value'. Such a file, and a NUL byte anywhere
 * (compressed or binary data), is refused naming the file, the line and the encoding. A
 * Latin-1 file still reads, but a column whose name it spells with a non-ASCII letter is
 * not found under the name the user types: the message says the file is not UTF-8.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readColumns } from '../src/eval/column-values.js';
import { csvTable } from '../src/eval/csv-table.js';
import { parseScenario } from '../src/reader/load.js';
import { readSeries } from '../src/vae/series.js';
import { tempDir } from './helpers.js';
import { cliProcess, writeScenario } from './reliability-helpers.js';

const TEXT = 'timestamp,value\n2024-01-01T00:00:00Z,1.5\n2024-01-01T00:01:00Z,2.5\n2024-01-01T00:02:00Z,3.5\n';

/** The same text in the encodings a spreadsheet saves "Unicode text" in, with their byte-order marks. */
const ENCODED: Array<[string, Buffer, RegExp]> = [
  ['UTF-16 LE', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')]), /the file is UTF-16 text \(byte-order mark FF FE\), not UTF-8: save it as UTF-8 CSV/],
  ['UTF-16 BE', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(TEXT, 'utf16le').swap16()]), /the file is UTF-16 text \(byte-order mark FE FF\), not UTF-8/],
  ['UTF-32 LE', Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), ...Array.from(TEXT, (c) => Buffer.from([c.charCodeAt(0), 0, 0, 0]))]), /the file is UTF-32 text \(byte-order mark FF FE 00 00\), not UTF-8/],
  ['UTF-16 LE without a byte-order mark', Buffer.from(TEXT, 'utf16le'), /a NUL byte \(0x00\): the file is not UTF-8 text \(UTF-16 without a byte-order mark, compressed or binary\?\)/],
];

function fileOf(bytes: Buffer | string, name = 'series.csv'): { dir: string; file: string } {
  const dir = tempDir();
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return { dir, file };
}

function sourceScenario(dir: string): void {
  parseScenario(JSON.stringify({ timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows: 3 }, variables: { v: { type: 'source', file: 'series.csv', column: 'value', timestamps: 'map' } } }), join(dir, 'scenario.json'));
}

describe('a CSV file in another encoding than UTF-8', () => {
  it.each(ENCODED)('%s: refused at line 1 by a source variable, eval and train-vae (before: "no column \'value\' (columns: timestamp, value)")', (_, bytes, why) => {
    const { dir, file } = fileOf(bytes);
    expect(() => sourceScenario(dir)).toThrow(new RegExp(`variables\\.v\\.file: series\\.csv: line 1: ${why.source}`));
    expect(() => csvTable(file)).toThrow(new RegExp(`${file.replace(/[.]/g, '\\.')}:1: ${why.source}`));
    expect(() => readSeries(file)).toThrow(new RegExp(`${file.replace(/[.]/g, '\\.')}:1: ${why.source}`));
  });

  it('the same text in UTF-8, with or without a byte-order mark, reads as before', () => {
    for (const bytes of [TEXT, `\uFEFF${TEXT}`]) {
      const { dir, file } = fileOf(bytes);
      expect(() => sourceScenario(dir)).not.toThrow();
      expect(Array.from(readSeries(file).values[0]!)).toEqual([1.5, 2.5, 3.5]);
    }
  });
});

describe('a NUL byte inside a UTF-8 file', () => {
  // 200 rows, a NUL on line 151: past the first pieces of 64 bytes a reader holds.
  const rows = Array.from({ length: 200 }, (_, i) => `2024-01-01T${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00Z,${i}`);
  rows[149] += '\0';
  const text = `timestamp,value\r\n${rows.join('\r\n')}\r\n`;
  const why = 'line 151: a NUL byte (0x00): the file is not UTF-8 text';

  it('eval read in small pieces names the line it is on', () => {
    const { file } = fileOf(text);
    const table = csvTable(file, 64);
    expect(() => readColumns(table, [{ name: 'value', kind: 'score' }])).toThrow(`${file}:151: a NUL byte (0x00)`);
  });

  it('train-vae read in small pieces names the line it is on', () => {
    const { file } = fileOf(text);
    expect(() => readSeries(file, undefined, { pieceBytes: 64 })).toThrow(`${file}:151: a NUL byte (0x00)`);
  });

  it('generate with a source: exit 2 naming the variable, file and line, nothing written', () => {
    const { dir } = fileOf(text);
    const scenario = writeScenario(dir, { seed: 1, timeline: { rows: 100 }, variables: { v: { type: 'source', file: 'series.csv', column: 'value' } } });
    const r = cliProcess(['generate', scenario, '--out', join(dir, 'out')]);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain(`variables.v.file: series.csv: ${why}`);
    expect(r.err).not.toMatch(/internal error|^\s+at /m);
    expect(readdirSync(dir).sort()).toEqual(['scenario.json', 'series.csv']);
  });
});

describe('a CSV file in Latin-1', () => {
  // 'température' in Latin-1: the é is one byte UTF-8 cannot read, decoded as U+FFFD.
  const bytes = Buffer.from('timestamp,temp\xe9rature\n2024-01-01T00:00:00Z,1.5\n2024-01-01T00:01:00Z,2.5\n', 'latin1');
  const note = '(\uFFFD marks bytes that are not UTF-8: the file is in another encoding, such as Latin-1; save it as UTF-8)';

  it("a column named as the user spells it is not found, and the message says why (before: no column 'température' (columns: timestamp, temp\uFFFDrature) alone)", () => {
    const { dir, file } = fileOf(bytes);
    const scenario = () => parseScenario(JSON.stringify({ timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows: 2 }, variables: { v: { type: 'source', file: 'series.csv', column: 'température' } } }), join(dir, 'scenario.json'));
    expect(scenario).toThrow(`series.csv: no column 'température' (columns: timestamp, temp\uFFFDrature) ${note}`);
    expect(() => readSeries(file, ['température'])).toThrow(`${file} has no column 'température'; its columns are: timestamp, temp\uFFFDrature ${note}`);
    const table = csvTable(file);
    expect(() => readColumns(table, [{ name: 'température', kind: 'score' }])).toThrow(`${file} has no column 'température' ${note}`);
  });

  it('a Latin-1 file whose names are ASCII reads as before, with no note', () => {
    const { file } = fileOf(Buffer.from('timestamp,value,note\n2024-01-01T00:00:00Z,1.5,caf\xe9\n', 'latin1'));
    expect(Array.from(readSeries(file, ['value']).values[0]!)).toEqual([1.5]);
    expect(() => readSeries(file, ['valeu'])).toThrow(/has no column 'valeu'; its columns are: timestamp, value, note$/);
  });
});

describe('comment lines above the header', () => {
  // As loggers and some exports write them: the readers take the first line as the header.
  const bytes = `# exported by logger v2\n# site: A\n${TEXT}`;
  const note = "(the first line starts with '#', a comment: the first line of the file is read as its header row; remove the lines above the header)";

  it("a source, train-vae and eval say so (before: no column 'value' (columns: # exported by logger v2) alone)", () => {
    const { dir, file } = fileOf(bytes);
    expect(() => sourceScenario(dir)).toThrow(`series.csv: no column 'value' (columns: # exported by logger v2) ${note}`);
    expect(() => readSeries(file, ['value'])).toThrow(`${file} has no column 'value'; its columns are: # exported by logger v2 ${note}`);
    expect(() => readColumns(csvTable(file), [{ name: 'value', kind: 'score' }])).toThrow(`${file} has no column 'value' ${note}`);
  });

  it("with the columns not named, a source and train-vae say so too (before: 'line 2: 2 fields, but the header has 1' and 'no numeric column' alone)", () => {
    const one = fileOf(`# exported by logger v2\n${TEXT}`);
    const source = (dir: string) => parseScenario(JSON.stringify({ timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows: 3 }, variables: { v: { type: 'source', file: 'series.csv' } } }), join(dir, 'scenario.json'));
    expect(() => source(one.dir)).toThrow(`series.csv: line 2: 2 fields, but the header has 1 ${note}`);
    const two = fileOf(bytes);
    expect(() => source(two.dir)).toThrow(`series.csv: line 2: '# site: A' in column '# exported by logger v2' is not a number ${note}`);
    expect(() => readSeries(one.file)).toThrow(`${one.file} has no numeric column besides a timestamp; name the columns with --columns ${note}`);
  });

  it('a header whose first name merely holds a # later is left as it is', () => {
    const { file } = fileOf('time#1,value\n2024-01-01T00:00:00Z,1.5\n');
    expect(() => readSeries(file, ['valeu'])).toThrow(/has no column 'valeu'; its columns are: time#1, value$/);
  });
});
