/** A table file as `eval` reads it: named columns, read piece by piece. */
import { ParanomError } from '../errors.js';

/** A column read from a file: cells as numbers, booleans, bigints or text. */
export type Cells = ArrayLike<unknown>;

/**
 * A table file opened for reading: its column names, and its columns read piece by piece
 * (row groups of a Parquet file, pieces of a CSV file), so a file is never held whole as
 * cells. Every cell problem is reported with the file, the column and the line or row.
 */
export interface TableFile {
  path: string;
  columns: string[];
  /** Rows to expect (exact for Parquet and Arrow, a guess for CSV), to size arrays. */
  rowsHint: number;
  /**
   * Reads the named columns in row order: `fn(cells, first)` per piece, one cell list per
   * name. Returns the rows read and the first record whose cell count differs from the
   * header's, or a quote never closed (CSV), as a message.
   */
  scan(names: readonly string[], fn: (cells: Cells[], first: number) => void): { rows: number; problem: string | undefined };
  /** Where row i came from, for messages ("line 12" in a CSV, "row 11" otherwise). */
  where(row: number): string;
}

export function usage(message: string): ParanomError {
  return new ParanomError('USAGE', message);
}

