/**
 * A training file's rows must come in time order: train-vae learns windows of consecutive
 * rows, and rows out of order would teach it jumps the series never makes. The file's time
 * column (the first one named as TIME_COLUMNS names it) is read beside the values and each
 * row's time compared with the last time before it. The column's first cell decides what
 * its times are: ISO 8601 text, or numbers (a Parquet TIMESTAMP or DATE as epoch
 * milliseconds, or epoch values of any unit: only their order matters). A cell that is not
 * such a time is passed over, as is a column whose first cell is none; equal times are
 * allowed (a file whose stamps are rounded).
 */
import { parseInstantMs } from '../model/units.js';
import { parseDecimal } from '../input/decimal.js';
import { SharedColumnBuilder } from '../columns/shared-column.js';

/** Column names never taken by default: time stamps. */
export const TIME_COLUMNS = ['timestamp', 'time', 'date', 'datetime', 'ts'];

/** Where the file's time column is among `names` (-1: none). */
export function timeColumnIndex(names: readonly string[]): number {
  return names.findIndex((n) => TIME_COLUMNS.includes(n.toLowerCase()));
}

type Cell = string | number | bigint | boolean | null | undefined;

const asNumber = (cell: Cell): number => (typeof cell === 'number' ? cell : typeof cell === 'bigint' ? Number(cell) : typeof cell === 'string' ? parseDecimal(cell.trim()) : Number.NaN);
const asInstant = (cell: Cell): number => (typeof cell === 'string' ? (parseInstantMs(cell.trim()) ?? Number.NaN) : Number.NaN);

/** A file's times, one per row (NaN where a cell is no time): instants in epoch milliseconds, or numbers of the file's own unit. */
export interface SeriesTimes {
  column: string;
  at: Float64Array;
  instants: boolean;
}

/** Follows a file's times row by row; `see` says what is wrong with the next one, and keeps it (gaps.ts looks for gaps in them). */
export class TimeOrder {
  private previous = Number.NEGATIVE_INFINITY;
  private previousText = '';
  private read: ((cell: Cell) => number) | null | undefined;
  private readonly kept = new SharedColumnBuilder(false);
  /** The first cell, when it is no time: the column is then passed over, and `untimed` names it. */
  private firstCell = '';

  /** `epochMs`: numbers are epoch milliseconds (a Parquet TIMESTAMP or DATE), named in ISO 8601. */
  constructor(
    private readonly column: string,
    private readonly epochMs = false,
  ) {}

  /** The problem with the next row's time, at `where` (a line or row), or undefined. */
  see(cell: Cell, where: string): string | undefined {
    if (this.read === undefined) {
      this.read = Number.isFinite(asInstant(cell)) ? asInstant : Number.isFinite(asNumber(cell)) ? asNumber : null;
      if (this.read === null) this.firstCell = String(cell ?? '').trim();
    }
    if (this.read === null) return undefined;
    const t = this.read(cell);
    this.keep(t);
    if (!Number.isFinite(t)) return undefined;
    const text = typeof cell === 'string' ? cell.trim() : this.epochMs ? new Date(t).toISOString() : String(cell);
    if (t < this.previous) {
      return `${where}: time '${text.slice(0, 40)}' in column '${this.column}' is earlier than the row before it ('${this.previousText.slice(0, 40)}'); train-vae learns windows of consecutive rows, so the rows must be in time order: sort the file by '${this.column}' first`;
    }
    this.previous = t;
    this.previousText = text;
    return undefined;
  }

  private keep(t: number): void {
    // Grown to twice its length when full: a row at a time costs one copy per doubling.
    this.kept.reserve(this.kept.length + 1, 2 * this.kept.length + 1024)[this.kept.length] = t;
    this.kept.advance(1);
  }

  /**
   * A column read as no times (its first cell is none, as day-first dates are), with that
   * cell: the rows' order and gaps go unchecked, which train-vae says rather than pass over.
   */
  untimed(): { column: string; cell: string } | null {
    return this.read === null ? { column: this.column, cell: this.firstCell.slice(0, 40) } : null;
  }

  /** The times seen, one per row; null when the column holds no times. */
  times(): SeriesTimes | null {
    if (!this.read) return null;
    return { column: this.column, at: this.kept.done(), instants: this.read === asInstant || this.epochMs };
  }
}
