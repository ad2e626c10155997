/**
 * The times of a source's mapped timestamp column, cell by cell: ISO 8601 text, a Parquet
 * TIMESTAMP or DATE, or, with `unit`, epoch numbers (input/epoch.ts). An epoch number does
 * not say its unit, so one is read only when the scenario names it; ISO text and Parquet
 * times do say theirs, and a unit beside them is refused rather than ignored (it would be a
 * declaration that nothing checks).
 */
import { Precision, Type, type Vector } from 'apache-arrow';
import { calendarProblem, FIRST_INSTANT_MS, LAST_INSTANT_MS, parseInstantMs } from '../model/units.js';
import type { SourceTimes } from '../model/types.js';
import { parseDecimal } from '../input/decimal.js';
import { epochMs } from '../input/epoch.js';
import { arrowCellKind, arrowCells } from '../input/arrow-cells.js';

/** `: 2023-02-30 is not a calendar date …` where that is why a timestamp was refused. */
export function calendarNote(cell: string): string {
  const p = calendarProblem(cell);
  return p === undefined ? '' : `: ${p}`;
}

/** How the option is spelled for this column, for messages. */
const withUnit = (times: SourceTimes, unit = 's') => `timestamps: { map: ${times.column}, unit: ${unit} }`;

/** Why the text `cell` is not an instant: a leap second is one, but not one paranom can place. */
function notAnInstant(cell: string, times: SourceTimes): string {
  const note = calendarNote(cell);
  if (note.includes('leap second')) return `cannot be placed${note}`;
  // An epoch number does not say its unit: seconds, milliseconds and microseconds all look alike.
  const epoch = note === '' && Number.isFinite(parseDecimal(cell.trim())) ? ` (epoch numbers do not say their unit: name it, as ${withUnit(times)} for seconds, or ms, us, ns)` : '';
  return `is not an ISO 8601 instant${note}${epoch}`;
}

/** Epoch milliseconds of an epoch number `cell` in the column's unit, or why it is refused. */
function epochCellMs(cell: string | number | bigint, times: SourceTimes & { unit: NonNullable<SourceTimes['unit']> }): number | string {
  const ms = epochMs(cell, times.unit);
  if (ms === 'rounded') return `is a DOUBLE of 2^53 or more, where a double no longer holds every integer (its instant was rounded when the file was written); store the column as INT64`;
  if (ms === 'not a number') {
    if (typeof cell === 'string' && parseInstantMs(cell.trim()) !== undefined) return `is ISO 8601 text, which says its own time: drop unit from timestamps (it reads epoch numbers)`;
    return `is not an epoch number (unit: ${times.unit})`;
  }
  // Read in the wrong unit, today's epoch seconds as milliseconds or the other way, most times fall outside ISO 8601's years.
  if (!(ms >= FIRST_INSTANT_MS && ms <= LAST_INSTANT_MS)) return `read in ${times.unit} falls outside the years 0000–9999 that timestamps can hold: is the unit right?`;
  return ms;
}

/** Epoch milliseconds of a CSV file's timestamp `cell`, or why it is refused (after `'cell' in column 'x' `). */
export function csvTimeMs(cell: string, times: SourceTimes): number | string {
  if (times.unit !== undefined) return epochCellMs(cell, { ...times, unit: times.unit });
  const t = parseInstantMs(cell.trim());
  return t === undefined ? notAnInstant(cell, times) : t;
}

/** Reads a Parquet batch's timestamp column into `out` at `at`; `fail` throws with a message. */
export function parquetTimes(tv: Vector, times: SourceTimes, at: number, out: Float64Array, fail: (why: string) => never): void {
  const kind = arrowCellKind(tv);
  const type = String(tv.type);
  if (times.unit !== undefined && kind === 'time') fail(`column '${times.column}' holds ${type} values, which say their own unit: drop unit from timestamps (it reads epoch numbers)`);
  // A number column is not taken as times without a unit: epoch seconds read as milliseconds
  // would squeeze the series a thousandfold without a word.
  if (times.unit === undefined && kind !== 'time' && kind !== 'text') {
    const how = kind === 'integer' || kind === 'number' ? `epoch numbers do not say their unit: name it, as ${withUnit(times)} for seconds, or ms, us, ns; or ` : '';
    fail(`column '${times.column}' holds ${type} values, not timestamps: ${how}store it as a Parquet TIMESTAMP or DATE, or as ISO 8601 text`);
  }
  if (times.unit !== undefined && kind !== 'integer' && kind !== 'number' && kind !== 'text') fail(`column '${times.column}' holds ${type} values, not epoch numbers (unit: ${times.unit})`);
  const cells = arrowCells(tv);
  const unit = times.unit;
  // A FLOAT (32-bit) holds every integer only up to 2^24 (HALF: 2^11): epoch seconds of today
  // in one were rounded to steps of 128 s when the file was written, and are refused as a
  // DOUBLE past 2^53 is.
  const precision = (tv.type as { precision?: number }).precision;
  const floatBits = kind === 'number' && tv.type.typeId === Type.Float && precision !== undefined && precision < Precision.DOUBLE ? (precision === Precision.HALF ? 11 : 24) : 0;
  for (let r = 0; r < tv.length; r++) {
    const raw = cells[r]!;
    const where = `row ${at + r}: ${raw === null ? 'an empty (null) cell' : String(raw)} in column '${times.column}'`;
    if (raw === null) fail(`${where} is not a timestamp`);
    if (unit !== undefined) {
      if (floatBits > 0 && Math.abs(raw as number) >= 2 ** floatBits) fail(`${where} is a ${floatBits === 24 ? 'FLOAT' : 'HALF FLOAT'} of 2^${floatBits} or more, where it no longer holds every integer (its instant was rounded when the file was written); store the column as INT64 or DOUBLE`);
      const ms = epochCellMs(raw as string | number | bigint, { ...times, unit });
      if (typeof ms === 'string') fail(`${where} ${ms}`);
      out[at + r] = ms;
      continue;
    }
    // Parquet timestamps and dates arrive as epoch milliseconds; text is parsed as ISO 8601.
    const ms = typeof raw === 'string' ? parseInstantMs(raw) : typeof raw === 'number' ? raw : undefined;
    if (ms === undefined || !Number.isFinite(ms)) fail(`${where} is not a timestamp${typeof raw === 'string' ? calendarNote(raw) : ''}`);
    out[at + r] = ms;
  }
}
