/**
 * Line-per-row text encodings (CSV, NDJSON) as a stream writes them: the encoded bytes of a
 * range of rows and where each unit of `unitRows` rows ends, so a paced stream can release
 * the bytes row by row without parsing them again.
 *
 * Lines are joined and encoded a chunk at a time into one reused buffer: the strings of a
 * chunk die young (a minor GC), where a block's worth of live lines would be promoted and
 * grow the old generation of every worker.
 */

/** Encoded rows and the byte offset just past each unit (the last unit may be shorter). */
export interface EncodedRows {
  bytes: Uint8Array;
  ends: Uint32Array;
}

const CHUNK_ROWS = 1024;
const utf8 = new TextEncoder();
/** This thread's encoding buffer, grown as needed and reused from block to block. */
let scratch = new Uint8Array(1 << 20);

function ensure(capacity: number): void {
  if (scratch.length >= capacity) return;
  const grown = new Uint8Array(Math.max(capacity, 2 * scratch.length));
  grown.set(scratch);
  scratch = grown;
}

/** Encodes lines [from, to) of `line` with a newline after each. */
export function textRows(line: (i: number) => string, from: number, to: number, unitRows: number): EncodedRows {
  const n = to - from;
  const units = n === 0 ? 0 : Math.ceil(n / Math.min(unitRows, n));
  const ends = new Uint32Array(units);
  const perRowEnds = units > 1;
  const lines: string[] = new Array<string>(CHUNK_ROWS);
  let pos = 0;
  for (let a = 0; a < n; a += CHUNK_ROWS) {
    const count = Math.min(CHUNK_ROWS, n - a);
    lines.length = count;
    for (let k = 0; k < count; k++) lines[k] = line(from + a + k);
    const text = lines.join('\n') + '\n';
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    ensure(pos + 3 * text.length);
    const { written } = utf8.encodeInto(text, scratch.subarray(pos));
    if (perRowEnds) {
      // All ASCII (the usual case): bytes are characters; otherwise measure each line.
      const ascii = written === text.length;
      let off = pos;
      for (let k = 0; k < count; k++) {
        off += (ascii ? lines[k]!.length : Buffer.byteLength(lines[k]!)) + 1;
        const row = a + k;
        if ((row + 1) % unitRows === 0 || row === n - 1) ends[Math.floor(row / unitRows)] = off;
      }
    }
    pos += written;
  }
  if (units === 1) ends[0] = pos;
  return { bytes: scratch.slice(0, pos), ends };
}
