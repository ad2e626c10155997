/**
 * `paranom eval` reads its files column by column and piece by piece: a CSV file in pieces
 * cut between records, a Parquet file a few row groups at a time, each cut out as a small
 * file of the needed columns. What it reads — every value, every line number, every error
 * message — is what reading the whole file at once gave (test/fixtures/eval-previous), on
 * random CSV files read in pieces of a few bytes (fast-check) and on Parquet files of many
 * row groups.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { makeData, makeVector, tableFromArrays, tableFromIPC, tableToIPC, TimeUnit, Timestamp, vectorFromArray, Float64, Table } from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecordBatchStreamWriter, Message } from 'apache-arrow';
import { Footer, FileBlock } from 'apache-arrow/ipc/metadata/file';
import { readColumns, type ColumnSpec } from '../src/eval/column-values.js';
import { readTableFile } from '../src/eval/table-file.js';
import { csvTable } from '../src/eval/csv-table.js';
import { readPredictions } from '../src/eval/join.js';
import { readLabels } from '../src/eval/label-source.js';
import { forEachParquetBatch, parquetColumns } from '../src/formats/parquet-batches.js';
import { arrowCells } from '../src/input/arrow-cells.js';
import { readPredictions as readPredictionsBefore } from './fixtures/eval-previous/join.js';
import { readLabels as readLabelsBefore } from './fixtures/eval-previous/label-source.js';
import { tempDir } from './helpers.js';

const require = createRequire(import.meta.url);
const pw = require('parquet-wasm') as typeof import('parquet-wasm');

const SEED = Number(process.env['EVAL_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
console.log(`eval read seed ${SEED} (replay: EVAL_SEED=${SEED} npx vitest run test/eval-read.test.ts)`);

/** What a read gave: its values and where each row came from, or the message it stopped with. */
function outcome(read: () => { times: ArrayLike<number> | null; values: ArrayLike<number> | null; where?: (row: number) => string }): unknown {
  try {
    const r = read();
    const n = r.times?.length ?? 0;
    return { times: Array.from(r.times ?? []), values: Array.from(r.values ?? []), where: r.where ? Array.from({ length: n + 1 }, (_, i) => r.where!(i)) : null };
  } catch (err) {
    // A missing score's message now names --missing-scores; the earlier reader called it not a number.
    return { error: (err as Error).message.replace(/ is missing \(a detector's warm-up rows\?\); --missing-scores skip leaves rows without a score unscored, and counts them$/, ' is not a number') };
  }
}

// Cells that read as times or scores, cells that do not, quoted cells (a line break inside), blank lines, extra cells.
const timeCell = fc.oneof(
  fc.integer({ min: 0, max: 50 }).map((i) => new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString()),
  fc.integer({ min: 0, max: 50 }).map((i) => `2024-01-01 00:00:${String(i % 60).padStart(2, '0')}`),
  fc.integer({ min: -5, max: 1e6 }).map(String),
  fc.constantFrom('', 'soon', '"2024-01-01T00:00:01Z"', '"2024-01-01\n00:00:02"', '2024-02-30'),
);
const scoreCell = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.integer({ min: 0, max: 1 }).map(String),
  fc.constantFrom('', 'NaN', 'high', '0x10', '"0.5"', '"1,5"', '"a\r\nb"', 'true', ' 0.25 ', '""""'),
);
const line = fc.oneof(
  { weight: 12, arbitrary: fc.tuple(timeCell, scoreCell).map(([t, s]) => `${t},${s}`) },
  { weight: 1, arbitrary: fc.constantFrom('', '   ', '1,2,3', 'x', '"open,1') },
);
const csvArb = fc.record({
  header: fc.constantFrom('timestamp,score', 'timestamp,score,timestamp', '"timestamp",score', 'timestamp;score'),
  lines: fc.array(line, { maxLength: 30 }),
  eol: fc.constantFrom('\n', '\r\n', '\r'),
  trailing: fc.constantFrom('', '\n', '\n\n', '\n  \n'),
  piece: fc.integer({ min: 1, max: 80 }),
});

describe('eval reads CSV files in pieces as it read them whole', () => {
  it('random files, pieces of 1–80 bytes: the same times, scores, labels and line numbers, or the same error', () => {
    const dir = tempDir();
    const file = join(dir, 'p.csv');
    fc.assert(
      fc.property(csvArb, fc.boolean(), (c, asLabels) => {
        const text = [c.header, ...c.lines].join(c.eol) + c.trailing;
        const body = asLabels ? text.replace(/^[^\r\n]*/, c.header.replace('score', 'label')) : text;
        writeFileSync(file, body);
        if (asLabels) {
          const specs: ColumnSpec[] = [
            { name: 'timestamp', kind: 'time' },
            { name: 'label', kind: 'label' },
          ];
          const now = outcome(() => {
            const t = csvTable(file, c.piece);
            const { arrays } = readColumns(t, specs);
            return { times: arrays[0]!, values: arrays[1]!, where: t.where };
          });
          const before = outcome(() => {
            const l = readLabelsBefore(file);
            return { times: l.times, values: l.flags };
          });
          expect(now && typeof now === 'object' && 'error' in now ? now : { ...(now as object), where: null }).toEqual(before);
          // The command's own reader (pieces of 64 MiB) agrees too.
          expect(outcome(() => { const l = readLabels(file); return { times: l.times, values: l.flags }; })).toEqual(before);
          return;
        }
        const now = outcome(() => {
          const t = csvTable(file, c.piece);
          const { rows, arrays } = readColumns(t, [
            { name: 'timestamp', kind: 'time' },
            { name: 'score', kind: 'score' },
          ]);
          if (rows === 0) throw new Error(`${file} has no rows`);
          return { times: arrays[0]!, values: arrays[1]!, where: t.where };
        });
        expect(now).toEqual(outcome(() => readPredictionsBefore(file)));
        expect(outcome(() => readPredictions(file))).toEqual(outcome(() => readPredictionsBefore(file)));
      }),
      { seed: SEED, numRuns: 300 * Number(process.env['EVAL_RUNS'] ?? 1), endOnFailure: true },
    );
  });
});

describe('eval reads Parquet files a few row groups at a time', () => {
  it('many row groups, read in batches of any size: every column as the whole file gives it', () => {
    const dir = tempDir();
    const n = 5000;
    const t = new Table({
      timestamp: vectorFromArray(Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * 1000), new Timestamp(TimeUnit.MILLISECOND, 'UTC')),
      skipped: makeVector(Float64Array.from({ length: n }, (_, i) => i * 0.5)),
      score: makeVector(Float64Array.from({ length: n }, (_, i) => Math.sin(i))),
      label: vectorFromArray(Array.from({ length: n }, (_, i) => i % 7 === 0)),
      text: vectorFromArray(Array.from({ length: n }, (_, i) => `r${i % 13}`)),
    });
    const file = join(dir, 'groups.parquet');
    const props = new pw.WriterPropertiesBuilder().setMaxRowGroupSize(333).build();
    writeFileSync(file, pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(t, 'stream')), props));
    const whole = tableFromIPC(pw.readParquet(readFileSync(file)).intoIPCStream());
    expect(parquetColumns(file)).toMatchObject({ columns: ['timestamp', 'skipped', 'score', 'label', 'text'], rows: n });
    for (const columns of [['score'], ['timestamp', 'label'], ['text', 'timestamp'], ['timestamp', 'skipped', 'score', 'label', 'text']]) {
      for (const batchBytes of [1, 5000, 1 << 30]) {
        const got = new Map<string, unknown[]>(columns.map((c) => [c, []]));
        let batches = 0;
        const rows = forEachParquetBatch(file, columns, (b, first) => {
          expect(first).toBe(got.get(columns[0]!)!.length);
          // Only the columns asked for are decoded.
          expect(b.schema.fields.map((f) => f.name).sort()).toEqual([...columns].sort());
          for (const c of columns) got.get(c)!.push(...Array.from(arrowCells(b.getChild(c)!)));
          batches++;
        }, batchBytes);
        expect(rows).toBe(n);
        if (batchBytes === 1) expect(batches).toBe(Math.ceil(n / 333));
        if (batchBytes === 1 << 30) expect(batches).toBe(1);
        for (const c of columns) expect(got.get(c), `${c} in batches of ${batchBytes} bytes`).toEqual(Array.from(arrowCells(whole.getChild(c)!)));
      }
    }
  });

  it('a predictions file of many row groups: the same times, scores and rows as the whole file', () => {
    const dir = tempDir();
    const n = 3000;
    const t = new Table({
      timestamp: vectorFromArray(Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + (i % 1000 === 999 ? i - 500 : i) * 60_000), new Timestamp(TimeUnit.SECOND)),
      score: vectorFromArray(Array.from({ length: n }, (_, i) => (i % 17) / 16), new Float64()),
    });
    const file = join(dir, 'preds.parquet');
    writeFileSync(file, pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(t, 'stream')), new pw.WriterPropertiesBuilder().setMaxRowGroupSize(250).build()));
    expect(outcome(() => readPredictions(file))).toEqual(outcome(() => readPredictionsBefore(file)));
  });

  it('timestamps in seconds and milliseconds from their 64-bit words: as the per-cell path gives them', () => {
    for (const unit of [TimeUnit.SECOND, TimeUnit.MILLISECOND]) {
      const values = [0, 1, -1, 1_700_000_000_123, -62_135_596_800_000, 2 ** 40 + 7];
      const v = vectorFromArray(values.map((x) => (unit === TimeUnit.SECOND ? Math.trunc(x / 1000) * 1000 : x)), new Timestamp(unit));
      expect(Array.from(arrowCells(v))).toEqual(Array.from({ length: v.length }, (_, i) => v.get(i)));
    }
  });

  it('timestamps in microseconds and nanoseconds (DuckDB, pandas) from their 64-bit words: bit for bit what the per-cell path gives', () => {
    for (const unit of [TimeUnit.MICROSECOND, TimeUnit.NANOSECOND]) {
      const micro = unit === TimeUnit.MICROSECOND;
      const d = micro ? 1000n : 1_000_000n;
      // Around every remainder edge, today's instants, the largest quotient `get` converts, and random words.
      const edges = [0n, 1n, d - 1n, d, d + 1n, 1_732_860_000_123_456n * (d / 1000n) + 999n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 32n + d - 1n, micro ? BigInt(Number.MAX_SAFE_INTEGER) * d + d - 1n : 2n ** 63n - 1n];
      fc.assert(
        fc.property(fc.array(fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), { minLength: 1, maxLength: 40 }), fc.bigInt({ min: 0n, max: 2n ** 62n }), (random, near) => {
          const raw = [...edges, near, ...random.map((x) => (micro ? x % (BigInt(Number.MAX_SAFE_INTEGER) * d) : x))];
          const v = makeVector(makeData({ type: new Timestamp(unit), length: raw.length, nullCount: 0, data: BigInt64Array.from(raw) }));
          const cells = arrowCells(v);
          expect(cells).toBeInstanceOf(Float64Array);
          expect(Array.from(cells), String(unit)).toEqual(Array.from({ length: v.length }, (_, i) => v.get(i)));
        }),
        { numRuns: 200, seed: 7 },
      );
      // Before 1970, or a quotient past 2^53: left to the per-cell path, which gives the same cells.
      const vector = (raw: bigint[]) => makeVector(makeData({ type: new Timestamp(unit), length: raw.length, nullCount: 0, data: BigInt64Array.from(raw) }));
      const before = vector([5n, -1n, -d - 1n]);
      expect(Array.from(arrowCells(before))).toEqual([0, 1, 2].map((i) => before.get(i)));
      expect(arrowCells(before)[1]).toBe(micro ? -0.001 : -0.000001);
      if (!micro) continue;
      // Every 64-bit nanosecond count has a safe millisecond quotient; not every microsecond count.
      const far = vector([5n, BigInt(Number.MAX_SAFE_INTEGER) * d + d]);
      expect(() => far.get(1)).toThrow(/not safe to convert/);
      expect(() => arrowCells(far)).toThrow(/not safe to convert/);
    }
  });
});

/**
 * An Arrow IPC file whose stream opens with its schema message, as pyarrow writes it
 * (apache-arrow's own file writer keeps the schema in the footer only).
 */
function schemaFirstArrowFile(t: Table): Uint8Array {
  const stream = RecordBatchStreamWriter.writeAll(t).toUint8Array(true);
  const blocks: FileBlock[] = [];
  const dictionaries: FileBlock[] = [];
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  for (let at = 0; at + 8 <= stream.byteLength; ) {
    const length = view.getInt32(at + 4, true);
    if (length === 0) break;
    const m = Message.decode(stream.subarray(at + 8, at + 8 + length));
    const block = new FileBlock(8 + length, m.bodyLength, 8 + at);
    if (m.isRecordBatch()) blocks.push(block);
    if (m.isDictionaryBatch()) dictionaries.push(block);
    at += 8 + length + Number(m.bodyLength);
  }
  const footer = Footer.encode(new Footer(t.schema, 4 /* V5 */, blocks, dictionaries));
  const magic = new TextEncoder().encode('ARROW1');
  const out = new Uint8Array(8 + stream.byteLength + footer.byteLength + 10);
  out.set(magic, 0);
  out.set(stream, 8);
  out.set(footer, 8 + stream.byteLength);
  new DataView(out.buffer).setInt32(8 + stream.byteLength + footer.byteLength, footer.byteLength, true);
  out.set(magic, out.byteLength - 6);
  return out;
}

describe('eval reads Arrow IPC files one record batch at a time', () => {
  it('the file format (footer schema or schema first) and the stream format: the same times, scores and rows as the whole file, read batch by batch', () => {
    const dir = tempDir();
    const n = 3000;
    const whole = new Table({
      timestamp: vectorFromArray(Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * 60_000), new Timestamp(TimeUnit.MILLISECOND)),
      score: vectorFromArray(Array.from({ length: n }, (_, i) => (i % 17) / 16), new Float64()),
      label: vectorFromArray(Array.from({ length: n }, (_, i) => i % 11 === 0)),
      name: vectorFromArray(Array.from({ length: n }, (_, i) => `s${i % 5}`)),
    });
    // Six record batches of 500 rows.
    const t = new Table(Array.from({ length: 6 }, (_, k) => whole.slice(k * 500, (k + 1) * 500).batches).flat());
    expect(t.batches.length).toBe(6);
    const files = { 'footer.arrow': tableToIPC(t, 'file'), 'schema-first.arrow': schemaFirstArrowFile(t), 'stream.arrows': tableToIPC(t, 'stream') };
    for (const [name, bytes] of Object.entries(files)) {
      const file = join(dir, name);
      writeFileSync(file, bytes);
      expect(tableFromIPC(readFileSync(file)).numRows, name).toBe(n);
      const table = readTableFile(file, 'predictions file');
      expect(table.columns).toEqual(['timestamp', 'score', 'label', 'name']);
      // Exact from the footer's batch headers; a stream is counted only by reading it.
      expect(table.rowsHint, name).toBe(name.endsWith('.arrows') ? 0 : n);
      const firsts: number[] = [];
      const got: unknown[] = [];
      const { rows } = table.scan(['score', 'label'], (cells, first) => {
        firsts.push(first);
        for (let i = 0; i < cells[0]!.length; i++) got.push([cells[0]![i], cells[1]![i]]);
      });
      expect(rows).toBe(n);
      // One call a record batch (it was one call for the whole file, read into memory at once).
      expect(firsts, name).toEqual([0, 500, 1000, 1500, 2000, 2500]);
      expect(got).toEqual(Array.from({ length: n }, (_, i) => [(i % 17) / 16, i % 11 === 0 ? 1 : 0]));
      if (name.endsWith('.arrow')) expect(outcome(() => readPredictions(file)), name).toEqual(outcome(() => readPredictionsBefore(file)));
      else expect(outcome(() => readPredictions(file))).toMatchObject({ times: expect.any(Array) });
    }
  });

  it('a damaged Arrow file is refused by name, as a user mistake', () => {
    const dir = tempDir();
    const bytes = tableToIPC(tableFromArrays({ timestamp: Float64Array.of(1, 2, 3), score: Float64Array.of(0, 1, 0) }), 'file');
    const file = join(dir, 'cut.arrow');
    writeFileSync(file, bytes.subarray(0, bytes.byteLength - 40));
    expect(() => readPredictions(file)).toThrow(expect.objectContaining({ code: 'USAGE', message: expect.stringMatching(/^predictions file .*cut\.arrow: not a readable Arrow IPC file/) }));
  });
});

describe('eval reads a dataset as before', () => {
  it('labels of a dataset (shards, segment table): the same times, flags and windows', async () => {
    const { spawnSync } = await import('node:child_process');
    const dir = tempDir();
    for (const format of ['parquet', 'csv']) {
      const ds = join(dir, format);
      const g = spawnSync(process.execPath, ['dist/src/cli/main.js', 'generate', 'scenarios/valve-sensors.yaml', '--out', ds, '--rows', '140000', '--shard-rows', '65536', '--workers', '1', '--format', format], { encoding: 'utf8' });
      expect(g.status, g.stderr).toBe(0);
      for (const windows of ['segments', 'runs'] as const) {
        const now = readLabels(ds, { windows });
        const before = readLabelsBefore(ds, { windows });
        expect({ ...now, times: Array.from(now.times!), flags: Array.from(now.flags!) }).toEqual({ ...before, times: Array.from(before.times!), flags: Array.from(before.flags!) });
      }
    }
  });
});
