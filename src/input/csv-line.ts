import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Splitting one line of a CSV file (RFC 4180 quoting), shared by every reader of user data.
 * A quote opens a quoted field only where a field starts (past any spaces); a quote inside
 * an unquoted field, as in `a 5" pipe`, is a character of the field, as DuckDB, pandas and
 * Python's csv module read it (see `openAfter`).
 */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  // Nothing but spaces since the field began: where a quote opens a quoted field.
  let atStart = true;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === ',') {
      out.push(cur);
      cur = '';
      atStart = true;
    } else if (ch === '"' && atStart) {
      quoted = true;
      atStart = false;
    } else {
      cur += ch;
      // A byte-order mark left on a file's first field (a reader that kept it) is no character of it either.
      if (ch !== ' ' && ch !== '\t' && ch !== '\uFEFF') atStart = false;
    }
  }
  out.push(cur);
  return out;
}

/**
 * The fields `want[k]` of a record into `out[k]` (undefined where it has none), as
 * splitCsvLine splits it, and how many fields it has; a record without quotes is not split
 * into an array (a 20M-row file spent a fifth of its reading there).
 */
export function pickCsvFields(record: string, want: readonly number[], out: Array<string | undefined>): number {
  out.fill(undefined);
  if (record.includes('"')) {
    const cells = splitCsvLine(record);
    for (let k = 0; k < want.length; k++) out[k] = cells[want[k]!];
    return cells.length;
  }
  for (let field = 0, start = 0; ; field++) {
    const comma = record.indexOf(',', start);
    const end = comma < 0 ? record.length : comma;
    for (let k = 0; k < want.length; k++) if (want[k] === field) out[k] = record.slice(start, end);
    if (comma < 0) return field + 1;
    start = comma + 1;
  }
}

/**
 * The records of a CSV text: lines, except that a quoted field may hold line breaks (RFC
 * 4180), so a line whose quotes are not yet balanced continues on the next. `line[k]` is the
 * 1-based line record k starts on, for messages. Line breaks are \n, \r\n or a lone \r;
 * blank lines (empty or only spaces, outside quotes) are no record, as pandas and DuckDB
 * read them: a file edited by hand often has one between its rows or at its end. A quote
 * left open at the end of the text makes the last record run to the end; `openAt` is then
 * the line that quote opened on.
 */
export function csvRecords(text: string): { records: string[]; line: number[]; openAt: number | undefined } {
  // Lines at even indexes, the break ending each at the odd ones: a break inside quotes is
  // part of the field and is kept as written ("x\r\ny" was read back as "x\ny").
  const raw = text.split(/(\r\n|\n|\r)/);
  const records: string[] = [];
  const line: number[] = [];
  let openAt: number | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    let rec = raw[i]!;
    const start = i / 2 + 1;
    let open = openAfter(rec, false);
    while (open && i + 2 < raw.length) {
      rec += raw[i + 1]! + raw[i + 2]!;
      i += 2;
      open = openAfter(raw[i]!, true);
    }
    if (open) openAt = start;
    else if (rec.trim() === '') continue;
    records.push(rec);
    line.push(start);
  }
  return { records, line, openAt };
}

/**
 * Whether a quoted field is open at the end of `s`, one line of a record, when `open` says
 * whether one was open at its start (a line that is not a record's first starts inside a
 * quoted field). A quote opens a quoted field only where a field starts: at the start of a
 * record or after a comma, past any spaces. Inside one, `""` is a quote and `"` closes it.
 * A quote inside an unquoted field (`a 5" pipe`, `12" screen`) is a character of the field,
 * as DuckDB, pandas and Python's csv module read it: counted as an opening quote, it joined
 * the lines after it into one record, up to the next such quote, and their rows were lost.
 */
function openAfter(s: string, open: boolean): boolean {
  for (let q = s.indexOf('"'); q >= 0; q = s.indexOf('"', q + 1)) {
    if (open) {
      if (s.charCodeAt(q + 1) === 34) q++;
      else open = false;
    } else {
      let p = q - 1;
      while (p >= 0 && (s.charCodeAt(p) === 32 || s.charCodeAt(p) === 9 || s.charCodeAt(p) === 0xfeff)) p--;
      open = p < 0 || s.charCodeAt(p) === 44;
    }
  }
  return open;
}

/**
 * Why a header row split on commas looks like another separator's, or undefined: one
 * field holding a semicolon or a tab (as spreadsheets in many locales and TSV files write)
 * would otherwise be reported later as a missing column whose name is the whole header.
 */
export function separatorProblem(header: readonly string[]): string | undefined {
  if (header.length !== 1) return undefined;
  const h = header[0]!;
  const sep = h.includes('\t') ? 'tab' : h.includes(';') ? 'semicolon' : undefined;
  return sep === undefined ? undefined : `the header row is one field holding ${sep}s ('${h.replace(/\t/g, '\\t')}'): paranom reads comma-separated files (RFC 4180, '.' as the decimal mark); save the file with commas between fields`;
}

/**
 * A note for a message listing a header's `columns` when they cannot be the names the user
 * wrote: a name holds U+FFFD, what a byte UTF-8 cannot read decodes to (a Latin-1 or
 * Windows-1252 file's 'é'); or the first line is a comment (`# exported by …`), which
 * loggers put above the header and which a CSV file read here does not have. '' otherwise.
 */
export function headerNote(columns: readonly string[]): string {
  if (columns.some((c) => c.includes('\uFFFD'))) return ` (\uFFFD marks bytes that are not UTF-8: the file is in another encoding, such as Latin-1; save it as UTF-8)`;
  if (columns[0]?.startsWith('#')) return ` (the first line starts with '#', a comment: the first line of the file is read as its header row; remove the lines above the header)`;
  return '';
}

/**
 * The longest record the CSV readers take, in bytes. No time series has a row this long:
 * a record that runs on past it is a quoted field never closed, or a file that is not CSV
 * (no line breaks), and reading on would hold the rest of the file at once.
 */
export const MAX_CSV_RECORD_BYTES = 64 << 20;

/** A CSV file that cannot be read as CSV text: the line where that shows, and why. Each reader names its file. */
export class CsvFileProblem extends Error {
  constructor(readonly line: number, readonly detail: string) {
    super(`line ${line}: ${detail}`);
  }
}

/** A record of a CSV file longer than MAX_CSV_RECORD_BYTES: where it starts, and why it runs on. */
export class CsvRecordTooLong extends CsvFileProblem {
  constructor(line: number, maxBytes: number, quoteOpen: boolean) {
    const size = maxBytes >= 1 << 20 ? `${maxBytes / 2 ** 20} MiB` : `${maxBytes} bytes`;
    super(
      line,
      quoteOpen
        ? `a quoted field opened in the record that starts here is not closed within ${size}; records over ${size} are not read (a quote left open?)`
        : `no line break within ${size}; records over ${size} are not read (is it a CSV file?)`,
    );
  }
}

/**
 * Why a piece of a CSV file starting on line `line` is not UTF-8 text, or undefined: a
 * UTF-16 or UTF-32 file (a spreadsheet's "Unicode text") decodes as UTF-8 with a NUL
 * between its letters, so its header looked like `timestamp,value` and yet had no column
 * 'value'; a NUL byte is in no UTF-8 CSV file (a compressed or binary file has them too).
 */
function notUtf8(piece: Uint8Array, line: number): CsvFileProblem | undefined {
  const nul = piece.indexOf(0);
  if (nul < 0) return undefined;
  const [b0, b1, b2, b3] = piece;
  if (line === 1 && ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff) || (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff))) {
    const bom = Array.from(piece.subarray(0, b0 === 0 || (b2 === 0 && b3 === 0) ? 4 : 2), (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
    return new CsvFileProblem(1, `the file is ${bom.length > 5 ? 'UTF-32' : 'UTF-16'} text (byte-order mark ${bom}), not UTF-8: save it as UTF-8 CSV`);
  }
  return new CsvFileProblem(line + lineEnds(piece.subarray(0, nul)), `a NUL byte (0x00): the file is not UTF-8 text (UTF-16 without a byte-order mark, compressed or binary?); save it as UTF-8 CSV`);
}

/** Reads up to `length` bytes into `buf` at `at`; returns how many (0 at the end). */
type ReadInto = (buf: Uint8Array, at: number, length: number) => number;

/**
 * The quoted fields of `b[0, end)`, a window starting at a record's start, as `openAfter`
 * finds them in text: calls `outside(from, to)` for each stretch outside quotes, in order,
 * and returns whether a quoted field is open at `end`.
 */
function quoteStretches(b: Uint8Array, end: number, outside: (from: number, to: number) => void): boolean {
  const w = b.subarray(0, end);
  // A byte-order mark before the first field (the decoder drops it from the text).
  const bom = w[0] === 0xef && w[1] === 0xbb && w[2] === 0xbf ? 2 : -1;
  let open = false;
  let from = 0;
  for (let q = w.indexOf(34); q >= 0; q = w.indexOf(34, q + 1)) {
    if (open) {
      if (w[q + 1] === 34) q++;
      else {
        open = false;
        from = q + 1;
      }
      continue;
    }
    let p = q - 1;
    while (p >= 0 && (w[p] === 32 || w[p] === 9)) p--;
    if (p < 0 || p === bom || w[p] === 44 || w[p] === 10 || w[p] === 13) {
      outside(from, q);
      open = true;
    }
  }
  if (!open) outside(from, end);
  return open;
}

/**
 * Where the last whole record of `b[0, end)` ends when records end at byte `eol`: just
 * after the last `eol` outside quoted fields; 0 when there is none.
 */
function lastEnd(b: Uint8Array, end: number, eol: number): number {
  const w = b.subarray(0, end);
  const stretches: number[] = [];
  quoteStretches(b, end, (from, to) => stretches.push(from, to));
  // From the last stretch back; an `eol` found inside quotes rules out every stretch after it.
  let below = end;
  for (let k = stretches.length - 2; k >= 0; k -= 2) {
    const from = stretches[k]!;
    const to = Math.min(stretches[k + 1]!, below);
    if (to <= from) continue;
    const e = w.lastIndexOf(eol, to - 1);
    if (e >= from) return e + 1;
    if (e < 0) return 0;
    below = e + 1;
  }
  return 0;
}

/**
 * Where the last whole record of `b[0, end)` ends: after a \n, or, in a window without
 * one (a file whose lines end in a lone \r), after a \r that is not the window's last
 * byte. (A \r outside quotes with a \n after it would have that \n found first, so a
 * \r\n is never cut in two.) 0 when there is none.
 */
function lastRecordEnd(b: Uint8Array, end: number): number {
  return lastEnd(b, end, 10) || lastEnd(b, end - 1, 13);
}

function quoteOpen(b: Uint8Array): boolean {
  return quoteStretches(b, b.length, () => {});
}

/** Line ends in a piece: \n, \r\n or a lone \r, as csvRecords counts them (a piece never ends between \r and \n). */
function lineEnds(piece: Uint8Array): number {
  let n = 0;
  for (let i = piece.indexOf(10); i >= 0; i = piece.indexOf(10, i + 1)) n++;
  for (let i = piece.indexOf(13); i >= 0; i = piece.indexOf(13, i + 1)) if (piece[i + 1] !== 10) n++;
  return n;
}

/**
 * The pieces of a CSV text that `read` yields, each about `pieceBytes` of whole records
 * (see forEachCsvPiece); a record longer than that makes its piece longer, up to
 * `maxRecordBytes` (CsvRecordTooLong past it). Only one piece and the start of the next
 * are held at a time.
 */
function forEachPiece(read: ReadInto, fn: (text: string, firstLine: number) => boolean | void, pieceBytes: number, maxRecordBytes: number): void {
  // Each piece decoded on its own (a streaming decode took three times as long): a piece
  // ends just after a line break, so no character is cut in two between pieces.
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let first = true;
  let buf = new Uint8Array(Math.max(1, pieceBytes));
  let filled = 0;
  let ended = false;
  let line = 1;
  for (;;) {
    while (!ended && filled < buf.length) {
      const n = read(buf, filled, buf.length - filled);
      if (n === 0) ended = true;
      filled += n;
    }
    if (filled === 0) return;
    const cut = ended ? filled : lastRecordEnd(buf, filled);
    if (cut === 0) {
      // No whole record yet: a longer window, as long as a record may be.
      if (buf.length >= maxRecordBytes) throw new CsvRecordTooLong(line, maxRecordBytes, quoteOpen(buf.subarray(0, filled)));
      const longer = new Uint8Array(Math.min(buf.length * 2, maxRecordBytes));
      longer.set(buf.subarray(0, filled));
      buf = longer;
      continue;
    }
    const piece = buf.subarray(0, cut);
    const encoding = notUtf8(piece, line);
    if (encoding) throw encoding;
    // A leading byte-order mark is dropped from the first piece only.
    let text = decoder.decode(piece);
    if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    first = false;
    const stop = fn(text, line) === false;
    line += lineEnds(piece);
    buf.copyWithin(0, cut, filled);
    filled -= cut;
    if (stop || (ended && filled === 0)) return;
  }
}

/** How a CSV file is read in pieces: bytes a piece (about), the longest record taken, and a look at every byte read. */
export interface CsvPieceOptions {
  pieceBytes?: number | undefined;
  /** Default MAX_CSV_RECORD_BYTES (tests set it small). */
  maxRecordBytes?: number | undefined;
  /** Sees every byte read, in order (a content hash of what was parsed). */
  onBytes?: ((bytes: Uint8Array) => void) | undefined;
}

/**
 * A CSV file's bytes as pieces of text of about `pieceBytes`, each cut after a line end
 * that no quoted field spans (outside quotes, as `openAfter` reads them), so each piece holds whole
 * records: a file larger than a string can hold is read piece by piece, and no piece
 * holds more than it needs. Calls `fn(text, firstLine)` in order, `firstLine` the 1-based
 * line the piece starts on (line ends \n, \r\n or a lone \r); a byte-order mark is
 * dropped. A record longer than `maxRecordBytes` throws CsvRecordTooLong.
 */
export function forEachCsvPiece(bytes: Uint8Array, fn: (text: string, firstLine: number) => void, pieceBytes = 64 << 20, maxRecordBytes = MAX_CSV_RECORD_BYTES): void {
  let at = 0;
  forEachPiece((buf, to, length) => {
    const n = Math.min(length, bytes.length - at);
    buf.set(bytes.subarray(at, at + n), to);
    at += n;
    return n;
  }, fn, pieceBytes, maxRecordBytes);
}

/**
 * The pieces of a CSV file (as forEachCsvPiece), read from the disk as they are parsed, so
 * the file is never in memory whole. `fn` may return false to stop (a header read).
 */
export function forEachCsvFilePiece(path: string, fn: (text: string, firstLine: number) => boolean | void, o: CsvPieceOptions = {}): void {
  const fd = openSync(path, 'r');
  try {
    forEachPiece((buf, to, length) => {
      const n = readSync(fd, buf, to, length, null);
      if (n > 0) o.onBytes?.(buf.subarray(to, to + n));
      return n;
    }, fn, o.pieceBytes ?? 16 << 20, o.maxRecordBytes ?? MAX_CSV_RECORD_BYTES);
  } finally {
    closeSync(fd);
  }
}

/**
 * The records of a CSV file (`csvRecords` over its whole text), met piece by piece as they
 * are read from the disk: `fn(records, lines)` per piece with the 1-based line each record
 * starts on in the file; `fn` returns false to stop. Returns the line a quote left open at
 * the end of the file opened on (that last record is not handed on), or undefined.
 */
export function forEachCsvFileRecords(path: string, fn: (records: string[], lines: number[]) => boolean, o: CsvPieceOptions = {}): number | undefined {
  let openAt: number | undefined;
  let stopped = false;
  forEachCsvFilePiece(
    path,
    (text, firstLine) => {
      const r = csvRecords(text);
      const lines = r.line.map((l) => firstLine - 1 + l);
      if (r.openAt !== undefined) {
        // The last record runs to the end of the file: no record, but where its quote opened.
        openAt = firstLine - 1 + r.openAt;
        r.records.pop();
        lines.pop();
      }
      stopped = r.records.length > 0 && !fn(r.records, lines);
      return !stopped;
    },
    o,
  );
  return stopped ? undefined : openAt;
}
