/**
 * Which string columns of a CSV dataset a reader that guesses types would misread. CSV
 * readers guess a column's type from a sample of its cells: DuckDB's `read_csv` takes a
 * string column whose sampled cells all look like numbers, booleans or dates as BIGINT,
 * DOUBLE, BOOLEAN or DATE, then stops at the first rarer value that is not one ('other'
 * among '1' and '2', perhaps in another shard), or reads '1.50' back as 1.5. A quoted cell
 * is guessed the same way, so no way of writing the cell avoids it: the run names the
 * columns and the option that reads them as text.
 */
import type { Scenario } from '../model/types.js';

const NUMBER = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
const BOOLEAN = /^\s*(true|false)\s*$/i;
const DATE_OR_TIME = /^\s*(\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2})/;

/** Whether a CSV reader's type sniffing could take `value` for something other than text. */
function looksTyped(value: string): boolean {
  return NUMBER.test(value) || BOOLEAN.test(value) || DATE_OR_TIME.test(value);
}

/** The string columns (variables, a fleet's key) holding a value such a reader would guess as another type, with one such value. */
export function guessedColumns(s: Scenario): Array<{ column: string; value: string }> {
  const out: Array<{ column: string; value: string }> = [];
  // A fleet's key column holds its entities' names.
  const name = s.entities?.names?.find(looksTyped);
  if (s.entities && name !== undefined) out.push({ column: s.entities.key, value: name });
  for (const v of s.variables) {
    const typed = v.categories?.find(looksTyped);
    if (v.dtype === 'string' && typed !== undefined) out.push({ column: v.name, value: typed });
  }
  return out;
}

/** The note a CSV run prints for such columns, with DuckDB's read of `out`; undefined when there are none. */
export function csvGuessNote(s: Scenario, out: string): string | undefined {
  const cols = guessedColumns(s);
  if (cols.length === 0) return undefined;
  const named = cols.map((c) => `'${c.column}' (a value such as '${c.value}')`).join(', ');
  const types = cols.map((c) => `'${c.column}': 'VARCHAR'`).join(', ');
  return `note: string column${cols.length === 1 ? '' : 's'} ${named} may be guessed as numbers, booleans or dates by CSV readers that sniff types (a rarer value is then refused, or '1.50' read as 1.5); read ${cols.length === 1 ? 'it' : 'them'} as text, in DuckDB read_csv('${out}/data/*.csv', types = {${types}})`;
}
