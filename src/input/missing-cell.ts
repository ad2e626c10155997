/**
 * Cells of users' files that are missing readings, for the readers that accept them (a
 * source with `missing: hold`, train-vae with `--missing skip`): those pandas' `read_csv`
 * takes for NaN by default, so a file a user's pipeline reads as gaps is read as gaps here
 * too. In Parquet, a null or a NaN. Anything else that is not a number (`abc`, `inf`) is a
 * value gone wrong, not one left out, and stays an error.
 */

/** pandas.read_csv's default na_values, and the empty cell. */
const MISSING_CELLS = new Set(['', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null']);

/** Whether a CSV cell (untrimmed) spells a missing reading. */
export function isMissingCell(cell: string | undefined): boolean {
  return MISSING_CELLS.has(cell?.trim() ?? '');
}

/** Whether a decoded cell of any file holds no reading: a null, a NaN, or text that spells one. */
export function isMissingValue(cell: unknown): boolean {
  return cell === null || cell === undefined || (typeof cell === 'number' && Number.isNaN(cell)) || (typeof cell === 'string' && isMissingCell(cell));
}
