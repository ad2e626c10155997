/**
 * Training data for `train-vae`: numeric columns of a CSV (header row, comma-separated,
 * as NAB's `timestamp,value` files) or a Parquet file, read into doubles from the disk a
 * piece at a time — a CSV file's records a piece at a time (never one string, so no limit
 * at what a string holds), a Parquet file's wanted columns a few row groups at a time (the
 * others never decoded) — so memory holds the columns, not the file. A value that is
 * missing or not a number is an error naming its line and column: a VAE trained on
 * silently patched data would learn the patches. With `missing: 'skip'` (`--missing skip`)
 * a row with a missing reading (input/missing-cell.ts names the cells that are) is left out
 * instead, in a file with times only: where it was is then a gap in them (gaps.ts), which
 * no window spans unless `--gaps span` says to. Problems are reported in the order a
 * read of the whole file met them: an unclosed quote first, then the header, then values
 * (CSV row by row; Parquet column by column).
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { ParanomError } from '../errors.js';
import { SharedColumnBuilder } from '../columns/shared-column.js';
import { parquetColumns, forEachParquetBatch } from '../formats/parquet-batches.js';
import { beyondExact, inexactInteger } from '../input/exact-int.js';
import { CsvFileProblem, forEachCsvFileRecords, headerNote, separatorProblem, splitCsvLine } from '../input/csv-line.js';
import { arrowCells } from '../input/arrow-cells.js';
import { parseDecimal } from '../input/decimal.js';
import { fileSha256, readUnchanged } from '../input/file-hash.js';
import { TIME_COLUMNS, timeColumnIndex, TimeOrder, type SeriesTimes } from './time-order.js';
import { isMissingCell, isMissingValue } from '../input/missing-cell.js';

/** Missing readings in training data: refused (`error`), or their rows left out (`skip`). */
export type TrainingMissing = 'error' | 'skip';

export interface Series {
  /** File name only (no directory: it goes into the model's metadata). */
  file: string;
  sha256: string;
  columns: string[];
  /** One array per column, all of `rows` values. */
  values: Float64Array[];
  rows: number;
  /** The file's times, when it has a time column (gaps.ts); absent otherwise. */
  times?: SeriesTimes | undefined;
  /** Rows of the file left out for a missing reading (`missing: 'skip'`); absent when none. */
  leftOut?: number | undefined;
  /** A time column that holds no times train-vae reads, with its first cell; absent otherwise. */
  untimed?: { column: string; cell: string } | undefined;
}

/** What a note or refusal says of a time column train-vae does not read as times. */
export function untimedText(u: { column: string; cell: string }): string {
  return `its time column '${u.column}' holds '${u.cell}', which train-vae does not read as a time (ISO 8601 text or epoch numbers)`;
}

/** How much of a file is read at a time (tests cut small files into many pieces). */
export interface SeriesPieces {
  /** Bytes of CSV text per piece (default 16 MiB). */
  pieceBytes?: number | undefined;
  /** The longest CSV record taken (default MAX_CSV_RECORD_BYTES). */
  maxRecordBytes?: number | undefined;
  /** Compressed bytes of Parquet row groups per batch (default 16 MiB). */
  batchBytes?: number | undefined;
}

interface Read {
  columns: string[];
  values: Float64Array[];
  sha256: string;
  times: SeriesTimes | null;
  untimed?: { column: string; cell: string } | null;
}


function usage(message: string): ParanomError {
  return new ParanomError('USAGE', message);
}

function pickColumns(file: string, available: string[], wanted: readonly string[] | undefined, numeric: (name: string) => boolean): string[] {
  if (wanted && wanted.length > 0) {
    for (const w of wanted) {
      if (!available.includes(w)) throw usage(`${file} has no column '${w}'; its columns are: ${available.join(', ')}${headerNote(available)}`);
    }
    return [...wanted];
  }
  const cols = available.filter((c) => !TIME_COLUMNS.includes(c.toLowerCase()) && numeric(c));
  if (cols.length === 0) throw usage(`${file} has no numeric column besides a timestamp; name the columns with --columns${headerNote(available)}`);
  return cols;
}

/** What the header asks for: the columns, where each is in a record, or the problem. */
function csvColumns(path: string, headerRecord: string, firstRecord: string, wanted: readonly string[] | undefined): { columns: string[]; idx: number[]; time: number; order: TimeOrder | null } | string {
  const header = splitCsvLine(headerRecord).map((h) => h.trim());
  const separator = separatorProblem(header);
  if (separator) return `${path}:1: ${separator}`;
  const firstRow = splitCsvLine(firstRecord);
  try {
    const columns = pickColumns(path, header, wanted, (c) => Number.isFinite(parseDecimal(firstRow[header.indexOf(c)]?.trim() ?? '')));
    // Columns are taken by name: a name the header gives twice would train the first
    // field's values under both, and the other field would be lost without a word.
    const twice = columns.find((c) => header.indexOf(c) !== header.lastIndexOf(c));
    if (twice !== undefined) {
      const at = header.flatMap((h, i) => (h === twice ? [i + 1] : []));
      return `${path}:1: ${at.length} columns are named '${twice}' (columns ${at.slice(0, -1).join(', ')} and ${at.at(-1)}); rename one so the column trained is not a guess`;
    }
    const time = timeColumnIndex(header);
    return { columns, idx: columns.map((c) => header.indexOf(c)), time, order: time >= 0 && !columns.includes(header[time]!) ? new TimeOrder(header[time]!) : null };
  } catch (err) {
    return (err as Error).message;
  }
}

/** The end of the message refusing a missing reading. */
const MISSING_HINT = 'a missing reading; --missing skip leaves such rows out (where they were is then a gap no window spans), or clean the data first';

function readCsv(path: string, wanted: readonly string[] | undefined, { pieceBytes, maxRecordBytes }: SeriesPieces, missing: TrainingMissing): Read {
  const hash = createHash('sha256');
  const fileBytes = statSync(path).size;
  let bytesRead = 0;
  let headerRecord: string | undefined;
  let rows = 0;
  let picked: Exclude<ReturnType<typeof csvColumns>, string> | undefined;
  let builders: SharedColumnBuilder[] = [];
  // The first problem; the file is still read to its end, where an unclosed quote, which a
  // whole-text read reported before anything else, would show.
  let problem: string | undefined;
  const onRecords = (records: string[], lines: number[]): boolean => {
    let r = 0;
    if (headerRecord === undefined) headerRecord = records[r++]!;
    const n = records.length - r;
    if (n === 0) return true;
    if (rows === 0) {
      const c = csvColumns(path, headerRecord, records[r]!, wanted);
      if (typeof c === 'string') problem = c;
      else {
        picked = c;
        builders = c.columns.map(() => new SharedColumnBuilder(false));
      }
    }
    rows += n;
    if (problem !== undefined || !picked) return true;
    const { columns, idx, time, order } = picked;
    const at = builders[0]!.length;
    const out = builders.map((b) => b.reserveRead(n, bytesRead, fileBytes));
    for (let k = 0; k < n; k++, r++) {
      const fields = splitCsvLine(records[r]!);
      for (let j = 0; j < idx.length; j++) {
        const raw = fields[idx[j]!]?.trim() ?? '';
        // Decimal only, as every reader of user files: Number() would take 0x10 as 16.
        const x = parseDecimal(raw);
        if (!Number.isFinite(x)) {
          const absent = isMissingCell(raw);
          if (!absent || missing === 'error') {
            problem = `${path}:${lines[r]!}: column '${columns[j]}' holds ${raw === '' ? 'no value' : `'${raw.slice(0, 30)}'`}, ${absent ? MISSING_HINT : 'not a finite number; clean the data first'}`;
            return true;
          }
        }
        out[j]![at + k] = x;
      }
      const late = order?.see(fields[time], `${path}:${lines[r]!}`);
      if (late !== undefined) {
        problem = late;
        return true;
      }
    }
    for (const b of builders) b.advance(n);
    return true;
  };
  const onBytes = (b: Uint8Array) => {
    hash.update(b);
    bytesRead += b.length;
  };
  let openAt: number | undefined;
  try {
    openAt = forEachCsvFileRecords(path, onRecords, { pieceBytes, maxRecordBytes, onBytes });
  } catch (err) {
    if (err instanceof CsvFileProblem) throw usage(`${path}:${err.line}: ${err.detail}`);
    throw err;
  }
  if (openAt !== undefined) throw usage(`${path}:${openAt}: a quoted field is never closed`);
  if (rows === 0) throw usage(`${path}: expected a header row and at least one data row`);
  if (problem !== undefined) throw usage(problem);
  return { columns: picked!.columns, values: builders.map((b) => b.done()), sha256: hash.digest('hex'), times: picked!.order?.times() ?? null, untimed: picked!.order?.untimed() ?? null };
}

/** Columns with their Parquet types, grouped by type: "columns 'value' and 'other' are Utf8 (text), column 'flag' is Bool". */
function typedColumns(columns: readonly string[], typeOf: (c: string) => string): string {
  const byType = new Map<string, string[]>();
  for (const c of columns) byType.set(typeOf(c), [...(byType.get(typeOf(c)) ?? []), `'${c}'`]);
  return [...byType]
    .map(([type, cs]) => {
      const names = cs.length === 1 ? `column ${cs[0]}` : `columns ${cs.slice(0, -1).join(', ')} and ${cs.at(-1)}`;
      return `${names} ${cs.length === 1 ? 'is' : 'are'} ${type}${/Utf8|Binary/.test(type) ? ' (text)' : ''}`;
    })
    .join(', ');
}

function readParquet(path: string, wanted: readonly string[] | undefined, batchBytes: number | undefined, missing: TrainingMissing): Read {
  const unreadable = (err: unknown) => {
    if ((err as NodeJS.ErrnoException).code) return err;
    return usage(`training data ${path}: not a readable Parquet file (${(err as Error).message})`);
  };
  const sha256 = fileSha256(path);
  let head: ReturnType<typeof parquetColumns>;
  try {
    head = parquetColumns(path);
  } catch (err) {
    throw unreadable(err);
  }
  const typeOf = (c: string) => String(head.schema.fields.find((f) => f.name === c)?.type ?? '');
  const isNumeric = (c: string) => /^(Float|Int|Uint|Decimal)/.test(typeOf(c));
  // Readings stored as text (a CSV converted without types) are the usual cause: every such
  // column is named with its type, so one fix covers them all.
  const store = 'store the readings as numbers (a DOUBLE, FLOAT or integer column; in DuckDB, CAST(col AS DOUBLE))';
  if (!(wanted && wanted.length > 0)) {
    const others = head.columns.filter((c) => !TIME_COLUMNS.includes(c.toLowerCase()));
    if (others.length > 0 && !others.some(isNumeric)) throw usage(`${path} has no numeric column besides a timestamp: ${typedColumns(others, typeOf)}; ${store}`);
  }
  const columns = pickColumns(path, head.columns, wanted, isNumeric);
  // As for a CSV file of a header alone (before: an empty column was called constant).
  if (head.rows === 0) throw usage(`${path}: the file has no rows; expected at least one data row`);
  const notNumeric = columns.filter((c) => !isNumeric(c));
  const typeProblem = `${path}: ${typedColumns(notNumeric, typeOf)}, not numeric; ${store}`;
  // Each column's first problem; the first column's is reported, as a column-by-column read would.
  const problems = columns.map((c) => (isNumeric(c) ? undefined : typeProblem));
  const values = columns.map(() => new Float64Array(head.rows));
  const timeAt = timeColumnIndex(head.columns);
  // A Parquet TIME column is a time of day, which starts again at midnight: no order of
  // instants, passed over as a CSV file's '00:05:00' cells are (it was read as microseconds
  // since midnight and refused as going back, '0' earlier than '86100000000').
  const timeOfDay = timeAt >= 0 && /^Time(?!stamp)/.test(typeOf(head.columns[timeAt]!));
  const timeName = timeAt >= 0 && !timeOfDay && !columns.includes(head.columns[timeAt]!) ? head.columns[timeAt]! : null;
  const order = timeName === null ? null : new TimeOrder(timeName, /^(Timestamp|Date)/.test(typeOf(timeName)));
  const read = [...new Set([...columns.filter((_, j) => problems[j] === undefined), ...(timeName === null ? [] : [timeName])])];
  let late: string | undefined;
  try {
    if (read.length > 0) {
      forEachParquetBatch(path, read, (t, first) => {
        if (order && late === undefined) {
          const times = arrowCells(t.getChild(timeName!)!);
          for (let i = 0; i < t.numRows && late === undefined; i++) late = order.see(times[i], `${path}: row ${first + i}`);
        }
        columns.forEach((c, j) => {
          if (problems[j] !== undefined) return;
          // Decimals scaled, nulls as nulls (a raw buffer keeps stale bytes in a null's slot).
          const cells = arrowCells(t.getChild(c)!);
          const out = values[j]!;
          for (let i = 0; i < t.numRows; i++) {
            const v = cells[i] as number | bigint | null;
            if (inexactInteger(v)) {
              problems[j] = `${path}: row ${first + i} of column '${c}' is ${v}, ${beyondExact(v, 'training reads')}`;
              return;
            }
            const x = typeof v === 'bigint' ? Number(v) : v;
            if (x === null || !Number.isFinite(x)) {
              const absent = isMissingValue(x);
              if (!absent || missing === 'error') {
                problems[j] = `${path}: row ${first + i} of column '${c}' is ${x === null ? 'null' : String(x)}, ${absent ? MISSING_HINT : 'not a finite number; clean the data first'}`;
                return;
              }
            }
            out[first + i] = x ?? Number.NaN;
          }
        });
      }, batchBytes);
    }
  } catch (err) {
    throw unreadable(err);
  }
  const problem = late ?? problems.find((p) => p !== undefined);
  if (problem !== undefined) throw usage(problem);
  return { columns, values, sha256, times: order?.times() ?? null, untimed: order?.untimed() ?? null };
}

/**
 * `r` without its rows that hold a missing reading (NaN) in any column, and how many were
 * left out. Only a file with times can lose rows: without them, the readings either side
 * of a left-out row would be learned as neighbours.
 */
function withoutMissing(path: string, r: Read): { read: Read; leftOut: number } {
  const n = r.values[0]?.length ?? 0;
  const keep = new Uint8Array(n).fill(1);
  let leftOut = 0;
  for (const col of r.values) {
    for (let i = 0; i < n; i++) {
      if (keep[i] && Number.isNaN(col[i]!)) {
        keep[i] = 0;
        leftOut++;
      }
    }
  }
  if (leftOut === 0) return { read: r, leftOut };
  if (!r.times && r.untimed) {
    throw usage(`${path}: ${leftOut} of ${n} rows hold a missing reading, and ${untimedText(r.untimed)}, so nothing shows where rows were left out: windows would join the readings either side of them; write the times as ISO 8601 (2024-01-31T12:00:00Z) or fill the readings first`);
  }
  if (!r.times) throw usage(`${path}: ${leftOut} of ${n} rows hold a missing reading, and the file has no time column (${TIME_COLUMNS.join(', ')}) to show where rows were left out: windows would join the readings either side of them; fill them first`);
  if (leftOut === n) throw usage(`${path}: every row holds a missing reading`);
  const pick = (a: Float64Array) => {
    const out = new Float64Array(n - leftOut);
    for (let i = 0, k = 0; i < n; i++) if (keep[i]) out[k++] = a[i]!;
    return out;
  };
  return { read: { ...r, values: r.values.map(pick), times: { ...r.times, at: pick(r.times.at) } }, leftOut };
}

/** Reads the training columns of a .csv or .parquet file (all numeric non-time columns by default). */
export function readSeries(path: string, columns?: readonly string[], pieces: SeriesPieces = {}, missing: TrainingMissing = 'error'): Series {
  if (!existsSync(path)) throw usage(`training data ${path} does not exist`);
  const ext = extname(path).toLowerCase();
  let r: Read;
  // The values are those of the bytes hashed, of one version of the file.
  const changed = () => usage(`training data ${path} changed while it was being read; run again once it is written`);
  if (ext === '.csv') r = readUnchanged(path, () => readCsv(path, columns, pieces, missing), changed);
  else if (ext === '.parquet' || ext === '.parq') r = readUnchanged(path, () => readParquet(path, columns, pieces.batchBytes, missing), changed);
  else throw usage(`training data must be a .csv or .parquet file, got ${path}`);
  const { read, leftOut } = missing === 'skip' ? withoutMissing(path, r) : { read: r, leftOut: 0 };
  return { file: basename(path), sha256: read.sha256, columns: read.columns, values: read.values, rows: read.values[0]?.length ?? 0, ...(read.times ? { times: read.times } : {}), ...(leftOut > 0 ? { leftOut } : {}), ...(read.untimed ? { untimed: read.untimed } : {}) };
}
