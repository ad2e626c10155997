/**
 * Reading the column a source variable replays: CSV (a header row, comma-separated,
 * double-quoted fields allowed) or Parquet (through parquet-wasm). Values must be numbers
 * or missing readings (source-missing.ts: refused unless the scenario says how to replay
 * them); a mapped timestamp column must hold ISO 8601 instants, Parquet timestamps, or
 * epoch numbers in the unit the scenario names (source-times.ts), in strictly increasing order.
 *
 * A file is read once per run, on the main thread: a CSV file piece by piece from the
 * disk (never whole in memory, never one string), hashed as it is parsed, so the columns
 * are exactly the bytes whose SHA-256 the scenario records. The columns live in shared
 * memory; workers are handed them with their tasks (source-share.ts) and never open the
 * file. Parsed files are cached per thread by path, content hash and columns.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Table } from 'apache-arrow';
import { forEachParquetBatch, parquetColumns } from '../formats/parquet-batches.js';
import { ParanomError } from '../errors.js';
import { inputPath } from '../model/input-path.js';
import type { SourceTimes, SourceVariable } from '../model/types.js';
import { beyondExact, inexactInteger } from '../input/exact-int.js';
import { csvRecords, CsvFileProblem, forEachCsvFilePiece, headerNote, pickCsvFields, separatorProblem, splitCsvLine } from '../input/csv-line.js';
import { arrowCellKind, arrowCells } from '../input/arrow-cells.js';
import { parseDecimal } from '../input/decimal.js';
import { csvTimeMs, parquetTimes } from './source-times.js';
import { SharedColumnBuilder } from '../columns/shared-column.js';
import { MissingReadings, type MissingMode } from './source-missing.js';
import { isMissingCell, isMissingValue } from '../input/missing-cell.js';
import { inputChanged } from './input-check.js';
import { fileSha256, readUnchanged } from '../input/file-hash.js';


export interface SourceData {
  columns: string[];
  /** The column's values, in shared memory (handed to workers without a copy). */
  values: Float64Array;
  /** Epoch milliseconds of each row, when a timestamp column was asked for (shared memory too). */
  times: Float64Array | null;
  /** SHA-256 of the bytes the columns were parsed from. */
  sha256: string;
}

/** A problem reading the file: where (1-based line for CSV, row for Parquet) and what. */
export class SourceReadError extends Error {}

const cache = new Map<string, SourceData>();

/**
 * Columns read by this thread, by the file's identity on the disk (device, inode, size,
 * change and modification times in nanoseconds) and the columns: a scenario validated
 * again (a fleet's per-entity parameters validate it at their extremes) does not parse
 * its files again.
 */
const readNow = new Map<string, SourceData>();

/** The timestamp column and the unit it is read in, and how missing readings replay, as part of a cache key. */
const timesKey = (times: SourceTimes | null, missing: MissingMode) => (times === null ? '' : `${times.column}${times.unit === undefined ? '' : `@${times.unit}`}`) + (missing === 'error' ? '' : `~${missing}`);

function statKey(path: string, column: string, times: SourceTimes | null, missing: MissingMode): string {
  const st = statSync(path, { bigint: true });
  return `${resolve(path)}#${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}#${column}#${timesKey(times, missing)}`;
}

/** The cache key of a source's columns: the file, its content, the columns asked for. */
function keyOf(path: string, sha256: string, column: string, times: SourceTimes | null, missing: MissingMode): string {
  return `${resolve(path)}#${sha256}#${column}#${timesKey(times, missing)}`;
}

/** The key under which `v`'s columns are cached (and handed to workers). */
export function sourceKey(v: SourceVariable, baseDir: string | undefined): string {
  return keyOf(inputPath(baseDir, v.file), v.sha256, v.column, timeColumnOf(v), v.missing ?? 'error');
}

/** Takes columns read by another thread (source-share.ts) as this thread's own. */
export function adoptSource(key: string, data: SourceData): void {
  if (!cache.has(key)) cache.set(key, data);
}

function timeColumnOf(v: SourceVariable): SourceTimes | null {
  return v.timestamps.mode === 'map' ? { column: v.timestamps.column, ...(v.timestamps.unit ? { unit: v.timestamps.unit } : {}) } : null;
}

/** Where `name` is among `columns`; a name missing or given to two columns is refused. */
function columnIndex(columns: readonly string[], name: string, what: string): number {
  const i = columns.indexOf(name);
  // `timestamps: map` reads a column named `timestamp`; another name is given as { map: <column> }.
  const how = what === 'timestamp column' ? `; name the file's timestamp column with timestamps: { map: <column> }` : '';
  if (i < 0) throw new SourceReadError(`no ${what} '${name}' (columns: ${columns.join(', ')})${how}${headerNote(columns)}`);
  if (columns.lastIndexOf(name) !== i) throw new SourceReadError(`${columns.filter((c) => c === name).length} columns are named '${name}' (columns ${i + 1} and ${columns.lastIndexOf(name) + 1}); rename one so the ${what} is not a guess`);
  return i;
}

/** The header of a CSV text's first record, checked for another separator. */
function csvHeader(record: string): string[] {
  const header = splitCsvLine(record).map((h) => h.trim());
  const separator = separatorProblem(header);
  if (separator) throw new SourceReadError(`line 1: ${separator}`);
  return header;
}

/** A file's content hash and columns, or a SourceReadError naming why it cannot be read. */
function opened<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof SourceReadError) throw err;
    if (err instanceof CsvFileProblem) throw new SourceReadError(err.message);
    const code = (err as NodeJS.ErrnoException).code;
    if (code) throw new SourceReadError(`cannot be read (${code})`);
    throw err;
  }
}

/** A mapped timestamp of a CSV file: its epoch milliseconds, its cell as written, its line. */
interface PreviousTime {
  t: number;
  cell: string;
  line: number;
}

const ORDER_HINT = '(timestamps: ignore replays the rows without them)';

/**
 * Why the CSV timestamp `cell` (`t` ms) cannot follow `before`: both cells as the file
 * writes them, and the instant they were read as when that hides why they tie (a finer
 * fraction than the millisecond, or two offsets naming one instant).
 */
function notIncreasing(cell: string, t: number, before: PreviousTime): string {
  const iso = (ms: number) => new Date(ms).toISOString();
  const read = t === before.t && cell !== before.cell.trim() ? `; both are ${iso(t)}${/\.\d{4}/.test(cell + before.cell) ? ' (timestamps are read to the millisecond)' : ''}` : '';
  return `timestamps must increase strictly to be mapped onto the timeline, got '${cell}' after '${before.cell.trim()}' on line ${before.line}${read} ${ORDER_HINT}`;
}

function readCsv(path: string, column: string, timeColumn: SourceTimes | null, missing: MissingReadings): SourceData {
  const hash = createHash('sha256');
  const fileBytes = statSync(path).size;
  let readBytes = 0;
  let header: string[] | null = null;
  let vi = -1;
  let ti = -1;
  const values = new SharedColumnBuilder();
  const times = timeColumn === null ? null : new SharedColumnBuilder();
  // The last mapped timestamp (line 0: none yet), one object reused row after row.
  const previous: PreviousTime = { t: 0, cell: '', line: 0 };
  forEachCsvFilePiece(path, (text, firstLine) => {
    const { records, line, openAt } = csvRecords(text);
    if (openAt !== undefined) throw new SourceReadError(`line ${firstLine - 1 + openAt}: a quoted field is never closed`);
    let from = 0;
    if (header === null) {
      if (records.length === 0) return;
      header = csvHeader(records[0]!);
      vi = columnIndex(header, column, 'column');
      ti = timeColumn === null ? -1 : columnIndex(header, timeColumn.column, 'timestamp column');
      from = 1;
    }
    const n = records.length - from;
    // Rows per byte so far, over the whole file: one allocation of about the final size.
    const vs = values.reserveRead(n, readBytes, fileBytes);
    const ts = times?.reserveRead(n, readBytes, fileBytes);
    const at0 = values.length;
    const want = ti >= 0 ? [vi, ti] : [vi];
    const cells: Array<string | undefined> = [];
    for (let r = 0; r < n; r++) {
      const fields = pickCsvFields(records[r + from]!, want, cells);
      const lineNo = firstLine - 1 + line[r + from]!;
      const at = () => `line ${lineNo}`;
      if (fields !== header.length) throw new SourceReadError(`${at()}: ${fields} field${fields === 1 ? '' : 's'}, but the header has ${header.length}${headerNote(header)}`);
      const x = parseDecimal(cells[0]);
      if (!Number.isFinite(x)) {
        if (!isMissingCell(cells[0])) throw new SourceReadError(`${at()}: '${cells[0] ?? ''}' in column '${column}' is not a number${headerNote(header)}`);
        missing.add(`${at()}: '${cells[0] ?? ''}' in column '${column}'`);
      }
      vs[at0 + r] = x;
      if (ts) {
        const t = csvTimeMs(cells[1] ?? '', timeColumn!);
        if (typeof t === 'string') throw new SourceReadError(`${at()}: '${cells[1] ?? ''}' in column '${timeColumn!.column}' ${t}`);
        ts[at0 + r] = t;
        // Checked here, where the line is known: blank lines and quoted line breaks make
        // a record's line more than its row + 2.
        if (!(t > previous.t) && previous.line > 0) throw new SourceReadError(`${at()}: ${notIncreasing(cells[1]!.trim(), t, previous)}`);
        previous.t = t;
        previous.cell = cells[1]!;
        previous.line = lineNo;
      }
    }
    values.advance(n);
    times?.advance(n);
  }, {
    onBytes: (b) => {
      hash.update(b);
      readBytes += b.length;
    },
  });
  if (header === null) throw new SourceReadError('the file is empty');
  if (values.length === 0) throw new SourceReadError('the file has a header but no rows');
  return { columns: header, values: values.done(), times: times?.done() ?? null, sha256: hash.digest('hex') };
}

/** Writes one batch's value cells (and times) at `at` of the shared columns. */
function parquetBatch(t: Table, at: number, column: string, timeColumn: SourceTimes | null, values: Float64Array, times: Float64Array | null, missing: MissingReadings): void {
  const n = t.numRows;
  // Numbers, decimals and integers as they are; text as CSV cells are read (a numeric column stored as strings).
  const vector = t.getChild(column)!;
  // Times arrive as epoch milliseconds, which would replay as a ramp of 1.7e12-sized values
  // that looks like data; a time column is never what a source means to replay.
  if (arrowCellKind(vector) === 'time') {
    throw new SourceReadError(`column '${column}' holds ${String(vector.type)} values (times), not numbers to replay: name a numeric column in 'column'; a time column belongs in timestamps: { map: ${column} }`);
  }
  const cells = arrowCells(vector);
  for (let r = 0; r < n; r++) {
    const raw = cells[r];
    // A series replays as doubles: a 64-bit integer past 2^53 would come back as a
    // neighbour of itself, so the source's own value would never appear in the data.
    if (inexactInteger(raw)) {
      throw new SourceReadError(`row ${at + r}: ${raw} in column '${column}' is ${beyondExact(raw, 'a source replays')}`);
    }
    const x = typeof raw === 'bigint' ? Number(raw) : typeof raw === 'number' ? raw : typeof raw === 'string' ? parseDecimal(raw) : NaN;
    if (!Number.isFinite(x)) {
      // A null, a NaN, or text that spells a missing reading; an infinity is a value gone wrong.
      const absent = isMissingValue(raw);
      const shown = raw === null ? 'null' : typeof raw === 'string' ? `'${raw}'` : String(raw);
      if (!absent) throw new SourceReadError(`row ${at + r}: ${shown} in column '${column}' is not a number`);
      missing.add(`row ${at + r}: ${shown} in column '${column}'`);
    }
    values[at + r] = x;
  }
  if (!times) return;
  parquetTimes(t.getChild(timeColumn!.column)!, timeColumn!, at, times, (why) => {
    throw new SourceReadError(why);
  });
}

/** A Parquet file's columns and row count from its footer; a SourceReadError when it is not one. */
function parquetHead(path: string): { columns: string[]; rows: number } {
  try {
    return parquetColumns(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code) throw err;
    throw new SourceReadError(`not a readable Parquet file (${(err as Error).message})`);
  }
}

function readParquet(path: string, column: string, timeColumn: SourceTimes | null, missing: MissingReadings): SourceData {
  const sha256 = fileSha256(path);
  const { columns, rows: n } = parquetHead(path);
  const wanted = [columns[columnIndex(columns, column, 'column')]!];
  if (timeColumn !== null) wanted.push(columns[columnIndex(columns, timeColumn.column, 'timestamp column')]!);
  if (n === 0) throw new SourceReadError('the file has no rows');
  const values = new Float64Array(new SharedArrayBuffer(8 * n));
  const times = timeColumn === null ? null : new Float64Array(new SharedArrayBuffer(8 * n));
  try {
    // Only the row groups' chunks of the replayed columns are decoded, a few row groups at a time.
    forEachParquetBatch(path, wanted, (t, first) => parquetBatch(t, first, column, timeColumn, values, times, missing));
  } catch (err) {
    if (err instanceof SourceReadError || (err as NodeJS.ErrnoException).code) throw err;
    throw new SourceReadError(`not a readable Parquet file (${(err as Error).message})`);
  }
  return { columns, values, times, sha256 };
}

/** The column names of a CSV or Parquet file (its header, or its schema). */
export function readSourceColumns(path: string, format: 'csv' | 'parquet'): string[] {
  return opened(path, () => {
    if (format === 'parquet') return parquetHead(path).columns;
    let header: string[] | null = null;
    forEachCsvFilePiece(path, (text) => {
      const { records } = csvRecords(text);
      if (records.length === 0) return;
      header = csvHeader(records[0]!);
      return false;
    }, { pieceBytes: 1 << 16 });
    if (header === null) throw new SourceReadError('the file is empty');
    return header;
  });
}

/**
 * The values of `column` (and the times of `timeColumn`) of a CSV or Parquet file as it
 * is now, with the SHA-256 of the bytes they were parsed from, missing readings replayed
 * as `missing` says. Throws SourceReadError on a bad file.
 */
export function readSource(path: string, format: 'csv' | 'parquet', column: string, timeColumn: SourceTimes | null, missing: MissingMode = 'error'): SourceData {
  const now = opened(path, () => statKey(path, column, timeColumn, missing));
  const known = readNow.get(now);
  if (known) return known;
  // The values are those of the bytes hashed, of one version of the file.
  const changed = () => new SourceReadError('changed while it was being read; run again once it is written');
  const data = opened(path, () =>
    readUnchanged(path, () => {
      const absent = new MissingReadings();
      const read = format === 'csv' ? readCsv(path, column, timeColumn, absent) : readParquet(path, column, timeColumn, absent);
      const refused = absent.replay(read.values, column, missing);
      if (refused) throw new SourceReadError(refused);
      return read;
    }, changed),
  );
  // A CSV file's order is checked as it is read, line by line (readCsv).
  if (data.times && format === 'parquet') {
    for (let r = 1; r < data.times.length; r++) {
      if (!(data.times[r]! > data.times[r - 1]!)) {
        const at = (i: number) => new Date(data.times![i]!).toISOString();
        // Real series repeat a timestamp at clock changes: say which, so it can be cleaned or ignored.
        throw new SourceReadError(`row ${r}: timestamps must increase strictly to be mapped onto the timeline, got ${at(r)} after ${at(r - 1)} ${ORDER_HINT}`);
      }
    }
  }
  cache.set(keyOf(path, data.sha256, column, timeColumn, missing), data);
  readNow.set(now, data);
  return data;
}

/**
 * A validated source's columns: this thread's (read on it, or handed to it), else read
 * from the file, which must still hash to what the scenario recorded (INPUT_CHANGED
 * otherwise: a dataset is made from one version of each input).
 */
export function sourceData(v: SourceVariable, baseDir: string | undefined): SourceData {
  return cache.get(sourceKey(v, baseDir)) ?? sourceOnDisk(v, baseDir);
}

/**
 * A validated source's columns from its file as it is on the disk now, which must hash to
 * what the scenario recorded (INPUT_CHANGED otherwise): what `grow` and `verify` check
 * before they add to a dataset or vouch for it. Read again only if the file changed since
 * this thread last read it.
 */
export function sourceOnDisk(v: SourceVariable, baseDir: string | undefined): SourceData {
  const abs = inputPath(baseDir, v.file);
  if (!existsSync(abs)) throw inputChanged(v.name, 'source file', v.file, abs, v.sha256, undefined);
  let data: SourceData;
  try {
    data = readSource(abs, v.format, v.column, timeColumnOf(v), v.missing ?? 'error');
  } catch (err) {
    if (!(err instanceof SourceReadError)) throw err;
    // A file that no longer parses has most likely changed since it was validated.
    const now = fileSha256(abs);
    if (now !== v.sha256) throw inputChanged(v.name, 'source file', v.file, abs, v.sha256, now);
    throw new ParanomError('SCENARIO_INVALID', `variable '${v.name}': source file ${v.file}: ${err.message}`, { variable: v.name, file: v.file });
  }
  if (data.sha256 !== v.sha256) throw inputChanged(v.name, 'source file', v.file, abs, v.sha256, data.sha256);
  return data;
}
