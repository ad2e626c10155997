/**
 * 64-bit integers (a Parquet INT64 or UINT64 cell, read as a bigint) that a 64-bit float
 * cannot hold exactly. Every reader of user data works in doubles: past ±(2^53 − 1) an
 * integer becomes a neighbour of itself, so distinct values can tie (a counter near 2^60
 * read as a constant, scores that ranked apart scored as equal), and such a cell is
 * refused with its row rather than used rounded.
 */

/** The largest integer a double holds exactly, with every integer below it. */
export const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** Whether `cell` is a bigint a double cannot hold exactly. */
export function inexactInteger(cell: unknown): cell is bigint {
  return typeof cell === 'bigint' && (cell > MAX_EXACT || cell < -MAX_EXACT);
}
