/**
 * The files `paranom eval` reads labels and predictions from — CSV (header row) and
 * Parquet, or a paranom dataset's shards — as named columns of raw cells. Every cell
 * problem is reported with the file, the column and the line or row.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import type { Table, Vector } from 'apache-arrow';
import { ParanomError } from '../errors.js';
import { csvRecords, csvTooLarge, separatorProblem, splitCsvLine } from '../input/csv-line.js';
import { readArrowRows, readParquetColumns } from '../formats/read.js';
import { parseDecimal } from '../input/decimal.js';
import { arrowCells } from '../input/arrow-cells.js';

/** A column read from a file: cells as numbers, booleans, bigints or text. */
export type Cells = ArrayLike<unknown>;

/** A table read from one file: its column names and a lookup of one column's cells. */
export interface TableFile {
  path: string;
  columns: string[];
  rows: number;
  cells(name: string): Cells;
  /** Where row i came from, for messages ("line 12" in a CSV, "row 11" otherwise). */
  where(row: number): string;
}

export function usage(message: string): ParanomError {
  return new ParanomError('USAGE', message);
}

export function readBytes(path: string, what: string): Buffer {
  if (!existsSync(path)) throw usage(`${what} ${path} does not exist`);
  if (statSync(path).isDirectory()) throw usage(`${what} ${path} is a directory; expected a .csv or .parquet file`);
  return readFileSync(path);
}

function csvTable(path: string, text: string): TableFile {
  const { records, line, openAt } = csvRecords(text);
  if (records.length === 0) throw usage(`${path} is empty; expected a header row`);
  if (openAt !== undefined) throw usage(`${path}:${openAt}: a quoted field is never closed`);
  const columns = splitCsvLine(records[0]!).map((c) => c.trim());
  const separator = separatorProblem(columns);
  if (separator) throw usage(`${path}:1: ${separator}`);
  const body = records.slice(1);
  const cache = new Map<string, string[]>();
  return {
    path,
    columns,
    rows: body.length,
    cells(name) {
      let col = cache.get(name);
      if (!col) {
        const k = columnIndex(path, columns, name);
        col = body.map((l, i) => {
          const cells = splitCsvLine(l);
          if (cells.length !== columns.length) throw usage(`${path}:${line[i + 1]!}: ${cells.length === 1 ? '1 cell' : `${cells.length} cells`}, but the header has ${columns.length}`);
          return cells[k]!;
        });
        cache.set(name, col);
      }
      return col;
    },
    where: (row) => `${path}:${line[row + 1] ?? row + 2}`,
  };
}

/**
 * Where column `name` is; two columns of that name are refused (which one a user meant is
 * a guess, and the other reader of the same file may guess the other).
 */
function columnIndex(path: string, columns: readonly string[], name: string): number {
  const k = columns.indexOf(name);
  if (k < 0) throw usage(`${path} has no column '${name}'`);
  const last = columns.lastIndexOf(name);
  if (last !== k) throw usage(`${path}: ${columns.filter((c) => c === name).length} columns are named '${name}' (columns ${k + 1} and ${last + 1}); rename one so the column read is not a guess`);
  return k;
}

function arrowTable(path: string, t: Table): TableFile {
  const columns = t.schema.fields.map((f) => f.name);
  return {
    path,
    columns,
    rows: t.numRows,
    cells(name) {
      const v = t.getChildAt(columnIndex(path, columns, name)) as Vector | null;
      if (!v) throw usage(`${path} has no column '${name}'`);
      return arrowCells(v);
    },
    where: (row) => `${path} row ${row}`,
  };
}

/** A CSV or Parquet file (by extension), whole. `columns` limits what a Parquet read decodes. */
export function readTableFile(path: string, what: string, columns?: readonly string[]): TableFile {
  const bytes = readBytes(path, what);
  const ext = extname(path).toLowerCase();
  if (ext === '.parquet') {
    try {
      return arrowTable(path, readParquetColumns(bytes, columns));
    } catch (err) {
      throw usage(`${what} ${path}: not a readable Parquet file (${(err as Error).message})`);
    }
  }
  if (ext === '.arrow' || ext === '.feather') return arrowTable(path, readArrowRows(bytes, 0, Number.MAX_SAFE_INTEGER));
  if (ext === '.csv' || ext === '.txt' || ext === '') {
    const tooLarge = csvTooLarge(bytes.length);
    if (tooLarge) throw usage(`${what} ${path} ${tooLarge}`);
    return csvTable(path, bytes.toString('utf8'));
  }
  throw usage(`${what} ${path}: expected a .csv or .parquet file, found '${ext}'`);
}

/** The first of `candidates` the table has, or the one named; a clear error otherwise. */
export function pickColumn(t: TableFile, named: string | undefined, candidates: readonly string[], role: string, option: string): string {
  if (named !== undefined) {
    if (!t.columns.includes(named)) throw usage(`${t.path} has no ${role} column '${named}'; its columns are: ${t.columns.join(', ')}`);
    return named;
  }
  const found = candidates.find((c) => t.columns.includes(c));
  if (!found) throw usage(`${t.path} has no ${role} column (looked for ${candidates.map((c) => `'${c}'`).join(', ')}); its columns are: ${t.columns.join(', ')}. Name it with ${option}`);
  return found;
}

/** A cell as a number: numbers and bigints as they are, booleans as 0/1, text read as a decimal number (else NaN). */
export function cellNumber(cell: unknown): number {
  if (typeof cell === 'number') return cell;
  if (typeof cell === 'bigint') return Number(cell);
  if (typeof cell === 'boolean') return cell ? 1 : 0;
  if (typeof cell === 'string') {
    const t = cell.trim().toLowerCase();
    if (t === 'true') return 1;
    if (t === 'false') return 0;
    return parseDecimal(t);
  }
  return Number.NaN;
}
