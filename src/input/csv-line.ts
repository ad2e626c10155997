/** Splitting one line of a CSV file (RFC 4180 quoting), shared by every reader of user data. */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/**
 * The records of a CSV text: lines, except that a quoted field may hold line breaks (RFC
 * 4180), so a line whose quotes are not yet balanced continues on the next. `line[k]` is the
 * 1-based line record k starts on, for messages. Line breaks are \n, \r\n or a lone \r;
 * trailing blank lines are dropped. A quote left open at the end of the text makes the last
 * record run to the end; `openAt` is then the line that quote opened on.
 */
export function csvRecords(text: string): { records: string[]; line: number[]; openAt: number | undefined } {
  const raw = text.split(/\r\n|\n|\r/);
  while (raw.length > 0 && raw[raw.length - 1]!.trim() === '') raw.pop();
  const records: string[] = [];
  const line: number[] = [];
  let openAt: number | undefined;
  for (let i = 0; i < raw.length; i++) {
    let rec = raw[i]!;
    const start = i + 1;
    // An odd number of quotes leaves a field open ("" inside a field counts twice).
    let open = quoteCount(rec) % 2 === 1;
    while (open && i + 1 < raw.length) {
      i++;
      rec += '\n' + raw[i]!;
      open = quoteCount(raw[i]!) % 2 === 1 ? !open : open;
    }
    if (open) openAt = start;
    records.push(rec);
    line.push(start);
  }
  return { records, line, openAt };
}

function quoteCount(s: string): number {
  let n = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  return n;
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
