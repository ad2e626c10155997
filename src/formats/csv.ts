/**
 * CSV encoding: a header, ISO 8601 UTC timestamps, numbers in JavaScript's shortest
 * round-trip form (a whole float with ".0"), booleans as true/false, an empty field for a
 * null (anomaly_id, a dropout), `""` for an empty string.
 */
import { getInt64, type ColumnSet, type ValueColumn } from '../columns/columns.js';
import { textRows, type EncodedRows } from './text-rows.js';
import { IsoTimeFormatter } from './iso-time.js';

/** A text field: quoted when it holds a quote, comma or line break, or is empty — `""`, so an
 * empty string stays apart from a missing value, which is an empty field. */
function quote(s: string): string {
  return s === '' || /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The header line (without its newline). */
export function csvHeader(values: readonly Pick<ValueColumn, 'name'>[]): string {
  return ['timestamp', ...values.map((v) => quote(v.name)), 'is_anomaly', 'anomaly_id'].join(',');
}

/** A function from row (within the shard) to that row's line, without its newline. */
function csvLine(s: ColumnSet): (i: number) => string {
  const cells = s.values.map((v) => {
    const cell = plainCell(v);
    const valid = v.valid;
    // A null (a dropout's missing value) is an empty field.
    return valid ? (i: number) => (valid[i] ? cell(i) : '') : cell;
  });
  const time = new IsoTimeFormatter();
  return (i) => {
    let line = time.format(getInt64(s.timestamp, i));
    for (const cell of cells) line += ',' + cell(i);
    return line + (s.isAnomaly[i] ? ',true,' + String(getInt64(s.anomalyId, i)) : ',false,');
  };
}

/** A whole CSV file: the header, then every row. */
export function encodeCsv(s: ColumnSet): Uint8Array {
  const head = new TextEncoder().encode(csvHeader(s.values) + '\n');
  const rows = encodeCsvRows(s, 0, s.rows, Math.max(1, s.rows));
  const out = new Uint8Array(head.length + rows.bytes.length);
  out.set(head, 0);
  out.set(rows.bytes, head.length);
  return out;
}

/** Rows [from, to) of a shard as CSV lines, without the header (a stream writes it once). */
export function encodeCsvRows(s: ColumnSet, from: number, to: number, unitRows: number): EncodedRows {
  return textRows(csvLine(s), from, to, unitRows);
}

function plainCell(v: ValueColumn): (i: number) => string {
  const d = v.data;
  switch (v.dtype) {
    case 'int64':
      return (i: number) => String(getInt64(d as Int32Array, i));
    case 'bool':
      return (i: number) => (d[i] ? 'true' : 'false');
    case 'string': {
      const cats = (v.categories ?? []).map(quote);
      return (i: number) => cats[d[i]!]!;
    }
    case 'float64':
    case 'float32':
      return (i: number) => floatText(d[i]!);
    default:
      return (i: number) => String(d[i]);
  }
}

/**
 * A float in its shortest round-trip form, a whole one with ".0" ("3.0", not "3"): readers
 * guess a CSV column's type from its text, DuckDB per file, and would take a float column
 * whose values in one shard happen to be whole for an integer one — and then refuse to read
 * the shards as one table. Negative zero keeps its sign ("-0.0"; String(-0) is "0"), as the
 * Parquet and Arrow files keep it.
 */
function floatText(x: number): string {
  if (Object.is(x, -0)) return '-0.0';
  const s = String(x);
  return Number.isInteger(x) && !s.includes('e') ? s + '.0' : s;
}
