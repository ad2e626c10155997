/**
 * Reading the column a source variable replays: CSV (a header row, comma-separated,
 * double-quoted fields allowed) or Parquet (through parquet-wasm). Values must all be
 * numbers; a mapped timestamp column must hold ISO 8601 instants (or Parquet timestamps)
 * in strictly increasing order. Parsed files are cached per thread by path and content
 * hash, so validation and the load hook of the main thread read a file once.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
import { calendarProblem, parseInstantMs } from '../model/units.js';
import { csvRecords, forEachCsvPiece, separatorProblem, splitCsvLine } from '../input/csv-line.js';
import { arrowCellKind, arrowCells } from '../input/arrow-cells.js';
import { parseDecimal } from '../input/decimal.js';

const require = createRequire(import.meta.url);

export interface SourceData {
  columns: string[];
  values: Float64Array;
  /** Epoch milliseconds of each row, when a timestamp column was asked for. */
  times: Float64Array | null;
}

/** A problem reading the file: where (1-based line for CSV, row for Parquet) and what. */
export class SourceReadError extends Error {}

const cache = new Map<string, SourceData>();


/** `: 2023-02-30 is not a calendar date …` where that is why a timestamp was refused. */
function calendarNote(cell: string): string {
  const p = calendarProblem(cell);
  return p === undefined ? '' : `: ${p}`;
}


/** Where `name` is among `columns`; a name missing or given to two columns is refused. */
function columnIndex(columns: readonly string[], name: string, what: string): number {
  const i = columns.indexOf(name);
  if (i < 0) throw new SourceReadError(`no ${what} '${name}' (columns: ${columns.join(', ')})`);
  if (columns.lastIndexOf(name) !== i) throw new SourceReadError(`${columns.filter((c) => c === name).length} columns are named '${name}' (columns ${i + 1} and ${columns.lastIndexOf(name) + 1}); rename one so the ${what} is not a guess`);
  return i;
}

function readCsv(path: string, column: string | null, timeColumn: string | null): SourceData {
  let header: string[] | null = null;
  let vi = -1;
  let ti = -1;
  // Values piece by piece (a file may be larger than one string can hold), joined at the end.
  const parts: Array<{ values: Float64Array; times: Float64Array | null }> = [];
  let rows = 0;
  forEachCsvPiece(readFileSync(path), (text, firstLine) => {
    const { records, line, openAt } = csvRecords(text);
    if (openAt !== undefined) throw new SourceReadError(`line ${firstLine - 1 + openAt}: a quoted field is never closed`);
    let from = 0;
    if (header === null) {
      if (records.length === 0) return;
      header = splitCsvLine(records[0]!).map((h) => h.trim());
      const separator = separatorProblem(header);
      if (separator) throw new SourceReadError(`line 1: ${separator}`);
      if (column === null) return;
      vi = columnIndex(header, column, 'column');
      ti = timeColumn === null ? -1 : columnIndex(header, timeColumn, 'timestamp column');
      from = 1;
    }
    if (column === null) return;
    const n = records.length - from;
    const values = new Float64Array(n);
    const times = ti >= 0 ? new Float64Array(n) : null;
    for (let r = 0; r < n; r++) {
      const cells = splitCsvLine(records[r + from]!);
      const at = `line ${firstLine - 1 + line[r + from]!}`;
      if (cells.length !== header.length) throw new SourceReadError(`${at}: ${cells.length} field${cells.length === 1 ? '' : 's'}, but the header has ${header.length}`);
      const x = parseDecimal(cells[vi]);
      if (!Number.isFinite(x)) throw new SourceReadError(`${at}: '${cells[vi] ?? ''}' in column '${column}' is not a number`);
      values[r] = x;
      if (times) {
        const t = parseInstantMs(cells[ti]?.trim() ?? '');
        if (t === undefined) throw new SourceReadError(`${at}: '${cells[ti] ?? ''}' in column '${timeColumn}' is not an ISO 8601 instant${calendarNote(cells[ti] ?? '')}`);
        times[r] = t;
      }
    }
    parts.push({ values, times });
    rows += n;
  });
  if (header === null) throw new SourceReadError('the file is empty');
  if (column === null) return { columns: header, values: new Float64Array(0), times: null };
  if (rows === 0) throw new SourceReadError('the file has a header but no rows');
  const values = new Float64Array(rows);
  const times = ti >= 0 ? new Float64Array(rows) : null;
  let at = 0;
  for (const p of parts) {
    values.set(p.values, at);
    if (times && p.times) times.set(p.times, at);
    at += p.values.length;
  }
  return { columns: header, values, times };
}

function readParquet(path: string, column: string | null, timeColumn: string | null): SourceData {
  const pw = require('parquet-wasm') as typeof import('parquet-wasm');
  let table;
  try {
    table = tableFromIPC(pw.readParquet(readFileSync(path)).intoIPCStream());
  } catch (err) {
    throw new SourceReadError(`not a readable Parquet file (${(err as Error).message})`);
  }
  const columns = table.schema.fields.map((f) => f.name);
  if (column === null) return { columns, values: new Float64Array(0), times: null };
  const vec = table.getChildAt(columnIndex(columns, column, 'column'));
  if (!vec) throw new SourceReadError(`no column '${column}' (columns: ${columns.join(', ')})`);
  const n = table.numRows;
  if (n === 0) throw new SourceReadError('the file has no rows');
  // Numbers, decimals and integers as they are; text as CSV cells are read (a numeric column stored as strings).
  const cells = arrowCells(vec);
  const values = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const raw = cells[r];
    const x = typeof raw === 'bigint' ? Number(raw) : typeof raw === 'number' ? raw : typeof raw === 'string' ? parseDecimal(raw) : NaN;
    if (!Number.isFinite(x)) throw new SourceReadError(raw === null ? `row ${r}: column '${column}' is empty (null); every value must be a number` : `row ${r}: ${typeof raw === 'string' ? `'${raw}'` : String(raw)} in column '${column}' is not a number`);
    values[r] = x;
  }
  let times: Float64Array | null = null;
  if (timeColumn !== null) {
    const tv = table.getChildAt(columnIndex(columns, timeColumn, 'timestamp column'));
    if (!tv) throw new SourceReadError(`no timestamp column '${timeColumn}' (columns: ${columns.join(', ')})`);
    // A number column is not taken as times: epoch seconds read as milliseconds would
    // squeeze the series a thousandfold without a word.
    const kind = arrowCellKind(tv);
    if (kind !== 'time' && kind !== 'text') throw new SourceReadError(`column '${timeColumn}' holds ${String(tv.type)} values, not timestamps: store it as a Parquet TIMESTAMP or DATE, or as ISO 8601 text (epoch numbers do not say their unit)`);
    const tcells = arrowCells(tv);
    times = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const raw = tcells[r];
      // Parquet timestamps and dates arrive as epoch milliseconds; text is parsed as ISO 8601.
      const t = typeof raw === 'string' ? parseInstantMs(raw) : typeof raw === 'number' ? raw : undefined;
      if (t === undefined || !Number.isFinite(t)) throw new SourceReadError(`row ${r}: ${raw === null ? 'an empty (null) cell' : String(raw)} in column '${timeColumn}' is not a timestamp${typeof raw === 'string' ? calendarNote(raw) : ''}`);
      times[r] = t;
    }
  }
  return { columns, values, times };
}

/**
 * The values of `column` (and the times of `timeColumn`) of a CSV or Parquet file; with
 * `column` null, only the column names. Throws SourceReadError on a bad file.
 */
export function readSource(path: string, format: 'csv' | 'parquet', sha256: string, column: string | null, timeColumn: string | null): SourceData {
  const key = `${path}#${sha256}#${column ?? ''}#${timeColumn ?? ''}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const data = format === 'csv' ? readCsv(path, column, timeColumn) : readParquet(path, column, timeColumn);
  if (data.times) {
    for (let r = 1; r < data.times.length; r++) {
      if (!(data.times[r]! > data.times[r - 1]!)) {
        const at = (i: number) => new Date(data.times![i]!).toISOString();
        // Real series repeat a timestamp at clock changes: say which, so it can be cleaned or ignored.
        throw new SourceReadError(`${format === 'csv' ? `line ${r + 2}` : `row ${r}`}: timestamps must increase strictly to be mapped onto the timeline, got ${at(r)} after ${at(r - 1)} (timestamps: ignore replays the rows without them)`);
      }
    }
  }
  if (column !== null) cache.set(key, data);
  return data;
}
