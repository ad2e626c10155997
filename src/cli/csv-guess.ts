/**
 * Which string columns of a CSV dataset a reader that guesses types would misread. CSV
 * readers guess a column's type from a sample of its cells: DuckDB's `read_csv` takes a
 * string column whose sampled cells all look like numbers, booleans or dates as BIGINT,
 * DOUBLE, BOOLEAN or DATE, then stops at the first rarer value that is not one ('other'
 * among '1' and '2', perhaps in another shard), or reads '1.50' back as 1.5. A quoted cell
 * is guessed the same way, so no way of writing the cell avoids it: the run names the
 * columns and the option that reads them as text.
 */
import { closeSync, openSync, readSync } from 'node:fs';
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

/** The rows DuckDB's read_csv guesses types from: the first 20,480 of the first file (its default sample_size). */
export const SAMPLE_ROWS = 20_480;

/**
 * Whether `anomaly_id`, a CSV file's last field, is empty on each of its first SAMPLE_ROWS
 * rows: a reader that guesses types from them then takes the column for text, every cell
 * it saw being missing. Lines are rows here (a string cell holding a line break, which a
 * quoted field may, only ends the count early).
 */
export function labelsOutsideSample(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 16);
    let line = '';
    let lines = -1; // the header is not a row
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      const parts = (line + buf.toString('latin1', 0, n)).split('\n');
      // The text after the last line break: a row still being read, or at the end the last row (if any).
      line = parts.pop()!;
      if (n === 0 && line !== '') parts.push(line);
      for (const l of parts) {
        if (lines >= 0 && !l.endsWith(',') && !l.endsWith(',\r')) return false;
        if (++lines >= SAMPLE_ROWS) return true;
      }
      if (n === 0) return true;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The note a CSV run prints for such columns, with DuckDB's read of `out`; undefined when
 * there are none. `labelsUnseen`: anomaly_id is empty on the rows a reader guesses from
 * (labelsOutsideSample), so the read gives it its integer type too.
 */
export function csvGuessNote(s: Scenario, out: string, labelsUnseen = false): string | undefined {
  const cols = guessedColumns(s);
  if (cols.length === 0 && !labelsUnseen) return undefined;
  const types = [...cols.map((c) => `'${c.column}': 'VARCHAR'`), ...(labelsUnseen ? ["'anomaly_id': 'BIGINT'"] : [])].join(', ');
  const read = `read_csv('${out}/data/*.csv', types = {${types}})`;
  const notes: string[] = [];
  if (cols.length > 0) {
    const named = cols.map((c) => `'${c.column}' (a value such as '${c.value}')`).join(', ');
    notes.push(`note: string column${cols.length === 1 ? '' : 's'} ${named} may be guessed as numbers, booleans or dates by CSV readers that sniff types (a rarer value is then refused, or '1.50' read as 1.5); read ${cols.length === 1 ? 'it' : 'them'} as text, in DuckDB ${read}`);
  }
  if (labelsUnseen) {
    notes.push(`note: anomaly_id is empty on every row CSV readers sniff types from (DuckDB: the first ${SAMPLE_ROWS.toLocaleString('en-US')} rows of the first file; no labelled row there), so they take it for text (VARCHAR); read it as an integer, in DuckDB ${read}`);
  }
  return notes.join('\n');
}
