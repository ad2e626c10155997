/**
 * Training data for `train-vae`: numeric columns of a CSV (header row, comma-separated,
 * as NAB's `timestamp,value` files) or a Parquet file, read whole into doubles. A value
 * that is missing or not a number is an error naming its line and column: a VAE trained
 * on silently patched data would learn the patches.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { createRequire } from 'node:module';
import { ParanomError } from '../errors.js';
import { csvRecords, csvTooLarge, separatorProblem, splitCsvLine } from '../input/csv-line.js';
import { arrowCells } from '../input/arrow-cells.js';
import { parseDecimal } from '../input/decimal.js';

export interface Series {
  /** File name only (no directory: it goes into the model's metadata). */
  file: string;
  sha256: string;
  columns: string[];
  /** One array per column, all of `rows` values. */
  values: Float64Array[];
  rows: number;
}

/** Column names never taken by default: time stamps. */
const TIME_COLUMNS = ['timestamp', 'time', 'date', 'datetime', 'ts'];


function pickColumns(file: string, available: string[], wanted: readonly string[] | undefined, numeric: (name: string) => boolean): string[] {
  if (wanted && wanted.length > 0) {
    for (const w of wanted) {
      if (!available.includes(w)) throw new ParanomError('USAGE', `${file} has no column '${w}'; its columns are: ${available.join(', ')}`);
    }
    return [...wanted];
  }
  const cols = available.filter((c) => !TIME_COLUMNS.includes(c.toLowerCase()) && numeric(c));
  if (cols.length === 0) throw new ParanomError('USAGE', `${file} has no numeric column besides a timestamp; name the columns with --columns`);
  return cols;
}

function readCsv(path: string, text: string, wanted: readonly string[] | undefined): { columns: string[]; values: Float64Array[] } {
  const { records: lines, line, openAt } = csvRecords(text);
  if (openAt !== undefined) throw new ParanomError('USAGE', `${path}:${openAt}: a quoted field is never closed`);
  if (lines.length < 2) throw new ParanomError('USAGE', `${path}: expected a header row and at least one data row`);
  const header = splitCsvLine(lines[0]!).map((h) => h.trim());
  const separator = separatorProblem(header);
  if (separator) throw new ParanomError('USAGE', `${path}:1: ${separator}`);
  const firstRow = splitCsvLine(lines[1]!);
  const columns = pickColumns(path, header, wanted, (c) => {
    const v = firstRow[header.indexOf(c)]?.trim() ?? '';
    return Number.isFinite(parseDecimal(v));
  });
  const idx = columns.map((c) => header.indexOf(c));
  const rows = lines.length - 1;
  const values = columns.map(() => new Float64Array(rows));
  for (let r = 0; r < rows; r++) {
    const fields = splitCsvLine(lines[r + 1]!);
    for (let j = 0; j < idx.length; j++) {
      const raw = fields[idx[j]!]?.trim() ?? '';
      // Decimal only, as every reader of user files: Number() would take 0x10 as 16.
      const x = parseDecimal(raw);
      if (!Number.isFinite(x)) {
        throw new ParanomError('USAGE', `${path}:${line[r + 1]!}: column '${columns[j]}' holds ${raw === '' ? 'no value' : `'${raw.slice(0, 30)}'`}, not a finite number; clean the data first`);
      }
      values[j]![r] = x;
    }
  }
  return { columns, values };
}

function readParquet(path: string, bytes: Uint8Array, wanted: readonly string[] | undefined): { columns: string[]; values: Float64Array[] } {
  const require = createRequire(import.meta.url);
  const pw = require('parquet-wasm') as typeof import('parquet-wasm');
  const { tableFromIPC } = require('apache-arrow') as typeof import('apache-arrow');
  const table = tableFromIPC(pw.readParquet(bytes).intoIPCStream());
  const names = table.schema.fields.map((f) => f.name);
  const isNumeric = (c: string) => {
    const t = String(table.schema.fields.find((f) => f.name === c)?.type ?? '');
    return /^(Float|Int|Uint|Decimal)/.test(t);
  };
  const columns = pickColumns(path, names, wanted, isNumeric);
  const values = columns.map((c) => {
    const col = table.getChild(c)!;
    if (!isNumeric(c)) throw new ParanomError('USAGE', `${path}: column '${c}' is ${String(col.type)}, not numeric`);
    const out = new Float64Array(col.length);
    // Decimals scaled, nulls as nulls (a raw buffer keeps stale bytes in a null's slot).
    const cells = arrowCells(col);
    for (let i = 0; i < col.length; i++) {
      const v = cells[i] as number | bigint | null;
      const x = typeof v === 'bigint' ? Number(v) : v;
      if (x === null || !Number.isFinite(x)) throw new ParanomError('USAGE', `${path}: row ${i} of column '${c}' is ${x === null ? 'null' : String(x)}, not a finite number; clean the data first`);
      out[i] = x;
    }
    return out;
  });
  return { columns, values };
}

/** Reads the training columns of a .csv or .parquet file (all numeric non-time columns by default). */
export function readSeries(path: string, columns?: readonly string[]): Series {
  if (!existsSync(path)) throw new ParanomError('USAGE', `training data ${path} does not exist`);
  const bytes = readFileSync(path);
  const ext = extname(path).toLowerCase();
  let r: { columns: string[]; values: Float64Array[] };
  if (ext === '.csv') {
    const tooLarge = csvTooLarge(bytes.length);
    if (tooLarge) throw new ParanomError('USAGE', `training data ${path} ${tooLarge}`);
    r = readCsv(path, bytes.toString('utf8'), columns);
  }
  else if (ext === '.parquet' || ext === '.parq') r = readParquet(path, bytes, columns);
  else throw new ParanomError('USAGE', `training data must be a .csv or .parquet file, got ${path}`);
  return { file: basename(path), sha256: createHash('sha256').update(bytes).digest('hex'), columns: r.columns, values: r.values, rows: r.values[0]?.length ?? 0 };
}
