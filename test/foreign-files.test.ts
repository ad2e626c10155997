/**
 * Files written by other tools, as users bring them: Parquet from DuckDB (microsecond and
 * nanosecond timestamps, DECIMAL literals, text columns of numbers, nulls, integer epoch
 * columns) and CSV from spreadsheets (semicolons, tabs, repeated header names). Read as
 * `source` series, as `eval` labels and predictions and as `train-vae` data: each is read
 * as what it means, or refused with exit 2 naming the file, row and column.
 */
import { rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../src/reader/load.js';
import { generateShard } from '../src/generate/shard.js';
import { prepareScenario } from '../src/variables/registry.js';
import { readSeries } from '../src/vae/series.js';
import { fitNormalisation } from '../src/vae/windows.js';
import { duck, tempDir } from './helpers.js';
import { cliProcess } from './reliability-helpers.js';
import { csvRecords, forEachCsvPiece } from '../src/input/csv-line.js';

const dir = tempDir();
/** 30 minutes of 2024-01-01: rows 10–14 labelled, rows 11–13 scored 0.9 (a DECIMAL literal in DuckDB), the rest 0.1. */
const BASE = `SELECT TIMESTAMP '2024-01-01' + INTERVAL (i) MINUTE AS ts, CASE WHEN i BETWEEN 11 AND 13 THEN 0.9 ELSE 0.1 END AS sc, (i BETWEEN 10 AND 14) AS lab, i FROM range(30) t(i)`;

beforeAll(async () => {
  const files: Record<string, string> = {
    'p_us.parquet': 'ts AS timestamp, sc::DOUBLE AS score',
    'p_ns.parquet': 'ts::TIMESTAMP_NS AS timestamp, sc::DOUBLE AS score',
    'p_tz.parquet': 'ts::TIMESTAMPTZ AS timestamp, sc::DOUBLE AS score',
    'p_dec.parquet': 'ts AS timestamp, sc AS score',
    'p_text.parquet': 'ts AS timestamp, sc::VARCHAR AS score',
    'p_null.parquet': 'ts AS timestamp, CASE WHEN i = 4 THEN NULL ELSE sc::DOUBLE END AS score',
    'l_us.parquet': 'ts AS timestamp, lab AS is_anomaly',
    'l_dec.parquet': 'ts AS timestamp, CASE WHEN lab THEN 1.0 ELSE 0.0 END AS is_anomaly',
    's_dec.parquet': 'ts AS timestamp, ((10 + i) / 4)::DECIMAL(10, 3) AS value',
    's_text.parquet': "ts AS timestamp, CASE WHEN i = 7 THEN 'n/a' ELSE (10 + i)::VARCHAR END AS value",
    's_epoch.parquet': 'epoch(ts)::BIGINT AS timestamp, (10 + i)::DOUBLE AS value',
    's_date.parquet': 'ts AS timestamp, ts::DATE AS day, (10 + i)::DOUBLE AS value',
    // 64-bit integers at the edge of what a double holds exactly, and one past it (row 3), signed and unsigned.
    's_big_ok.parquet': "ts AS timestamp, CASE WHEN i = 1 THEN -9007199254740991 ELSE 9007199254740991 - i END::BIGINT AS value",
    's_big.parquet': "ts AS timestamp, CASE WHEN i = 3 THEN 9007199254740993 ELSE i END::BIGINT AS value",
    's_ubig.parquet': "ts AS timestamp, CASE WHEN i = 4 THEN 18446744073709551615 ELSE i END::UBIGINT AS value",
  };
  for (const [file, select] of Object.entries(files)) await duck(`COPY (SELECT ${select} FROM (${BASE})) TO '${join(dir, file)}'`);
  // A TIMESTAMPTZ column in CSV, as DuckDB writes it: '2024-01-01 00:05:00+00', the offset in hours alone; the rows from 00:05 on.
  await duck(`COPY (SELECT ts::TIMESTAMPTZ AS timestamp, ((10 + i) / 4)::DOUBLE AS value FROM (${BASE}) WHERE i >= 5) TO '${join(dir, 's_tz.csv')}'`);
  // Row 7's text is not a number; the rest of s_text is read as CSV cells are.
  await duck(`COPY (SELECT ts AS timestamp, (10 + i)::VARCHAR AS value FROM (${BASE})) TO '${join(dir, 's_numtext.parquet')}'`);
  const iso = (i: number) => new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString();
  const rows = (f: (i: number) => string) => Array.from({ length: 30 }, (_, i) => f(i) + '\n').join('');
  writeFileSync(join(dir, 'labels.csv'), 'timestamp,is_anomaly\n' + rows((i) => `${iso(i)},${i >= 10 && i <= 14 ? 1 : 0}`));
  writeFileSync(join(dir, 'pred.csv'), 'timestamp,score\n' + rows((i) => `${iso(i)},${i >= 11 && i <= 13 ? 0.9 : 0.1}`));
  writeFileSync(join(dir, 'pred_dup.csv'), 'timestamp,score,score\n' + rows((i) => `${iso(i)},${i >= 11 && i <= 13 ? 0.9 : 0.1},0.5`));
  writeFileSync(join(dir, 'pred_semi.csv'), 'timestamp;score\n' + rows((i) => `${iso(i)};0,5`));
  writeFileSync(join(dir, 'pred_epoch_s.csv'), 'timestamp,score\n' + rows((i) => `${Date.parse(iso(i)) / 1000},0.5`));
  writeFileSync(join(dir, 'windows.json'), JSON.stringify({ 'cpu/s.csv': [['2024-01-01 00:10:00.000000', '2024-01-01 00:14:00.000000']] }));
  writeFileSync(join(dir, 'pred_early.csv'), 'timestamp,score\n' + rows((i) => `${iso(i)},0.5`).split('\n').slice(0, 5).join('\n') + '\n');
  writeFileSync(join(dir, 'series.tsv.csv'), 'timestamp\tvalue\n' + rows((i) => `${iso(i)}\t${i}`));
});

/** `paranom eval --json` in a child process (eval prints to the process's stdout). */
function evalJson(pred: string, labels: string): { code: number | null; err: string; json: { rows: number; labelled_rows: number; point: { tp: number; fp: number; fn: number } } | undefined } {
  const r = cliProcess(['eval', join(dir, pred), '--labels', join(dir, labels), '--json']);
  return { code: r.code, err: r.err, json: r.code === 0 ? JSON.parse(r.out) : undefined };
}

describe('eval reads Parquet as DuckDB writes it', () => {
  // Before: raw microseconds and nanoseconds read as milliseconds (year 55969): no row joined.
  it.each(['p_us.parquet', 'p_ns.parquet', 'p_tz.parquet', 'p_dec.parquet', 'p_text.parquet'])('%s: every row joins its label, the scores as written', async (pred) => {
    const r = evalJson(pred, 'labels.csv');
    expect(r.code, r.err).toBe(0);
    expect(r.json).toMatchObject({ rows: 30, labelled_rows: 5, point: { tp: 3, fp: 0, fn: 2 } });
  });

  it('labels from Parquet: booleans and DECIMAL 0.0/1.0 with microsecond timestamps', async () => {
    for (const labels of ['l_us.parquet', 'l_dec.parquet']) {
      const r = evalJson('pred.csv', labels);
      expect(r.code, `${labels}: ${r.err}`).toBe(0);
      expect(r.json).toMatchObject({ rows: 30, labelled_rows: 5, point: { tp: 3, fp: 0, fn: 2 } });
    }
  });

  it('a null score is refused by row and column, not read from the bytes left in its slot', async () => {
    const r = evalJson('p_null.parquet', 'labels.csv');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/p_null\.parquet row 4: 'null' in score column 'score' is missing \(a detector's warm-up rows\?\); --missing-scores skip/);
  });
});

describe('eval refuses what a reader would have to guess', () => {
  it('two columns of one name', async () => {
    const r = evalJson('pred_dup.csv', 'labels.csv');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/pred_dup\.csv: 2 columns are named 'score' \(columns 2 and 3\)/);
  });

  it('a semicolon-separated file, saying so', async () => {
    const r = evalJson('pred_semi.csv', 'labels.csv');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/pred_semi\.csv:1: the header row is one field holding semicolons \('timestamp;score'\): paranom reads comma-separated files/);
  });

  it('epoch seconds against ISO labels: the unit is named', async () => {
    const r = evalJson('pred_epoch_s.csv', 'labels.csv');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Timestamps must match exactly \(the labels' times are about 1e3 times the predictions'/);
    expect(r.err).not.toMatch(/^\s+at /m);
  });

  it("epoch seconds against NAB windows: the unit is named (before: the window was left out and every metric empty, exit 0)", () => {
    const windows = (pred: string) => cliProcess(['eval', join(dir, pred), '--labels', join(dir, 'windows.json'), '--key', 'cpu/s.csv', '--json']);
    const r = windows('pred_epoch_s.csv');
    expect(r.code, r.out).toBe(2);
    expect(r.err).toContain("no label window covers a prediction row: the predictions run from 1970-01-20T17:21:07.200Z to 1970-01-20T17:21:08.940Z, the 1 window from 2024-01-01T00:10:00.000Z to 2024-01-01T00:14:00.000Z (the labels' times are about 1e3 times the predictions'");
    expect(r.err).not.toMatch(/^\s+at /m);
    // The same file in milliseconds is scored; predictions of the same unit that only end before the window are too, with the note.
    expect(JSON.parse(windows('pred.csv').out)).toMatchObject({ rows: 30, labelled_rows: 5, windows: 1, windows_outside: 0 });
    const early = windows('pred_early.csv');
    expect(early.code, early.err).toBe(0);
    expect(JSON.parse(early.out)).toMatchObject({ rows: 5, labelled_rows: 0, windows: 0, windows_outside: 1 });
  });
});

function sourceScenario(variable: Record<string, unknown>) {
  return parseScenario(JSON.stringify({ timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows: 6 }, variables: { v: { type: 'source', ...variable } } }), join(dir, 'scenario.json'));
}

async function sourceValues(variable: Record<string, unknown>): Promise<number[]> {
  const s = sourceScenario(variable);
  await prepareScenario(s);
  return Array.from(generateShard(s, 0, s.timeline.rows).values[0]!.data as Float64Array);
}

describe('source series from DuckDB Parquet', () => {
  it('DECIMAL values scaled (before: 2.5 read as 2500 was refused as "not a number")', async () => {
    expect(await sourceValues({ file: 's_dec.parquet', column: 'value' })).toEqual([2.5, 2.75, 3, 3.25, 3.5, 3.75]);
    expect(await sourceValues({ file: 's_dec.parquet', column: 'value', timestamps: { map: 'timestamp' } })).toEqual([2.5, 2.75, 3, 3.25, 3.5, 3.75]);
  });

  it('numbers stored as text read as a CSV cell is; a cell that is not one is named', async () => {
    expect(await sourceValues({ file: 's_numtext.parquet', column: 'value' })).toEqual([10, 11, 12, 13, 14, 15]);
    expect(() => sourceScenario({ file: 's_text.parquet', column: 'value' })).toThrow(/s_text\.parquet: row 7: 'n\/a' in column 'value' is a missing reading \(1 of \d+ rows are missing\): write missing: hold/);
  });

  it('64-bit integers replay exactly up to ±(2^53 − 1); one past it is refused by row and value (before: replayed rounded, 9007199254740993 as 9007199254740992)', async () => {
    expect(await sourceValues({ file: 's_big_ok.parquet', column: 'value' })).toEqual([9007199254740991, -9007199254740991, 9007199254740989, 9007199254740988, 9007199254740987, 9007199254740986]);
    expect(() => sourceScenario({ file: 's_big.parquet', column: 'value' })).toThrow(/s_big\.parquet: row 3: 9007199254740993 in column 'value' is beyond ±\(2\^53 − 1\), the largest integers a source replays exactly \(as a 64-bit float it is 9007199254740992, and its neighbours tie with it\)/);
    expect(() => sourceScenario({ file: 's_ubig.parquet', column: 'value' })).toThrow(/s_ubig\.parquet: row 4: 18446744073709551615 in column 'value' is beyond/);
  });

  it('an integer column is not mapped as times without a unit (before: epoch seconds read as milliseconds, the series squeezed 1000-fold)', () => {
    expect(() => sourceScenario({ file: 's_epoch.parquet', column: 'value', timestamps: { map: 'timestamp' } })).toThrow(/s_epoch\.parquet: column 'timestamp' holds Int64 values, not timestamps: epoch numbers do not say their unit: name it, as timestamps: \{ map: timestamp, unit: s \} for seconds, or ms, us, ns; or store it as a Parquet TIMESTAMP or DATE, or as ISO 8601 text/);
  });

  it('a TIMESTAMP or DATE column named as the values is refused (before: replayed as epoch milliseconds, about 1.7e12, without a word)', () => {
    expect(() => sourceScenario({ file: 's_date.parquet', column: 'day' })).toThrow(/s_date\.parquet: column 'day' holds Date.* values \(times\), not numbers to replay: name a numeric column in 'column'/);
    expect(() => sourceScenario({ file: 's_date.parquet', column: 'timestamp' })).toThrow(/column 'timestamp' holds Timestamp.* values \(times\)/);
  });

  it('a CSV of TIMESTAMPTZ as DuckDB writes it (+00) is mapped on its times (before: refused, "is not a timestamp")', async () => {
    expect(await sourceValues({ file: 's_tz.csv', column: 'value', timestamps: 'map' })).toEqual([3.75, 4, 4.25, 4.5, 4.75, 5]);
  });

  it('a tab-separated file is named as such', () => {
    expect(() => sourceScenario({ file: 'series.tsv.csv', column: 'value' })).toThrow(/series\.tsv\.csv: line 1: the header row is one field holding tabs/);
  });
});

describe('blank lines in a CSV file, as a hand-edited file has them', () => {
  // Before: "line 3: 1 field, but the header has 2" (source) and "1 cells, but the header has 2" (eval).
  it('are no rows: a source series, eval predictions and train-vae data read as without them, later line numbers kept', async () => {
    const iso = (i: number) => new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString();
    const lines = Array.from({ length: 30 }, (_, i) => `${iso(i)},${i >= 11 && i <= 13 ? 0.9 : 0.1}`);
    writeFileSync(join(dir, 'pred_blank.csv'), ['\n  ', 'timestamp,score', ...lines.slice(0, 3), '', ' ', ...lines.slice(3), '', ''].join('\n'));
    const r = evalJson('pred_blank.csv', 'labels.csv');
    expect(r.code, r.err).toBe(0);
    expect(r.json).toMatchObject({ rows: 30, labelled_rows: 5, point: { tp: 3, fp: 0, fn: 2 } });
    writeFileSync(join(dir, 's_blank.csv'), ['timestamp,value', ...lines.slice(0, 2), '', ...lines.slice(2)].join('\r\n'));
    expect(await sourceValues({ file: 's_blank.csv', column: 'value' })).toEqual([0.1, 0.1, 0.1, 0.1, 0.1, 0.1]);
    expect(await sourceValues({ file: 's_blank.csv', column: 'value', offset: 9 })).toEqual([0.1, 0.1, 0.9, 0.9, 0.9, 0.1]);
    expect(readSeries(join(dir, 's_blank.csv')).rows).toBe(30);
    // A bad cell after a blank line is named by its own line in the file.
    writeFileSync(join(dir, 's_blank_bad.csv'), ['timestamp,value', lines[0], '', `${iso(1)},x`].join('\n'));
    expect(() => sourceScenario({ file: 's_blank_bad.csv', column: 'value' })).toThrow(/s_blank_bad\.csv: line 4:/);
  });
});

describe('train-vae data from other tools', () => {
  it('a DECIMAL column is numeric and scaled', () => {
    const s = readSeries(join(dir, 's_dec.parquet'), ['value']);
    expect(Array.from(s.values[0]!.slice(0, 3))).toEqual([2.5, 2.75, 3]);
  });

  it('CSV cells read as decimals only (before: 0x10 trained as 16), a semicolon header named', () => {
    writeFileSync(join(dir, 'hex.csv'), 'timestamp,value\n2024-01-01,1.5\n2024-01-02,0x10\n');
    expect(() => readSeries(join(dir, 'hex.csv'), ['value'])).toThrow(/hex\.csv:3: column 'value' holds '0x10', not a finite number/);
    writeFileSync(join(dir, 'semi.csv'), 'timestamp;value\n2024-01-01;1,5\n');
    expect(() => readSeries(join(dir, 'semi.csv'))).toThrow(/semi\.csv:1: the header row is one field holding semicolons/);
  });

  it('values near either end of the double range are normalised by their own spread (before: 1e-300 · sin called constant, 1e300 · sin normalised to zeros)', () => {
    const rows = Array.from({ length: 200 }, (_, i) => Math.sin(i / 5));
    const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - xs.reduce((b, y) => b + y, 0) / xs.length) ** 2, 0) / (xs.length - 1));
    for (const scale of [1e-300, 1e300]) {
      const file = join(dir, `scaled-${scale}.csv`);
      writeFileSync(file, 'value\n' + rows.map((x) => `${x * scale}\n`).join(''));
      const norm = fitNormalisation(readSeries(file), rows.length);
      expect(norm.sd[0]! / scale).toBeCloseTo(sd(rows), 9);
    }
    writeFileSync(join(dir, 'wide.csv'), 'value\n' + rows.map((_, i) => `${i % 2 ? 1.797e308 : -1.797e308}\n`).join(''));
    expect(() => fitNormalisation(readSeries(join(dir, 'wide.csv')), rows.length)).toThrow(/column 'value' of .*wide\.csv spreads wider than a double can measure/);
    writeFileSync(join(dir, 'tiny-constant.csv'), 'value\n' + rows.map(() => '1e-310\n').join(''));
    expect(() => fitNormalisation(readSeries(join(dir, 'tiny-constant.csv')), rows.length)).toThrow(/is constant over the training rows/);
  });
});

describe('large CSV files', () => {
  it('are read in pieces cut between records: the same records and line numbers as one text', () => {
    // A quoted field holding a line break, an escaped quote, a multi-byte character, CRLF and LF, a blank line.
    const text = '\uFEFFa,b\r\n1,"x\r\ny"\r\n2,""""\r\n3,"é,\n"\n4,z\n\n5,w\n';
    const whole = csvRecords(text.slice(1));
    const keep = whole.records.map((r, i) => [r, whole.line[i]!] as const).filter(([r]) => r !== '');
    for (const size of [1, 2, 5, 7, 11, 64]) {
      const got: Array<readonly [string, number]> = [];
      forEachCsvPiece(Buffer.from(text), (piece, first) => {
        const r = csvRecords(piece);
        r.records.forEach((rec, i) => got.push([rec, first - 1 + r.line[i]!]));
      }, size);
      // A blank line at a piece's end is dropped with it, as trailing blank lines are.
      expect(got.filter(([r]) => r !== ''), `pieces of ${size} bytes`).toEqual(keep);
    }
  });

  it('a source file that takes longer to read than callback_timeout is not stopped (before: exit 1, "loading ran longer than callback_timeout")', async () => {
    // 400,000 rows of five columns: a read of a second or more in the worker, past several polls of the watchdog.
    const rows = Array.from({ length: 400_000 }, (_, i) => `${i},x${i},2024-01-01T00:00:00Z,${i * 3}.5,${i % 977}.25\n`).join('');
    writeFileSync(join(dir, 'long.csv'), 'a,b,c,d,value\n' + rows);
    const file = join(dir, 'long.json');
    // Two shards: the pool's watched tasks (a one-shard run may take its prestarted worker's head start).
    writeFileSync(file, JSON.stringify({ seed: 1, callback_timeout: '10ms', timeline: { rows: 65_537 }, variables: { v: { type: 'source', file: 'long.csv', column: 'value' } } }));
    const r = cliProcess(['generate', file, '--out', join(dir, 'long-out'), '--workers', '2']);
    expect(r.code, r.err).toBe(0);
  });

  it('a predictions CSV larger than a string can hold, of zero bytes: read in pieces, exit 2 naming it and the line its endless record starts on (before: exit 1, internal error)', () => {
    // Sparse: 512 MiB of address space, no disk written; 64 MiB of it read.
    const big = join(dir, 'huge-pred.csv');
    writeFileSync(big, 'timestamp,score\n');
    truncateSync(big, 0x1fffffe8 + 16);
    const r = cliProcess(['eval', big, '--labels', join(dir, 'labels.csv')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/huge-pred\.csv:2: no line break within 64 MiB; records over 64 MiB are not read \(is it a CSV file\?\)/);
    rmSync(big);
  });
});
