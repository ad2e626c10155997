/**
 * A CSV file as `eval` reads it: records met piece by piece (input/csv-line's pieces, cut
 * between records), the cells of the named columns handed on per piece, never the whole
 * text split into lines and cells at once. Records and line numbers are those of
 * `csvRecords` over the whole text: a quoted field may span lines, blank lines at the end
 * are dropped, a blank line before a later record is a record.
 */
import { forEachCsvPiece, separatorProblem, splitCsvLine } from '../input/csv-line.js';
import { upperBound } from '../math/search.js';
import { usage, type TableFile } from './table.js';

const LINE_BREAK = /\r\n|\n|\r/;

function quoteCount(s: string): number {
  let n = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  return n;
}

/** Thrown to leave the pieces early, once the header is read. */
const STOP = Symbol('stop');

/**
 * Calls `fn(records, lines)` per piece with that piece's records and the 1-based line each
 * starts on; `fn` returns false to stop. Returns the line a quote left open at the end of
 * the file opened on, or undefined.
 */
function forEachRecords(bytes: Uint8Array, pieceBytes: number, fn: (records: string[], lines: number[]) => boolean): number | undefined {
  let line = 1;
  // Blank records wait for a later record: at the end of the file they are dropped.
  const blank: Array<[string, number]> = [];
  let open: { text: string; line: number } | undefined;
  const onPiece = (text: string) => {
    const raw = text.split(LINE_BREAK);
    // A piece ending in a line break splits to a last empty string that is no line.
    if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop();
    const records: string[] = [];
    const lines: number[] = [];
    const push = (record: string, at: number) => {
      records.push(record);
      lines.push(at);
    };
    for (const l of raw) {
      const at = line++;
      if (open) {
        open.text += '\n' + l;
        if (quoteCount(l) % 2 === 1) {
          push(open.text, open.line);
          open = undefined;
        }
      } else if (l.trim() === '') blank.push([l, at]);
      else {
        for (const [b, bl] of blank) push(b, bl);
        blank.length = 0;
        // An odd number of quotes leaves a field open ("" inside a field counts twice).
        if (quoteCount(l) % 2 === 1) open = { text: l, line: at };
        else push(l, at);
      }
    }
    if (records.length > 0 && !fn(records, lines)) throw STOP;
  };
  try {
    forEachCsvPiece(bytes, onPiece, pieceBytes);
  } catch (err) {
    if (err === STOP) return undefined;
    throw err;
  }
  return open?.line;
}

/** A CSV file's header row and its columns read in pieces of about `pieceBytes`. */
export function csvTable(path: string, bytes: Uint8Array, pieceBytes = 64 << 20): TableFile {
  // A quote left open is reported before anything else, as reading the whole text did:
  // an odd count of quotes in the file means one is (each closed record has an even count).
  let quotes = 0;
  for (let q = bytes.indexOf(34); q >= 0; q = bytes.indexOf(34, q + 1)) quotes++;
  if (quotes % 2 === 1) {
    const openAt = forEachRecords(bytes, pieceBytes, () => true);
    if (openAt !== undefined) throw usage(`${path}:${openAt}: a quoted field is never closed`);
  }
  let header: string | undefined;
  forEachRecords(bytes, pieceBytes, (records) => {
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
  return {
    path,
    columns,
    rowsHint: Math.max(16, Math.ceil(bytes.length / 24)),
    scan(names, fn) {
      const at = names.map((n) => columns.indexOf(n));
      let rows = 0;
      let problem: string | undefined;
      let headerSeen = false;
      forEachRecords(bytes, pieceBytes, (records, lines) => {
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
            problem ??= `${path}:${lines[r]!}: ${f.length} cells, but the header has ${columns.length}`;
            at.forEach((_, c) => (cells[c]![k] = ''));
            continue;
          }
          at.forEach((i, c) => (cells[c]![k] = f[i]!));
        }
        if (rows > first) fn(cells, first);
        return true;
      });
      return { rows, problem };
    },
    where: (row) => `${path}:${lineOf(row)}`,
  };
}

