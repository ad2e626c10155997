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

/**
 * Why such a cell is refused, after its place (`row 3: 2^60 in column 'x' is …`): what a
 * double makes of it, for `reader` (`a source replays`, `training reads`), and the way out.
 */
export function beyondExact(cell: bigint, reader: string): string {
  return `beyond ±(2^53 − 1), the largest integers ${reader} exactly (as a 64-bit float it is ${Number(cell)}, and its neighbours tie with it); store the column as DOUBLE if rounding is acceptable, or as a smaller offset from a base value`;
}
