/**
 * train-vae's training data read from the disk a piece at a time (vae/series.ts): CSV
 * records piece by piece, Parquet a few row groups of the wanted columns at a time. Pinned
 * against the reader that read the file whole (test/fixtures/vae-previous): the same
 * values bit for bit, columns, hash and rows, or the same message; the same model files
 * from train-vae; and a column not trained on is never decoded.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import fc from 'fast-check';
import { Bool, Decimal, Float64, Int32, Table, Timestamp, TimeUnit, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import { describe, expect, it, vi } from 'vitest';
import { ColumnChunk, ColumnMetaData, FileMetaData, RowGroup } from '../src/formats/parquet-spec.js';
import { field, intOf, readThriftStruct, structOf, structsOf } from '../src/formats/thrift-tree.js';
import { isMissingCell } from '../src/input/missing-cell.js';
import { readSeries } from '../src/vae/series.js';
import { readSeries as readSeriesBefore } from './fixtures/vae-previous/series.js';
import { tempDir } from './helpers.js';

const require = createRequire(import.meta.url);
const pw = require('parquet-wasm') as typeof import('parquet-wasm');

const SEED = Number(process.env['VAE_READ_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
console.log(`vae series read seed ${SEED} (replay: VAE_READ_SEED=${SEED} npx vitest run test/vae-series-read.test.ts)`);

/** What a read gave, every value as its 8 bytes, or the message it stopped with. */
function outcome(read: () => ReturnType<typeof readSeries>): unknown {
  try {
    // The times a read keeps for gaps (vae/gaps.ts), and the time column it could not read
    // as times, are newer than the pinned reader; test/vae-gaps.test.ts and
    // test/vae-time-order.test.ts check them.
    const { times: _times, untimed: _untimed, ...s } = read();
    return { ...s, values: s.values.map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

const MISSING_HINT = 'a missing reading; --missing skip leaves such rows out (where they were is then a gap no window spans), or clean the data first';

const STORE = 'store the readings as numbers (a DOUBLE, FLOAT or integer column; in DuckDB, CAST(col AS DOUBLE))';

/**
 * The pinned reader's outcome with a missing reading (an empty cell, pandas' NaN spellings,
 * a Parquet null or NaN) named as the reader names it since train-vae can leave such rows
 * out (test/vae-missing.test.ts), and a column that is not numeric with what to do about it
 * (text marked as such); every other outcome as it was.
 */
function pinned(read: () => ReturnType<typeof readSeriesBefore>): unknown {
  const o = outcome(read) as { error?: string };
  if (o.error === undefined) return o;
  const error = o.error
    .replace(/(holds no value|holds '([^']*)'|is null|is NaN), not a finite number; clean the data first$/, (all, what: string, raw: string | undefined) =>
      raw === undefined || isMissingCell(raw) ? `${what}, ${MISSING_HINT}` : all,
    )
    .replace(/: column '([^']*)' is (\w+), not numeric$/, (_all, c: string, type: string) => `: column '${c}' is ${type}${/Utf8|Binary/.test(type) ? ' (text)' : ''}, not numeric; ${STORE}`);
  return { error };
}

const cell = fc.oneof(
  { weight: 10, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map(String) },
  { weight: 4, arbitrary: fc.integer({ min: -1000, max: 1000 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('', 'NaN', 'x', '0x10', '"0.5"', '"1,5"', '"2\n3"', ' 0.25 ', '1e400', '""""') },
);
// A row's time is its index (placed where the header puts the time column), so rows come in
// time order, as train-vae requires (test/vae-time-order.test.ts refuses files that do not).
const line = fc.oneof(
  { weight: 14, arbitrary: fc.tuple(cell, cell).map((c) => (header: string, i: number) => (header.endsWith('timestamp') ? [...c, at(i)] : [at(i), ...c]).join(',')) },
  { weight: 1, arbitrary: fc.constantFrom('', '   ', '1,2', '1,2,3,4', 'x', '"open,1').map((text) => () => text) },
);
const at = (i: number) => `2024-01-01T00:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`;
const csvArb = fc.record({
  header: fc.constantFrom('timestamp,value,other', '"timestamp",value,other', 'timestamp;value;other', 'value,other,timestamp', 'timestamp,value,value'),
  lines: fc.array(line, { maxLength: 30 }),
  eol: fc.constantFrom('\n', '\r\n', '\r'),
  trailing: fc.constantFrom('', '\n', '\n\n', '\n  \n'),
  bom: fc.boolean(),
  piece: fc.integer({ min: 1, max: 80 }),
  columns: fc.constantFrom(undefined, ['value'], ['other', 'value'], ['missing'], ['timestamp']),
});

/**
 * A header that names a trained column twice is refused at line 1 (before: the first
 * field's values were trained under both names), where the whole read took the file or
 * stopped at a value or time; every other outcome as it was.
 */
function pinnedHeader(header: string, columns: readonly string[] | undefined, file: string, before: unknown): unknown {
  const o = before as { error?: string };
  if (header !== 'timestamp,value,value' || (columns !== undefined && !columns.includes('value'))) return before;
  if (o.error !== undefined && !/:\d+: (column '|time ')/.test(o.error)) return before;
  return { error: `${file}:1: 2 columns are named 'value' (columns 2 and 3); rename one so the column trained is not a guess` };
}

describe('train-vae reads CSV in pieces as it read it whole', () => {
  it('random files, pieces of 1–80 bytes: the same values bit for bit, columns and hash, or the same message', () => {
    const dir = tempDir();
    const file = join(dir, 'train.csv');
    fc.assert(
      fc.property(csvArb, (c) => {
        writeFileSync(file, (c.bom ? '\ufeff' : '') + [c.header, ...c.lines.map((l, i) => l(c.header, i))].join(c.eol) + c.trailing);
        const before = pinnedHeader(c.header, c.columns, file, pinned(() => readSeriesBefore(file, c.columns)));
        expect(outcome(() => readSeries(file, c.columns, { pieceBytes: c.piece }))).toEqual(before);
        expect(outcome(() => readSeries(file, c.columns))).toEqual(before);
      }),
      { seed: SEED, numRuns: 300, endOnFailure: true },
    );
  });
});

/** A Parquet file of `n` rows in row groups of `group`: the trained columns beside columns of other types. */
function parquetFile(file: string, n: number, group: number, bad: { row: number; column: 'value' | 'count' } | null): void {
  const badAt = (c: string, i: number) => bad !== null && bad.column === c && bad.row === i;
  const t = new Table({
    timestamp: vectorFromArray(Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * 60_000), new Timestamp(TimeUnit.MILLISECOND, 'UTC')),
    name: vectorFromArray(Array.from({ length: n }, (_, i) => `row ${i % 17}`), new Utf8()),
    value: vectorFromArray(Array.from({ length: n }, (_, i) => (badAt('value', i) ? null : Math.sin(i / 7) * 1e3 + i / 3)), new Float64()),
    flag: vectorFromArray(Array.from({ length: n }, (_, i) => i % 5 === 0), new Bool()),
    count: vectorFromArray(Array.from({ length: n }, (_, i) => (badAt('count', i) ? null : (i * 7919) % 1001 - 500)), new Int32()),
  });
  const props = new pw.WriterPropertiesBuilder().setMaxRowGroupSize(group).build();
  writeFileSync(file, pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(t, 'stream')), props));
}

describe('train-vae reads Parquet a few row groups at a time', () => {
  it('many row groups, extra columns, batches of any size: the same values bit for bit, or the same message', () => {
    const dir = tempDir();
    const file = join(dir, 'train.parquet');
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 700 }),
        fc.integer({ min: 1, max: 250 }),
        fc.option(fc.record({ row: fc.nat(699), column: fc.constantFrom('value' as const, 'count' as const) })),
        fc.constantFrom(undefined, ['value'], ['count', 'value'], ['value', 'value'], ['name'], ['value', 'flag'], ['missing']),
        fc.constantFrom(1, 3000, undefined),
        (n, group, bad, columns, batchBytes) => {
          parquetFile(file, n, group, bad && bad.row < n ? bad : null);
          const before = pinned(() => readSeriesBefore(file, columns));
          expect(outcome(() => readSeries(file, columns, { batchBytes }))).toEqual(before);
        },
      ),
      { seed: SEED, numRuns: 60, endOnFailure: true },
    );
  });

  it('decimals as the whole read scaled them', () => {
    const dir = tempDir();
    const file = join(dir, 'dec.parquet');
    const n = 500;
    const t = new Table({ value: vectorFromArray(Array.from({ length: n }, (_, i) => new Uint32Array([i * 12345, 0, 0, 0])), new Decimal(3, 18, 128)) });
    writeFileSync(file, pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(t, 'stream')), new pw.WriterPropertiesBuilder().setMaxRowGroupSize(64).build()));
    const before = pinned(() => readSeriesBefore(file));
    expect(before).not.toHaveProperty('error');
    expect(outcome(() => readSeries(file, undefined, { batchBytes: 1 }))).toEqual(before);
  });

  it('a column not trained on is never decoded: its chunks may be unreadable', () => {
    const dir = tempDir();
    const file = join(dir, 'broken-extra.parquet');
    parquetFile(file, 2000, 300, null);
    // Every chunk of `name` overwritten with bytes no Parquet page starts with.
    const bytes = readFileSync(file);
    const footerLength = bytes.readUInt32LE(bytes.length - 8);
    const meta = readThriftStruct(bytes.subarray(bytes.length - 8 - footerLength, bytes.length - 8));
    let chunks = 0;
    for (const g of structsOf(field(meta, FileMetaData.ROW_GROUPS))) {
      const cm = structOf(field(structsOf(field(g, RowGroup.COLUMNS))[1]!, ColumnChunk.META_DATA))!;
      const start = intOf(field(cm, ColumnMetaData.DICTIONARY_PAGE_OFFSET)) ?? intOf(field(cm, ColumnMetaData.DATA_PAGE_OFFSET))!;
      bytes.fill(0xff, start, start + intOf(field(cm, ColumnMetaData.TOTAL_COMPRESSED_SIZE))!);
      chunks++;
    }
    expect(chunks).toBe(7);
    writeFileSync(file, bytes);
    // The whole-file read decodes `name` too, and fails on it.
    expect(pinned(() => readSeriesBefore(file, ['value']))).toHaveProperty('error');
    const s = readSeries(file, ['value', 'count'], { batchBytes: 1 });
    expect(s.rows).toBe(2000);
    expect(Array.from(s.values[0]!)).toEqual(Array.from({ length: 2000 }, (_, i) => Math.sin(i / 7) * 1e3 + i / 3));
    expect(Array.from(s.values[1]!)).toEqual(Array.from({ length: 2000 }, (_, i) => (i * 7919) % 1001 - 500));
    // A column trained on that cannot be decoded is a user's message naming the file, not a crash.
    expect(() => readSeries(file, ['name'])).toThrow(`${file}: column 'name' is Utf8 (text), not numeric; ${STORE}`);
  });

  it('readings stored as text are refused naming every such column and its type (before: the first only, or none)', () => {
    const file = join(tempDir(), 'text.parquet');
    const n = 50;
    const t = new Table({
      timestamp: vectorFromArray(Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 60_000), new Timestamp(TimeUnit.MILLISECOND)),
      value: vectorFromArray(Array.from({ length: n }, (_, i) => String(Math.sin(i))), new Utf8()),
      other: vectorFromArray(Array.from({ length: n }, (_, i) => String(i)), new Utf8()),
      flag: vectorFromArray(Array.from({ length: n }, (_, i) => i % 2 === 0), new Bool()),
    });
    writeFileSync(file, pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(t, 'stream'))));
    expect(() => readSeries(file)).toThrow(`${file} has no numeric column besides a timestamp: columns 'value' and 'other' are Utf8 (text), column 'flag' is Bool; ${STORE}`);
    expect(() => readSeries(file, ['other', 'value'])).toThrow(`${file}: columns 'other' and 'value' are Utf8 (text), not numeric; ${STORE}`);
  });

  it('a Parquet file without rows is refused as such (before: its columns were called constant)', () => {
    const file = join(tempDir(), 'empty.parquet');
    const t = new Table({ value: vectorFromArray([], new Float64()) });
    writeFileSync(file, pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(t, 'stream'))));
    expect(() => readSeries(file)).toThrow(/empty\.parquet: the file has no rows; expected at least one data row/);
  });

  it('a file that is not Parquet is refused by name', () => {
    const dir = tempDir();
    const file = join(dir, 'not.parquet');
    writeFileSync(file, 'timestamp,value\n1,2\n');
    expect(() => readSeries(file)).toThrow(/training data .*not\.parquet: not a readable Parquet file \(/);
  });
});

/** Every file of a model directory (its folders walked) and its SHA-256. */
function modelFiles(dir: string): Record<string, string> {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return Object.fromEntries(files.map((e) => join(e.parentPath, e.name)).sort().map((f) => [f.slice(dir.length), createHash('sha256').update(readFileSync(f)).digest('hex')]));
}

describe('train-vae trains the same model as when it read the file whole', () => {
  it('a multi-row-group Parquet file with extra columns: the same model files byte for byte', async () => {
    const dir = tempDir();
    const data = join(dir, 'train.parquet');
    parquetFile(data, 3000, 256, null);
    const options = { data, columns: ['value', 'count'], window: 16, latent: 2, hidden: [8], epochs: 2, seed: 4, backend: 'cpu' as const };
    const now = await import('../src/vae/train.js');
    await now.trainVae({ ...options, out: join(dir, 'now') });
    vi.resetModules();
    vi.doMock('../src/vae/series.js', () => import('./fixtures/vae-previous/series.js'));
    try {
      const before = await import('../src/vae/train.js');
      expect(before.trainVae).not.toBe(now.trainVae);
      await before.trainVae({ ...options, out: join(dir, 'before') });
    } finally {
      vi.doUnmock('../src/vae/series.js');
      vi.resetModules();
    }
    const files = modelFiles(join(dir, 'now'));
    expect(Object.keys(files).length).toBeGreaterThanOrEqual(3);
    expect(files).toEqual(modelFiles(join(dir, 'before')));
  });
});
