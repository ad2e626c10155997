/**
 * A CSV file as `eval` reads it: records met piece by piece as they are read from the disk
 * (input/csv-line's pieces, cut between records), the cells of the named columns handed
 * on per piece, never the whole text split into lines and cells at once. Records and line
 * numbers are those of `csvRecords` over the whole text: a quoted field may span lines, a
 * blank line is no record.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { CsvFileProblem, forEachCsvFileRecords, separatorProblem, splitCsvLine } from '../input/csv-line.js';
import { upperBound } from '../math/search.js';
import { usage, type TableFile } from './table.js';

/** The file's records piece by piece (forEachCsvFileRecords); a record too long to read is the user's mistake, named by file and line. */
function forEachRecords(path: string, pieceBytes: number, fn: (records: string[], lines: number[]) => boolean): number | undefined {
  try {
    return forEachCsvFileRecords(path, fn, { pieceBytes });
  } catch (err) {
    if (err instanceof CsvFileProblem) throw usage(`${path}:${err.line}: ${err.detail}`);
    throw err;
  }
}

/**
 * Whether the file holds a quote at all: without one no quoted field can be left open, and
 * the look for one is skipped. (The parity of the count tells nothing: a quote inside an
 * unquoted field, `a 5" pipe`, is a character, so an even count may leave a field open.)
 */
function holdsQuote(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = new Uint8Array(1 << 20);
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) if (buf.subarray(0, n).includes(34)) return true;
    return false;
  } finally {
    closeSync(fd);
  }
}

/** A CSV file's header row and its columns read from the disk in pieces of about `pieceBytes`. */
export function csvTable(path: string, pieceBytes = 16 << 20): TableFile {
  // A quote left open is reported before anything else, as reading the whole text did.
  if (holdsQuote(path)) {
    const openAt = forEachRecords(path, pieceBytes, () => true);
    if (openAt !== undefined) throw usage(`${path}:${openAt}: a quoted field is never closed`);
  }
  let header: string | undefined;
  forEachRecords(path, pieceBytes, (records) => {
    header = records[0];
    return false;
  });
  if (header === undefined) throw usage(`${path} is empty; expected a header row`);
  const columns = splitCsvLine(header).map((c) => c.trim());
  const separator = separatorProblem(columns);
  if (separator) throw usage(`${path}:1: ${separator}`);
  // Rows whose line is not the one after the previous row's (a record spanning lines, a
  // blank line): the line of any row follows from the last such row before it.
  const jumpRow: number[] = [];
  const jumpLine: number[] = [];
  const lineOf = (row: number) => {
    const k = upperBound(jumpRow, row) - 1;
    return k < 0 ? row + 2 : jumpLine[k]! + (row - jumpRow[k]!);
  };
  let rowsRead = 0;
  return {
    path,
    columns,
    rowsHint: Math.max(16, Math.ceil(statSync(path).size / 24)),
    scan(names, fn) {
      const at = names.map((n) => columns.indexOf(n));
      let rows = 0;
      let problem: string | undefined;
      let headerSeen = false;
      const openAt = forEachRecords(path, pieceBytes, (records, lines) => {
        let r = 0;
        if (!headerSeen) {
          headerSeen = true;
          r = 1;
        }
        const cells: string[][] = at.map(() => new Array<string>(records.length - r));
        const first = rows;
        for (let k = 0; r < records.length; r++, k++, rows++) {
          if (lines[r] !== lineOf(rows)) {
            jumpRow.push(rows);
            jumpLine.push(lines[r]!);
          }
          const f = splitCsvLine(records[r]!);
          if (f.length !== columns.length) {
            problem ??= `${path}:${lines[r]!}: ${f.length === 1 ? '1 cell' : `${f.length} cells`}, but the header has ${columns.length}`;
            at.forEach((_, c) => (cells[c]![k] = ''));
            continue;
          }
          at.forEach((i, c) => (cells[c]![k] = f[i]!));
        }
        if (rows > first) fn(cells, first);
        return true;
      });
      if (openAt !== undefined) problem ??= `${path}:${openAt}: a quoted field is never closed`;
      rowsRead = rows;
      return { rows, problem };
    },
    // Past the rows read, row + 2, as a list of the records' lines answers.
    where: (row) => `${path}:${row < rowsRead ? lineOf(row) : row + 2}`,
  };
}

