/**
 * Line-per-row text encodings (CSV, NDJSON) as a stream writes them: the encoded bytes of a
 * range of rows and where each unit of `unitRows` rows ends, so a paced stream can release
 * the bytes row by row without parsing them again.
 */

/** Encoded rows and the byte offset just past each unit (the last unit may be shorter). */
export interface EncodedRows {
  bytes: Uint8Array;
  ends: Uint32Array;
}

/** Encodes lines [from, to) of `line` with a newline after each. */
export function textRows(line: (i: number) => string, from: number, to: number, unitRows: number): EncodedRows {
  const n = to - from;
  const lines: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) lines[i] = line(from + i);
  const bytes = new TextEncoder().encode(n > 0 ? lines.join('\n') + '\n' : '');
  const units = unitRows >= n ? (n > 0 ? 1 : 0) : Math.ceil(n / unitRows);
  const ends = new Uint32Array(units);
  if (units === 1) ends[0] = bytes.length;
  else {
    // Byte lengths, not string lengths: a category may hold non-ASCII text.
    let off = 0;
    for (let i = 0; i < n; i++) {
      off += Buffer.byteLength(lines[i]!) + 1;
      if ((i + 1) % unitRows === 0 || i === n - 1) ends[Math.floor(i / unitRows)] = off;
    }
  }
  return { bytes, ends };
}
