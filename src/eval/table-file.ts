/**
 * The files `paranom eval` reads labels and predictions from — CSV (header row) and
 * Parquet, or a paranom dataset's shards — as named columns of raw cells, read piece by
 * piece.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { Type, type Vector } from 'apache-arrow';
import { arrowFileHead, forEachArrowBatch } from '../formats/arrow-batches.js';
import { forEachParquetBatch, parquetColumns } from '../formats/parquet-batches.js';
import { csvTable } from './csv-table.js';
import { usage, type TableFile } from './table.js';
import { parseDecimal } from '../input/decimal.js';
import { arrowCells } from '../input/arrow-cells.js';
import { headerNote } from '../input/csv-line.js';

export { usage, type Cells, type TableFile } from './table.js';

export function readBytes(path: string, what: string): Buffer {
  checkFile(path, what);
  return readFileSync(path);
}

function checkFile(path: string, what: string): void {
  if (!existsSync(path)) throw usage(`${what} ${path} does not exist`);
  if (statSync(path).isDirectory()) throw usage(`${what} ${path} is a directory; expected a .csv, .parquet or .arrow file`);
}

/**
 * Where column `name` is, or why it cannot be read: two columns of that name are refused
 * (which one a user meant is a guess, and the other reader of the same file may guess the
 * other).
 */
export function columnProblem(t: { path: string; columns: readonly string[] }, name: string): string | undefined {
  const k = t.columns.indexOf(name);
  if (k < 0) return `${t.path} has no column '${name}'${headerNote(t.columns)}`;
  const last = t.columns.lastIndexOf(name);
  if (last !== k) return `${t.path}: ${t.columns.filter((c) => c === name).length} columns are named '${name}' (columns ${k + 1} and ${last + 1}); rename one so the column read is not a guess`;
  return undefined;
}

function parquetTable(path: string, what: string): TableFile {
  const unreadable = (err: unknown) => usage(`${what} ${path}: not a readable Parquet file (${(err as Error).message})`);
  let head: { columns: string[]; rows: number };
  try {
    head = parquetColumns(path);
  } catch (err) {
    throw unreadable(err);
  }
  return {
    path,
    columns: head.columns,
    rowsHint: head.rows,
    scan(names, fn) {
      let rows: number;
      try {
        rows = forEachParquetBatch(path, names, (t, first) => fn(names.map((n) => cellsOf(t.getChild(n)!)), first));
      } catch (err) {
        throw unreadable(err);
      }
      return { rows, problem: undefined };
    },
    where: (row) => `${path} row ${row}`,
  };
}

function arrowTable(path: string, what: string): TableFile {
  const unreadable = (err: unknown) => usage(`${what} ${path}: not a readable Arrow IPC file (${(err as Error).message})`);
  let head: { columns: string[]; rows: number | undefined };
  try {
    head = arrowFileHead(path);
  } catch (err) {
    throw unreadable(err);
  }
  return {
    path,
    columns: head.columns,
    rowsHint: head.rows ?? 0,
    scan(names, fn) {
      const at = names.map((n) => head.columns.indexOf(n));
      let rows: number;
      try {
        rows = forEachArrowBatch(path, (b, first) => fn(at.map((k) => cellsOf(b.getChildAt(k) as Vector)), first));
      } catch (err) {
        throw unreadable(err);
      }
      return { rows, problem: undefined };
    },
    where: (row) => `${path} row ${row}`,
  };
}

/** A CSV, Parquet or Arrow IPC file (by extension). */
export function readTableFile(path: string, what: string): TableFile {
  checkFile(path, what);
  const ext = extname(path).toLowerCase();
  if (ext === '.parquet') return parquetTable(path, what);
  if (ext === '.arrow' || ext === '.feather' || ext === '.arrows') return arrowTable(path, what);
  if (ext === '.csv' || ext === '.txt' || ext === '') return csvTable(path);
  throw usage(`${what} ${path}: expected a .csv, .parquet or .arrow file, found '${ext}'`);
}

/** The first of `candidates` the table has, or the one named; a clear error otherwise. */
export function pickColumn(t: TableFile, named: string | undefined, candidates: readonly string[], role: string, option: string): string {
  if (named !== undefined) {
    if (!t.columns.includes(named)) throw usage(`${t.path} has no ${role} column '${named}'; its columns are: ${t.columns.join(', ')}${headerNote(t.columns)}`);
    return named;
  }
  const found = candidates.find((c) => t.columns.includes(c));
  if (!found) throw usage(`${t.path} has no ${role} column (looked for ${candidates.map((c) => `'${c}'`).join(', ')}); its columns are: ${t.columns.join(', ')}${headerNote(t.columns)}. Name it with ${option}`);
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

/**
 * A column's cells for eval, which reads every cell as a number: a boolean column without
 * nulls as 0/1 straight from its bitmaps (what `get` reads per cell); the rest as
 * arrowCells gives them.
 */
function cellsOf(v: Vector): ArrayLike<unknown> {
  return v.type.typeId === Type.Bool && v.nullCount === 0 ? wholeBools(v) : arrowCells(v);
}

function wholeBools(v: Vector): Uint8Array {
  const out = new Uint8Array(v.length);
  let at = 0;
  for (const d of v.data) {
    const bits = d.values as Uint8Array;
    for (let i = 0; i < d.length; i++) {
      const b = d.offset + i;
      out[at++] = (bits[b >> 3]! >> (b & 7)) & 1;
    }
  }
  return out;
}
